using OpenTrace.Functions.Silver;
using OpenTrace.Hosting;

return await FunctionsHost.RunAsync(args, CloudHost.Options());
