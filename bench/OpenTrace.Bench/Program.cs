using OpenTrace.Bench;

// dotnet run -c Release --project bench/OpenTrace.Bench -- <suite> [options]
//   ingest [--rows N] [--repeat N] [--seed N]   CSV -> bronze -> silver on the embedded adapters, against DuckDB SQL
//   summary                                     rewrites the ingest section of BENCHMARKS.md from the recorded results
//   side <name> ...                             internal: one measured side, run in its own process
//   search [--sizes 100000,1000000] [--queries 200] [--dimensions 384] [--top-k 10] [--seed 42]
//   serve [--home DIR] [--scale 0.05] [--connections 8] [--seconds 5] [--rounds 3]
try
{
    return args.FirstOrDefault() switch
    {
        "ingest" => await IngestSuite.RunAsync(BenchArguments.Parse(args.Skip(1))),
        "summary" => Summary(),
        "side" => await Sides.RunAsync(args.Skip(1).ToArray()),
        SearchSuite.Name => await SuiteRuntime.Search.RunAsync(args, () => SearchSuite.RunAsync(SearchArguments.Parse(args.Skip(1)), Console.Out)),
        ServeSuite.Name => await SuiteRuntime.Serve.RunAsync(args, () => ServeSuite.RunAsync(ServeArguments.Parse(args.Skip(1)), Console.Out)),
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
    Console.Error.WriteLine("      same cleaning from CSV to Parquet; the platform cold (a fresh process) and warm (after a small file);");
    Console.Error.WriteLine("      each side runs in its own process, alternating, median reported.");
    Console.Error.WriteLine("  search [--sizes 100000,1000000] [--queries 200] [--dimensions 384] [--top-k 10] [--seed 42]");
    Console.Error.WriteLine("      exact top-k vector search (VectorIndex), one thread, against the memory-bandwidth bound measured in the same run.");
    Console.Error.WriteLine("  serve [--home DIR] [--scale 0.05] [--connections 8] [--seconds 5] [--rounds 3]");
    Console.Error.WriteLine("      GET /v1/features/{group}/{id}, POST /v1/predict and POST /v1/qa on the serve function over the embedded adapters,");
    Console.Error.WriteLine("      and a bare Kestrel endpoint returning a constant, under one closed-loop load generator in alternating rounds;");
    Console.Error.WriteLine("      /v1/qa also on one connection, and every answer checked for a citation. --home: a local home with features,");
    Console.Error.WriteLine("      a promoted model and an embeddings snapshot (e.g. after 'opentrace demo'); without it one is built at --scale.");
    Console.Error.WriteLine("  summary");
    Console.Error.WriteLine("      rewrites the ingest section of BENCHMARKS.md from the ingest results already recorded.");
    Console.Error.WriteLine();
    Console.Error.WriteLine("Results go to bench/results/<suite>-<utc time>.json and the summary table in BENCHMARKS.md.");
    return 2;
}
