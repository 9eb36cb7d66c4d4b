using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenTrace.Bench;

/// <summary>The <c>## serve</c> section of BENCHMARKS.md, from every recorded serve result.</summary>
internal static class ServeSummary
{
    /// <summary>Renders the section from <paramref name="runs"/>, newest first (results from before the qa target have no qa figures).</summary>
    public static string Render(IReadOnlyList<(string Path, JsonObject Json)> runs)
    {
        var latest = runs[0].Json;
        var machine = latest["machine"]!.AsObject();
        var settings = latest["settings"]!.AsObject();
        var md = new StringBuilder();
        md.AppendLine("## serve");
        md.AppendLine();
        md.AppendLine("The serve function in its real host (routing, function invoker, DI scope) over the embedded adapters — the SQLite");
        md.AppendLine("online store, the promoted model loaded from the models bucket folder and the embeddings snapshot from the lake");
        md.AppendLine("bucket folder — answering `GET /v1/features/{group}/{id}` for random customers, sellers and products,");
        md.AppendLine("`POST /v1/predict` for real orders (three online lookups in one read, the vector, the trees) and `POST /v1/qa`");
        md.AppendLine("for the retrieval evaluation's questions (`tests/OpenTrace.Core.Tests/data/retrieval/eval.json`) and a few the");
        md.AppendLine("documents do not cover (embed the question, hybrid retrieval over the document chunks and review comments,");
        md.AppendLine("confidence, extractive answer with citations). Beside it, in the same process and run, a bare Kestrel endpoint");
        md.AppendLine("writes a constant. One closed-loop load generator (keep-alive connections, next request when the answer is read)");
        md.AppendLine("drives them all in alternating rounds on the same machine, so load from elsewhere hits them alike; latency is send");
        md.AppendLine("to last byte. `/v1/qa` also runs on one connection, where a question's latency is not spent queueing behind the");
        md.AppendLine("others. Before the rounds every question is asked once and its answer checked: at least one citation, or the");
        md.AppendLine("answer that the documents do not cover the question.");
        md.AppendLine("Targets: feature lookup p99 ≤ 2 ms and ≥ 50% of the bare endpoint's throughput; predict p99 ≤ 5 ms; qa p50 on");
        md.AppendLine("one connection ≤ 20 ms and no answer without a citation or a not-covered answer.");
        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Latest ({latest["recorded_at"]}, commit {machine["commit"]}): {machine["cpu"]}, {machine["logical_cores"]} logical cores, {machine["dotnet"]}, {settings["gc"]} GC, load average {machine["load_average"]}; {settings["connections"]} connections, {settings["rounds"]} rounds of {settings["seconds_per_round"]} s per target."));
        md.AppendLine();
        md.AppendLine("| endpoint | connections | requests/s (median round) | p50 | p90 | p99 | p99.9 | allocated/request (process) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        var targets = new[]
        {
            ("bare", "bare Kestrel, constant", settings["connections"]),
            ("features", "GET /v1/features/{group}/{id}", settings["connections"]),
            ("predict", "POST /v1/predict", settings["connections"]),
            ("qa", "POST /v1/qa", settings["connections"]),
            ("qa_single_connection", "POST /v1/qa", (JsonNode?)1),
        };
        foreach (var (name, label, connections) in targets)
        {
            if (latest[name] is not { } t)
            {
                continue;
            }

            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {connections} | {(double)t["requests_per_second"]!:N0} | {(double)t["p50_ms"]!:F3} ms | {(double)t["p90_ms"]!:F3} ms | **{(double)t["p99_ms"]!:F3} ms** | {(double)t["p999_ms"]!:F3} ms | {(double)t["allocated_bytes_per_request"]!:N0} B |"));
        }

        md.AppendLine();
        md.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Feature lookup throughput / bare: **{(double)latest["features_over_bare"]!:P0}**. Targets met: {((bool)latest["targets_met"]! ? "yes" : "no")}. Command: `{latest["command"]}`."));
        if (latest["qa_check"] is { } check)
        {
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"Answer check: of {check["questions"]} questions ({check["evaluation_questions"]} from the evaluation set, {check["outside_questions"]} outside the documents), {check["covered"]} were answered with citations and {check["not_covered"]} said the documents do not cover them ({check["outside_answered_covered"]} of the outside questions were answered as covered); **{check["violations"]} violations** (an answer with neither)."));
        }

        md.AppendLine("Allocation per request counts the whole process (server and load generator); the difference to the bare row is the serve path's.");
        md.AppendLine();
        md.AppendLine("### History");
        md.AppendLine();
        md.AppendLine("| recorded (UTC) | commit | bare req/s | features req/s | features p99 | features / bare | predict req/s | predict p99 | qa req/s | qa p50 (1 connection) | qa violations | result |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (path, json) in runs)
        {
            var qa = json["qa"] is { } q ? string.Create(CultureInfo.InvariantCulture, $"{(double)q["requests_per_second"]!:N0}") : "–";
            var qaSingle = json["qa_single_connection"] is { } one ? string.Create(CultureInfo.InvariantCulture, $"{(double)one["p50_ms"]!:F3} ms") : "–";
            var violations = json["qa_check"]?["violations"]?.ToString() ?? "–";
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {json["recorded_at"]} | {json["machine"]!["commit"]} | {(double)json["bare"]!["requests_per_second"]!:N0} | {(double)json["features"]!["requests_per_second"]!:N0} | {(double)json["features"]!["p99_ms"]!:F3} ms | {(double)json["features_over_bare"]!:P0} | {(double)json["predict"]!["requests_per_second"]!:N0} | {(double)json["predict"]!["p99_ms"]!:F3} ms | {qa} | {qaSingle} | {violations} | `bench/results/{Path.GetFileName(path)}` |"));
        }

        return md.ToString();
    }
}
