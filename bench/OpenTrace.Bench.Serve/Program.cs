using OpenTrace.Bench.Serve;

// dotnet run -c Release --project bench/OpenTrace.Bench.Serve -- serve [options]
try
{
    return args.FirstOrDefault() switch
    {
        ServeSuite.Name => await ServeSuite.RunAsync(ServeArguments.Parse(args.Skip(1)), Console.Out),
        _ => Usage(),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/OpenTrace.Bench.Serve -- serve [--home DIR] [--scale 0.05] [--connections 8] [--seconds 5] [--rounds 3]");
    Console.Error.WriteLine();
    Console.Error.WriteLine("  GET /v1/features/{group}/{id} and POST /v1/predict on the serve function over the embedded adapters, and a bare");
    Console.Error.WriteLine("  Kestrel endpoint returning a constant, under the same closed-loop load generator in alternating rounds.");
    Console.Error.WriteLine("  --home: a local home with materialised features and a promoted model (e.g. after 'opentrace demo');");
    Console.Error.WriteLine("  without it one is built at --scale from generated data. Results go to bench/results/serve-<utc>.json and BENCHMARKS.md.");
    return 2;
}
