using OpenTrace.Bench;

// dotnet run -c Release --project bench/OpenTrace.Bench -- <suite> [options]
//   ingest [--rows N] [--repeat N] [--seed N]   CSV -> bronze -> silver on the embedded adapters, against DuckDB SQL
//   summary                                     rewrites BENCHMARKS.md from the recorded results
//   side <name> ...                             internal: one measured side, run in its own process
try
{
    return args.FirstOrDefault() switch
    {
        "ingest" => await IngestSuite.RunAsync(BenchArguments.Parse(args.Skip(1))),
        "summary" => Summary(),
        "side" => await Sides.RunAsync(args.Skip(1).ToArray()),
        _ => Usage(),
    };
}
catch (BenchException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

static int Summary()
{
    BenchResults.UpdateSummary();
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/OpenTrace.Bench -- <suite> [options]");
    Console.Error.WriteLine();
    Console.Error.WriteLine("suites:");
    Console.Error.WriteLine("  ingest [--rows 1000000] [--repeat 3] [--seed 42]");
    Console.Error.WriteLine("      an Olist orders CSV through bronze + silver on the embedded adapters, against DuckDB SQL doing the");
    Console.Error.WriteLine("      same cleaning from CSV to Parquet; each side runs in its own process, alternating, median reported.");
    Console.Error.WriteLine("  summary");
    Console.Error.WriteLine("      rewrites the summary in BENCHMARKS.md from the results already recorded.");
    Console.Error.WriteLine();
    Console.Error.WriteLine("Results go to bench/results/<suite>-<utc time>.json and the summary table in BENCHMARKS.md.");
    return 2;
}
