using OpenTrace.Functions.Train;
using OpenTrace.Hosting;

return await FunctionsHost.RunAsync(args, CloudHost.Options());
