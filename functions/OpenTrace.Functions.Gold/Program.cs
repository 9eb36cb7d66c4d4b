using OpenTrace.Functions.Gold;
using OpenTrace.Gcp;
using OpenTrace.Hosting;

return await FunctionsHost.RunAsync(args, GcpFunctionsHost.Options<GoldFunction>());
