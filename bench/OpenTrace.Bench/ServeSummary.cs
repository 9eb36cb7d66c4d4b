using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenTrace.Bench;

/// <summary>The <c>## serve</c> section of BENCHMARKS.md, from every recorded serve result.</summary>
internal static class ServeSummary
{
    /// <summary>Renders the section from <paramref name="runs"/>, newest first.</summary>
    public static string Render(IReadOnlyList<(string Path, JsonObject Json)> runs)
    {
        var latest = runs[0].Json;
        var machine = latest["machine"]!.AsObject();
        var settings = latest["settings"]!.AsObject();
        var md = new StringBuilder();
        md.AppendLine("## serve");
        md.AppendLine();
        md.AppendLine("The serve function in its real host (routing, function invoker, DI scope) over the embedded adapters — the SQLite");
        md.AppendLine("online store and the promoted model loaded from the models bucket folder — answering `GET /v1/features/{group}/{id}`");
        md.AppendLine("for random customers, sellers and products, and `POST /v1/predict` for real orders (three online lookups in one");
        md.AppendLine("read, the vector, the trees). Beside it, in the same process and run, a bare Kestrel endpoint writes a constant.");
        md.AppendLine("One closed-loop load generator (keep-alive connections, next request when the answer is read) drives all three in");
        md.AppendLine("alternating rounds on the same machine, so load from elsewhere hits them alike; latency is send to last byte.");
        md.AppendLine("Targets: feature lookup p99 ≤ 2 ms and ≥ 50% of the bare endpoint's throughput; predict p99 ≤ 5 ms.");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Latest ({latest["recorded_at"]}, commit {machine["commit"]}): {machine["cpu"]}, {machine["logical_cores"]} logical cores, {machine["dotnet"]}, {settings["gc"]} GC, load average {machine["load_average"]}; {settings["connections"]} connections, {settings["rounds"]} rounds of {settings["seconds_per_round"]} s per target."));
        md.AppendLine();
        md.AppendLine("| endpoint | requests/s (median round) | p50 | p90 | p99 | p99.9 | allocated/request (process) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, label) in new[] { ("bare", "bare Kestrel, constant"), ("features", "GET /v1/features/{group}/{id}"), ("predict", "POST /v1/predict") })
        {
            var t = latest[name]!;
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {(double)t["requests_per_second"]!:N0} | {(double)t["p50_ms"]!:F3} ms | {(double)t["p90_ms"]!:F3} ms | **{(double)t["p99_ms"]!:F3} ms** | {(double)t["p999_ms"]!:F3} ms | {(double)t["allocated_bytes_per_request"]!:N0} B |"));
        }

        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Feature lookup throughput / bare: **{(double)latest["features_over_bare"]!:P0}**. Targets met: {((bool)latest["targets_met"]! ? "yes" : "no")}. Command: `{latest["command"]}`."));
        md.AppendLine("Allocation per request counts the whole process (server and load generator); the difference to the bare row is the serve path's.");
        md.AppendLine();
        md.AppendLine("### History");
        md.AppendLine();
        md.AppendLine("| recorded (UTC) | commit | bare req/s | features req/s | features p99 | features / bare | predict req/s | predict p99 | result |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (path, json) in runs)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {json["recorded_at"]} | {json["machine"]!["commit"]} | {(double)json["bare"]!["requests_per_second"]!:N0} | {(double)json["features"]!["requests_per_second"]!:N0} | {(double)json["features"]!["p99_ms"]!:F3} ms | {(double)json["features_over_bare"]!:P0} | {(double)json["predict"]!["requests_per_second"]!:N0} | {(double)json["predict"]!["p99_ms"]!:F3} ms | `bench/results/{Path.GetFileName(path)}` |"));
        }

        return md.ToString();
    }
}
