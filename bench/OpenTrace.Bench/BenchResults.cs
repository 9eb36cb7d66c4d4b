using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenTrace.Bench;

/// <summary>Writes result files under bench/results and regenerates the summary in BENCHMARKS.md from all of them.</summary>
internal static class BenchResults
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string Write(string suite, JsonObject result)
    {
        Directory.CreateDirectory(BenchEnvironment.ResultsPath);
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var path = Path.Combine(BenchEnvironment.ResultsPath, $"{suite}-{stamp}.json");
        File.WriteAllText(path, result.ToJsonString(Indented) + "\n");
        return path;
    }

    /// <summary>Rewrites the <c>## ingest</c> section of BENCHMARKS.md from every recorded ingest result; other sections stay.</summary>
    public static void UpdateSummary()
    {
        var results = Directory.EnumerateFiles(BenchEnvironment.ResultsPath, $"{IngestSuite.Name}-*.json")
            .Select(path => (Path: path, Json: JsonNode.Parse(File.ReadAllText(path))!.AsObject()))
            .OrderByDescending(r => (string)r.Json["recorded_at"]!)
            .ToList();
        if (results.Count == 0)
        {
            return;
        }

        var md = new StringBuilder();
        AppendIngest(md, results);
        var file = BenchEnvironment.BenchmarksFile;
        var existing = File.Exists(file) ? File.ReadAllText(file) : "# Benchmarks\n\nRaw results are in `bench/results/`; the bench is not part of `dotnet test`.\n";
        File.WriteAllText(file, ReplaceSection(existing, IngestSuite.Name, md.ToString()));
    }

    /// <summary>
    /// Rewrites the <c>## suite</c> section of BENCHMARKS.md with what <paramref name="render"/> makes of every recorded
    /// result of the suite, newest first; other sections stay.
    /// </summary>
    public static void UpdateSection(string suite, Func<IReadOnlyList<(string Path, JsonObject Json)>, string> render)
    {
        var results = Directory.EnumerateFiles(BenchEnvironment.ResultsPath, $"{suite}-*.json")
            .Select(path => (Path: path, Json: JsonNode.Parse(File.ReadAllText(path))!.AsObject()))
            .OrderByDescending(r => (string)r.Json["recorded_at"]!)
            .ToList();
        if (results.Count == 0)
        {
            return;
        }

        var file = BenchEnvironment.BenchmarksFile;
        var existing = File.Exists(file) ? File.ReadAllText(file) : "# Benchmarks\n\nRaw results are in `bench/results/`; the bench is not part of `dotnet test`.\n";
        File.WriteAllText(file, ReplaceSection(existing, suite, render(results)));
    }

    /// <summary>Replaces the <c>## name</c> section of a Markdown document (appending it when absent).</summary>
    private static string ReplaceSection(string document, string name, string section)
    {
        var start = document.IndexOf($"\n## {name}\n", StringComparison.Ordinal);
        if (start < 0)
        {
            return document.TrimEnd() + "\n\n" + section;
        }

        var end = document.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return document[..(start + 1)] + section + (end < 0 ? string.Empty : "\n" + document[(end + 1)..]);
    }

    private static void AppendIngest(StringBuilder md, List<(string Path, JsonObject Json)> results)
    {
        var latest = results[0].Json;
        var summary = latest["summary"]!.AsObject();
        var machine = latest["machine"]!.AsObject();
        var input = latest["input"]!.AsObject();
        md.AppendLine("## ingest");
        md.AppendLine();
        md.AppendLine("A generated Olist orders CSV with the generator's dirt (0.5% duplicate rows, drifted case and spaces,");
        md.AppendLine("impossible dates) dropped into the local bronze bucket and taken through the real bronze and silver use cases on the");
        md.AppendLine("embedded adapters (folder buckets, DuckDB warehouse, SQLite claims): CSV sniffing and parsing, bronze Parquet, the");
        md.AppendLine("bronze table load (the local warehouse reads bronze Parquet in place: a view over its own hard link to the file), then");
        md.AppendLine("the silver contract (`pipelines/olist/contracts/orders.yaml`: trim, lower-case, timestamp parsing in");
        md.AppendLine("America/Sao_Paulo to UTC, rules, quarantine, latest-wins dedupe), silver and quarantine Parquet, the staging and the");
        md.AppendLine("MERGE into `silver.olist__orders`, ops records and reconciliation. As in the local runtime, silver starts as soon as");
        md.AppendLine("the bronze Parquet object is written.");
        md.AppendLine("Against it, in the same run, DuckDB SQL does the same cleaning in one statement from the CSV to Parquet (trim,");
        md.AppendLine("empty as NULL, lower-case, timestamp parse with the zone, latest-wins dedupe; the orders file has no decimal column,");
        md.AppendLine("so there is no decimal cast; DuckDB neither checks rules nor loads a table), timed after it has opened its database");
        md.AppendLine("and read the CSV once. The platform is measured twice: *cold*, the first file of a fresh process (JIT compilation");
        md.AppendLine("and opening the stores included, as in a function's cold start), and *warm*, after the same process has ingested");
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"the CSV's first {(long?)input["warm_up_rows"] ?? 1000:N0} rows as a file of their own, untimed (an instance that has handled a file before: the"));
        md.AppendLine("state DuckDB is measured in). Each side runs in its own process, alternating, and the median run of each is");
        md.AppendLine("reported; throughput is input rows per wall-clock second.");
        md.AppendLine("Target: at least 0.8× DuckDB's throughput, peak RSS under 500 MB.");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Latest ({latest["recorded_at"]}, commit {machine["commit"]}): {machine["cpu"]}, {machine["logical_cores"]} logical cores, {(long)machine["memory_bytes"]! / 1e9:F0} GB, {machine["dotnet"]}, load average {machine["load_average"]} (a shared machine: runs vary)."));
        md.AppendLine();
        md.AppendLine("| | C# bronze + silver, cold | C# bronze + silver, warm | DuckDB SQL |");
        md.AppendLine("|---|---:|---:|---:|");
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| rows | {(long)input["rows"]!:N0} | {(long)input["rows"]!:N0} | {(long)input["rows"]!:N0} |"));
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| median wall time | {(double)summary["csharp_seconds"]!:F2} s | {(double)summary["csharp_warm_seconds"]!:F2} s | {(double)summary["duckdb_seconds"]!:F2} s |"));
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| of which bronze / silver | {(double)summary["csharp_bronze_seconds"]!:F2} s / {(double)summary["csharp_silver_seconds"]!:F2} s | {(double)summary["csharp_warm_bronze_seconds"]!:F2} s / {(double)summary["csharp_warm_silver_seconds"]!:F2} s | |"));
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| throughput | {(double)summary["csharp_rows_per_second"]!:N0} rows/s | {(double)summary["csharp_warm_rows_per_second"]!:N0} rows/s | {(double)summary["duckdb_rows_per_second"]!:N0} rows/s |"));
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| ratio (C# / DuckDB) | **{(double)summary["ratio"]!:F2}** | **{(double)summary["warm_ratio"]!:F2}** | 1.00 |"));
        string PeakRss(string side) => latest["runs"] is JsonArray all && all.Select(r => r!.AsObject()).Where(r => (string)r["side"]! == side).ToList() is { Count: > 0 } sideRuns
            ? string.Create(CultureInfo.InvariantCulture, $"{sideRuns.Max(r => (long)r["peak_rss_bytes"]!) / 1e6:F0} MB")
            : "—";
        md.AppendLine($"| peak RSS (largest run) | {PeakRss("csharp")} | {PeakRss("csharp-warm")} | {PeakRss("duckdb")} |");
        md.AppendLine();
        md.AppendLine("Bronze's time runs from the event to its run record; silver's from the bronze Parquet object's finalize to its run");
        md.AppendLine("record, so the two overlap while bronze finishes.");
        if (summary["csharp_silver_phases"] is { } phases)
        {
            md.AppendLine();
            md.AppendLine($"Silver's time, cold: {phases}.");
        }

        if (summary["csharp_warm_silver_phases"] is { } warmPhases)
        {
            md.AppendLine($"Warm: {warmPhases}.");
        }

        if (latest["runs"] is JsonArray runs)
        {
            string Times(string side) => string.Join(", ", runs.Select(r => r!.AsObject()).Where(r => (string)r["side"]! == side)
                .Select(r => string.Create(CultureInfo.InvariantCulture, $"{(double)r["seconds"]!:F2} s")));
            md.AppendLine();
            md.AppendLine($"Every run, in order: C# cold {Times("csharp")}; C# warm {Times("csharp-warm")}; DuckDB {Times("duckdb")}.");
        }

        var met = (double)summary["ratio"]! >= 0.8 && (double)summary["warm_ratio"]! >= 0.8 && (long)summary["csharp_peak_rss_bytes"]! < 500_000_000;
        md.AppendLine();
        md.AppendLine($"Target met: {(met ? "yes" : "no")} (both ratios at least 0.8, peak RSS under 500 MB).");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Command: `{latest["command"]}`. The local warehouse runs with DuckDB `memory_limit` {latest["settings"]!["warehouse_memory_limit"]} and {latest["settings"]!["warehouse_threads"]?.ToString() ?? "DuckDB's default number of"} thread(s), as `opentrace ingest` does; the bench process runs with tiered compilation off, as the `opentrace` CLI ships. The warehouse stores text with FSST, not dictionary compression, as the embedded default does."));
        md.AppendLine();
        md.AppendLine("### History");
        md.AppendLine();
        md.AppendLine("Runs recorded before the warm side existed have only the cold figures.");
        md.AppendLine();
        md.AppendLine("| recorded (UTC) | commit | rows | C# rows/s cold | C# rows/s warm | DuckDB rows/s | ratio cold | ratio warm | C# peak RSS | result |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (path, json) in results)
        {
            var s = json["summary"]!.AsObject();
            var warmRate = s["csharp_warm_rows_per_second"] is { } w ? string.Create(CultureInfo.InvariantCulture, $"{(double)w:N0}") : "—";
            var warmRatio = s["warm_ratio"] is { } r ? string.Create(CultureInfo.InvariantCulture, $"{(double)r:F2}") : "—";
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {json["recorded_at"]} | {json["machine"]!["commit"]} | {(long)json["input"]!["rows"]!:N0} | {(double)s["csharp_rows_per_second"]!:N0} | {warmRate} | {(double)s["duckdb_rows_per_second"]!:N0} | {(double)s["ratio"]!:F2} | {warmRatio} | {(long)s["csharp_peak_rss_bytes"]! / 1e6:F0} MB | `bench/results/{Path.GetFileName(path)}` |"));
        }
    }
}
