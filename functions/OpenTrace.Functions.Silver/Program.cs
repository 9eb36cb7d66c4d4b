using OpenTrace.Functions.Silver;
using OpenTrace.Gcp;
using OpenTrace.Hosting;

return await FunctionsHost.RunAsync(args, GcpFunctionsHost.Options<SilverFunction>());
