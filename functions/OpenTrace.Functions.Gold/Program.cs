using OpenTrace.Functions.Gold;
using OpenTrace.Hosting;

return await FunctionsHost.RunAsync(args, CloudHost.Options());
