using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTrace.Core.Retrieval;

namespace OpenTrace.Bench;

/// <summary>Options of the search suite.</summary>
internal sealed record SearchArguments(IReadOnlyList<int> Sizes, int Queries, int Dimensions, int TopK, int Seed)
{
    public static SearchArguments Parse(IEnumerable<string> args)
    {
        var list = args.ToList();
        IReadOnlyList<int> sizes = [100_000, 1_000_000];
        int queries = 200, dimensions = 384, topK = 10, seed = 42;
        for (var i = 0; i < list.Count; i += 2)
        {
            var value = i + 1 < list.Count ? list[i + 1] : throw new BenchException($"{list[i]} needs a value.");
            switch (list[i])
            {
                case "--sizes":
                    sizes = value.Split(',').Select(v => Int(list[i], v, 1000)).ToList();
                    break;
                case "--queries":
                    queries = Int(list[i], value, 10);
                    break;
                case "--dimensions":
                    dimensions = Int(list[i], value, 8);
                    break;
                case "--top-k":
                    topK = Int(list[i], value, 1);
                    break;
                case "--seed":
                    seed = Int(list[i], value, 0);
                    break;
                default:
                    throw new BenchException($"Unknown option {list[i]}.");
            }
        }

        return new SearchArguments(sizes, queries, dimensions, topK, seed);
    }

    private static int Int(string option, string value, int min) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new BenchException($"{option} must be a whole number of at least {min}, got '{value}'.");
}

/// <summary>
/// The <c>search</c> suite: exact top-k queries over random unit vectors with <see cref="VectorIndex"/> (one thread,
/// as one request is served), for each size, against the memory-bandwidth bound measured in the same process: the
/// bytes a query scans divided by the bandwidth of <see cref="TensorPrimitives.Sum(ReadOnlySpan{float})"/> over a
/// 1 GiB array (also one thread). Bandwidth and queries are measured in alternating rounds so that load on the machine
/// hits both alike. Results go to <c>bench/results/search-&lt;utc&gt;.json</c> and the search section of
/// <c>BENCHMARKS.md</c>.
/// </summary>
internal static class SearchSuite
{
    public const string Name = "search";

    /// <summary>Target: p90 at 100,000 vectors within this factor of the bound.</summary>
    public const double Target = 1.5;

    private const long BandwidthArrayBytes = 1L << 30;
    private const int Rounds = 5;

    public static async Task<int> RunAsync(SearchArguments args, TextWriter output)
    {
        var started = DateTimeOffset.UtcNow;
        var bandwidthArray = RandomArray(BandwidthArrayBytes / sizeof(float), args.Seed + 1);
        var sizes = new JsonArray();
        var ok = true;
        foreach (var size in args.Sizes)
        {
            var result = Measure(size, args, bandwidthArray, output);
            sizes.Add(result);
            if (size == 100_000 && (double)result["p90_over_bound"]! > Target)
            {
                ok = false;
            }
        }

        var json = new JsonObject
        {
            ["suite"] = Name,
            ["recorded_at"] = started.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["command"] = $"dotnet run -c Release --project bench/OpenTrace.Bench -- search --sizes {string.Join(',', args.Sizes)} --queries {args.Queries} --dimensions {args.Dimensions} --seed {args.Seed}",
            ["machine"] = Machine(),
            ["runtime"] = SuiteRuntime.Current,
            ["settings"] = new JsonObject { ["dimensions"] = args.Dimensions, ["top_k"] = args.TopK, ["queries_per_round"] = args.Queries, ["rounds"] = Rounds, ["threads"] = 1, ["bandwidth_array_bytes"] = BandwidthArrayBytes },
            ["sizes"] = sizes,
            ["target"] = $"p90 at 100,000 vectors within {Target.ToString(CultureInfo.InvariantCulture)}x of the bandwidth bound",
            ["target_met"] = ok,
        };
        var path = BenchResults.Write(Name, json);
        BenchResults.UpdateSection(Name, Summary);
        output.WriteLine($"Wrote {Path.GetRelativePath(BenchEnvironment.RepositoryRoot, path)}; updated BENCHMARKS.md.");
        await Task.CompletedTask;
        return 0;
    }

