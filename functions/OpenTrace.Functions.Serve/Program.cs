using OpenTrace.Functions.Serve;
using OpenTrace.Hosting;

return await FunctionsHost.RunAsync(args, CloudHost.Options());
