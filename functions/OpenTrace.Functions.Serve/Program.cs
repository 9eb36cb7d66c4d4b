using OpenTrace.Functions.Serve;
using OpenTrace.Gcp;
using OpenTrace.Hosting;

return await FunctionsHost.RunAsync(args, GcpFunctionsHost.Options<ServeFunction>());