    private static JsonObject Measure(int size, SearchArguments args, float[] bandwidthArray, TextWriter output)
    {
        var d = args.Dimensions;
        var matrix = RandomArray((long)size * d, args.Seed);
        var index = new VectorIndex(matrix, d); // normalises the rows
        var random = new Random(args.Seed + size);
        var queries = Enumerable.Range(0, args.Queries).Select(_ => Enumerable.Range(0, d).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()).ToList();

        // Warm-up: JIT, page-in, tiered compilation.
        for (var i = 0; i < 5; i++)
        {
            _ = index.Search(queries[i % queries.Count], args.TopK);
            _ = TensorPrimitives.Sum(bandwidthArray);
        }

        var latencies = new List<double>();
        var sums = new List<double>();
        var maskedLatencies = new List<double>();
        var mask = RowMask.Of(size, Enumerable.Range(0, size).Where(r => r % 10 == 0)); // a filter keeping 10% of the rows
        for (var round = 0; round < Rounds; round++)
        {
            for (var s = 0; s < 3; s++)
            {
                var sw = Stopwatch.StartNew();
                var total = TensorPrimitives.Sum(bandwidthArray);
                sums.Add(sw.Elapsed.TotalSeconds);
                GC.KeepAlive(total);
            }

            foreach (var query in queries.Take(Math.Max(10, args.Queries / (size >= 1_000_000 ? 4 : 1))))
            {
                var sw = Stopwatch.StartNew();
                var hits = index.Search(query, args.TopK);
                latencies.Add(sw.Elapsed.TotalMilliseconds);
                GC.KeepAlive(hits);
            }

            foreach (var query in queries.Take(20))
            {
                var sw = Stopwatch.StartNew();
                var hits = index.Search(query, args.TopK, mask);
                maskedLatencies.Add(sw.Elapsed.TotalMilliseconds);
                GC.KeepAlive(hits);
            }
        }

        var bandwidth = BandwidthArrayBytes / Median(sums); // bytes per second
        var bytesPerQuery = index.BytesPerQuery;
        var boundMs = bytesPerQuery / bandwidth * 1000;
        latencies.Sort();
        maskedLatencies.Sort();
        var p50 = Percentile(latencies, 0.50);
        var p90 = Percentile(latencies, 0.90);
        var p99 = Percentile(latencies, 0.99);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{size,9:N0} × {d}: p50 {p50:F2} ms  p90 {p90:F2} ms  p99 {p99:F2} ms  bound {boundMs:F2} ms ({bytesPerQuery / 1e6:F1} MB at {bandwidth / 1e9:F2} GB/s)  p90/bound {p90 / boundMs:F2}  10% filter p50 {Percentile(maskedLatencies, 0.5):F2} ms  ({latencies.Count} queries)");
        output.WriteLine(line);
        return new JsonObject
        {
            ["vectors"] = size,
            ["dimensions"] = d,
            ["queries"] = latencies.Count,
            ["p50_ms"] = Math.Round(p50, 3),
            ["p90_ms"] = Math.Round(p90, 3),
            ["p99_ms"] = Math.Round(p99, 3),
            ["bytes_per_query"] = bytesPerQuery,
            ["sum_bandwidth_gb_per_s"] = Math.Round(bandwidth / 1e9, 3),
            ["bound_ms"] = Math.Round(boundMs, 3),
            ["p50_over_bound"] = Math.Round(p50 / boundMs, 3),
            ["p90_over_bound"] = Math.Round(p90 / boundMs, 3),
            ["filtered_10pct_p50_ms"] = Math.Round(Percentile(maskedLatencies, 0.5), 3),
        };
    }

    private static float[] RandomArray(long length, int seed)
    {
        var values = GC.AllocateUninitializedArray<float>(checked((int)length));
        var random = new Random(seed);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }

    private static double Median(List<double> values) => Percentile(values.Order().ToList(), 0.5);

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>The machine as every suite describes it, plus the SIMD widths the dot products use.</summary>
    private static JsonObject Machine()
    {
        var machine = JsonSerializer.SerializeToNode(BenchEnvironment.Machine())!.AsObject();
        machine["simd"] = $"Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, Vector256 {System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated}";
        return machine;
    }

    /// <summary>The <c>## search</c> section of BENCHMARKS.md from every recorded search result, newest first.</summary>
    private static string Summary(IReadOnlyList<(string Path, JsonObject Json)> runs)
    {
        var latest = runs[0].Json;
        var machine = latest["machine"]!.AsObject();
        var md = new StringBuilder();
        md.AppendLine("## search");
        md.AppendLine();
        md.AppendLine("Exact top-10 search over random unit vectors with the in-memory index the serve function loads (`VectorIndex`:");
        md.AppendLine("one contiguous `float[]`, a `TensorPrimitives.Dot` per row, a bounded heap), one thread per query. The bound is");
        md.AppendLine("the bytes one query scans divided by the bandwidth of a one-thread `TensorPrimitives.Sum` over a 1 GiB array,");
        md.AppendLine("measured in the same process in alternating rounds. Target: p90 at 100,000 vectors within 1.5× of the bound.");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Latest ({latest["recorded_at"]}, commit {machine["commit"]}): {machine["cpu"]}, {machine["logical_cores"]} logical cores, {machine["dotnet"]}, {machine["simd"]}, load average {machine["load_average"]}."));
        md.AppendLine();
        md.AppendLine("| vectors | dims | p50 | p90 | p99 | bytes/query | sum bandwidth | bound | p90 / bound | 10% filter p50 |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var size in latest["sizes"]!.AsArray().Select(s => s!.AsObject()))
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(int)size["vectors"]!:N0} | {(int)size["dimensions"]!} | {(double)size["p50_ms"]!:F2} ms | {(double)size["p90_ms"]!:F2} ms | {(double)size["p99_ms"]!:F2} ms | {(long)size["bytes_per_query"]! / 1e6:F1} MB | {(double)size["sum_bandwidth_gb_per_s"]!:F2} GB/s | {(double)size["bound_ms"]!:F2} ms | **{(double)size["p90_over_bound"]!:F2}** | {(double)size["filtered_10pct_p50_ms"]!:F2} ms |"));
        }

        md.AppendLine();
        md.AppendLine($"Command: `{latest["command"]}`. Target met: {((bool)latest["target_met"]! ? "yes" : "no")}.");
        md.AppendLine();
        md.AppendLine("### History");
        md.AppendLine();
        md.AppendLine("| recorded (UTC) | commit | vectors | p50 | p90 | bound | p90 / bound | result |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
        foreach (var (path, json) in runs)
        {
            foreach (var size in json["sizes"]!.AsArray().Select(s => s!.AsObject()))
            {
                md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {json["recorded_at"]} | {json["machine"]!["commit"]} | {(int)size["vectors"]!:N0} | {(double)size["p50_ms"]!:F2} ms | {(double)size["p90_ms"]!:F2} ms | {(double)size["bound_ms"]!:F2} ms | {(double)size["p90_over_bound"]!:F2} | `bench/results/{Path.GetFileName(path)}` |"));
            }
        }

        return md.ToString();
    }
}
