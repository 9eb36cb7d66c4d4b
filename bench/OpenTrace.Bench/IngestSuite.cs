using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTrace.Core.Samples;
using OpenTrace.Embedded;

namespace OpenTrace.Bench;

/// <summary>
/// The <c>ingest</c> suite: a generated Olist orders CSV (dirty: duplicates, drifted case and spaces, impossible
/// dates) through bronze and silver on the embedded adapters, against DuckDB SQL doing the same cleaning from CSV to
/// Parquet. The sides alternate, each in a fresh process; the median of each is reported.
/// </summary>
internal static class IngestSuite
{
    public const string Name = "ingest";

    public static async Task<int> RunAsync(BenchArguments arguments)
    {
        var input = await PrepareInputAsync(arguments);
        Console.WriteLine($"ingest: {arguments.Rows:N0} rows of {OlistDataset.Orders.FileName} ({new FileInfo(input).Length / 1e6:F0} MB), {arguments.Repeat} runs per side");
        var runs = new List<JsonObject>();
        for (var i = 0; i < arguments.Repeat; i++)
        {
            foreach (var side in new[] { "csharp", "csharp-warm", "duckdb" })
            {
                var run = await RunSideAsync(side, input);
                run["repetition"] = i + 1;
                runs.Add(run);
                Console.WriteLine($"  {side,-11} run {i + 1}: {(double)run["seconds"]!:F2} s, {Throughput(run):N0} rows/s, peak RSS {(long)run["peak_rss_bytes"]! / 1e6:F0} MB{(run["silver_phases"] is { } phases ? $"; silver: {phases}" : string.Empty)}");
            }
        }

        var csharp = Median(runs.Where(r => (string)r["side"]! == "csharp").ToList());
        var warm = Median(runs.Where(r => (string)r["side"]! == "csharp-warm").ToList());
        var duckdb = Median(runs.Where(r => (string)r["side"]! == "duckdb").ToList());
        var ratio = Throughput(csharp) / Throughput(duckdb);
        var warmRatio = Throughput(warm) / Throughput(duckdb);
        var result = new JsonObject
        {
            ["suite"] = Name,
            ["recorded_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["command"] = $"dotnet run -c Release --project bench/OpenTrace.Bench -- ingest --rows {arguments.Rows} --repeat {arguments.Repeat} --seed {arguments.Seed}",
            ["machine"] = JsonSerializer.SerializeToNode(BenchEnvironment.Machine()),
            ["input"] = new JsonObject
            {
                ["file"] = OlistDataset.Orders.FileName,
                ["rows"] = arguments.Rows,
                ["bytes"] = new FileInfo(input).Length,
                ["generator"] = $"OlistGenerator seed {arguments.Seed}, dirty",
                ["warm_up_rows"] = Sides.WarmUpRows,
            },
            ["settings"] = new JsonObject
            {
                ["warehouse_memory_limit"] = Sides.WarehouseMemoryLimit,
                ["warehouse_threads"] = EmbeddedOptions.LoadThreads,
                ["contract"] = "pipelines/olist/contracts/orders.yaml",
            },
            ["summary"] = new JsonObject
            {
                ["csharp_rows_per_second"] = Math.Round(Throughput(csharp)),
                ["duckdb_rows_per_second"] = Math.Round(Throughput(duckdb)),
                ["ratio"] = Math.Round(ratio, 3),
                ["csharp_seconds"] = csharp["seconds"]!.DeepClone(),
                ["csharp_bronze_seconds"] = csharp["bronze_seconds"]!.DeepClone(),
                ["csharp_silver_seconds"] = csharp["silver_seconds"]!.DeepClone(),
                ["csharp_silver_phases"] = csharp["silver_phases"]?.DeepClone(),
                ["csharp_warm_rows_per_second"] = Math.Round(Throughput(warm)),
                ["warm_ratio"] = Math.Round(warmRatio, 3),
                ["csharp_warm_seconds"] = warm["seconds"]!.DeepClone(),
                ["csharp_warm_bronze_seconds"] = warm["bronze_seconds"]!.DeepClone(),
                ["csharp_warm_silver_seconds"] = warm["silver_seconds"]!.DeepClone(),
                ["csharp_warm_silver_phases"] = warm["silver_phases"]?.DeepClone(),
                ["duckdb_seconds"] = duckdb["seconds"]!.DeepClone(),
                ["csharp_peak_rss_bytes"] = runs.Where(r => ((string)r["side"]!).StartsWith("csharp", StringComparison.Ordinal)).Max(r => (long)r["peak_rss_bytes"]!),
                ["duckdb_peak_rss_bytes"] = runs.Where(r => (string)r["side"]! == "duckdb").Max(r => (long)r["peak_rss_bytes"]!),
            },
            ["runs"] = new JsonArray([.. runs]),
        };

        var path = BenchResults.Write(Name, result);
        BenchResults.UpdateSummary();
        Console.WriteLine($"C# bronze+silver {Throughput(csharp):N0} rows/s cold, {Throughput(warm):N0} rows/s warm; DuckDB {Throughput(duckdb):N0} rows/s; ratio {ratio:F2} cold, {warmRatio:F2} warm; results in {Path.GetRelativePath(BenchEnvironment.RepositoryRoot, path)}, summary in BENCHMARKS.md");
        return 0;
    }

    private static double Throughput(JsonObject run) => (long)run["rows"]! / (double)run["seconds"]!;

    private static JsonObject Median(List<JsonObject> runs) =>
        runs.OrderBy(r => (double)r["seconds"]!).ElementAt(runs.Count / 2);

    /// <summary>The generated CSV, cached in the temp folder by rows and seed (generation takes a while).</summary>
    private static async Task<string> PrepareInputAsync(BenchArguments arguments)
    {
        var folder = Path.Combine(Path.GetTempPath(), "opentrace-bench");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"orders-{arguments.Rows}-{arguments.Seed}.csv"));
        if (File.Exists(path))
        {
            return path;
        }

