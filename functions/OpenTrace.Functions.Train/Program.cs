using OpenTrace.Functions.Train;
using OpenTrace.Gcp;
using OpenTrace.Hosting;

return await FunctionsHost.RunAsync(args, GcpFunctionsHost.Options<TrainFunction>());
