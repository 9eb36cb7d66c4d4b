using OpenTrace.Functions.Features;
using OpenTrace.Hosting;

return await FunctionsHost.RunAsync(args, CloudHost.Options());
