using OpenTrace.Functions.Bronze;
using OpenTrace.Hosting;

return await FunctionsHost.RunAsync(args, CloudHost.Options());