        // Dirty output writes one duplicate per 200 orders: pick the scale whose orders plus duplicates make the rows asked for.
        var orders = arguments.Rows * OlistDirt.DuplicateRowOneIn / (OlistDirt.DuplicateRowOneIn + 1.0);
        var scale = orders / OlistVolumes.PublishedOrders;
        Console.WriteLine($"generating {arguments.Rows:N0} order rows (scale {scale:F3}) into {path} ...");
        var partial = path + ".partial";
        var generator = new OlistGenerator(new OlistGeneratorOptions { Scale = scale, Seed = arguments.Seed, Dirty = true });
        var summary = await generator.WriteAsync(name => name == OlistDataset.Orders.FileName ? File.Create(partial) : Stream.Null);
        File.Move(partial, path, overwrite: true);
        Console.WriteLine($"generated {summary.RowsFor("orders"):N0} rows in {summary.Elapsed.TotalSeconds:F0} s");
        return path;
    }

    private static async Task<JsonObject> RunSideAsync(string side, string input)
    {
        var work = Path.Combine(Path.GetTempPath(), $"opentrace-bench-{side}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = BenchEnvironment.RepositoryRoot,
            };
            foreach (var arg in new[] { "side", side, input, work })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new BenchException($"the {side} side failed ({process.ExitCode}): {await error}{await output}");
            }

            var line = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
            var run = JsonNode.Parse(line)!.AsObject();

            // The silver run logs where its time went: "...; download 40 ms, engine 1200 ms, ...)"; the last is the measured file's.
            var published = (await error).Split('\n').LastOrDefault(l => l.Contains("Silver published", StringComparison.Ordinal));
            if (published is not null && published.LastIndexOf("; ", StringComparison.Ordinal) is var at and > 0)
            {
                run["silver_phases"] = published[(at + 2)..].TrimEnd().TrimEnd(')');
            }

            return run;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
