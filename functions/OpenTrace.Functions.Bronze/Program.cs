using OpenTrace.Functions.Bronze;
using OpenTrace.Gcp;
using OpenTrace.Hosting;

return await FunctionsHost.RunAsync(args, GcpFunctionsHost.Options<BronzeFunction>());
