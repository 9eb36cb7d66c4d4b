using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Features;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Retrieval;
using OpenTrace.Core.Training;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded;
using OpenTrace.Embedded.Documents;
using OpenTrace.Embedded.Storage;
using OpenTrace.Embedded.Warehouse;
using OpenTrace.Functions.Gold.Tests.Support;
using OpenTrace.Functions.Serve;
using OpenTrace.Hosting;

namespace OpenTrace.Bench;

/// <summary>Options of the serve suite.</summary>
internal sealed record ServeArguments(string? Home, double Scale, int Connections, int Seconds, int Rounds)
{
    public static ServeArguments Parse(IEnumerable<string> args)
    {
        var list = args.ToList();
        string? home = null;
        double scale = 0.05;
        int connections = 8, seconds = 5, rounds = 3;
        for (var i = 0; i < list.Count; i += 2)
        {
            var value = i + 1 < list.Count ? list[i + 1] : throw new BenchException($"{list[i]} needs a value.");
            switch (list[i])
            {
                case "--home":
                    home = Path.GetFullPath(value);
                    break;
                case "--scale":
                    scale = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : throw new BenchException($"--scale must be a positive number, got '{value}'.");
                    break;
                case "--connections":
                    connections = Int(list[i], value);
                    break;
                case "--seconds":
                    seconds = Int(list[i], value);
                    break;
                case "--rounds":
                    rounds = Int(list[i], value);
                    break;
                default:
                    throw new BenchException($"Unknown option {list[i]}.");
            }
        }

        return new ServeArguments(home, scale, connections, seconds, rounds);
    }

    private static int Int(string option, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1
            ? n
            : throw new BenchException($"{option} must be a whole number of at least 1, got '{value}'.");
}

/// <summary>
/// The <c>serve</c> suite: the serve function (its real host, over the embedded adapters: SQLite online store, the
/// promoted model from the models bucket folder) answers <c>GET /v1/features/{group}/{id}</c> for random entities of
/// every group, <c>POST /v1/predict</c> for real orders and <c>POST /v1/qa</c> for the retrieval evaluation's
/// questions and a few the documents do not cover, and a bare Kestrel endpoint answers a constant, all under the same
/// closed-loop load generator in this process, in alternating rounds; <c>/v1/qa</c> also on one connection, where a
/// question's latency is not spent queueing behind the others. Before the rounds every question is asked once and its
/// answer checked: at least one citation, or the answer that the documents do not cover it. Targets: feature lookup
/// p99 ≤ 2 ms and ≥ 50% of the bare endpoint's throughput, predict p99 ≤ 5 ms, qa p50 on one connection ≤ 20 ms and
/// no answer failing the check.
/// </summary>
internal static class ServeSuite
{
    public const string Name = "serve";

    private const double LookupP99TargetMs = 2;
    private const double ThroughputTarget = 0.5;
    private const double PredictP99TargetMs = 5;
    private const double QaP50TargetMs = 20;
    private const string LakeBucket = "lake";
    private const string ModelsBucket = "models";
    private static readonly byte[] Constant = "{\"status\":\"ok\"}"u8.ToArray();

    public static async Task<int> RunAsync(ServeArguments args, TextWriter output)
    {
        var started = DateTimeOffset.UtcNow;
        var temp = args.Home is null ? Path.Combine(Path.GetTempPath(), $"opentrace-bench-serve-{Guid.NewGuid():N}") : null;
        var home = args.Home ?? temp!;
        try
        {
            if (args.Home is null)
            {
                await BuildHomeAsync(home, args.Scale, output);
            }

            var (lookups, orders) = await SamplesAsync(home);
            var questions = QaQuestions.Load();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{lookups.Count:N0} entities, {orders.Count:N0} orders and {questions.Count} questions ({questions.Count(q => !q.Covered)} outside the documents) to ask for; {args.Connections} connections, {args.Rounds} rounds of {args.Seconds} s per target."));

            await using var serve = await StartServeAsync(home);
            await using var bare = await StartBareAsync();
            using var serveLoad = new LoadGenerator(new Uri(serve.Urls.Single()), args.Connections);
            using var bareLoad = new LoadGenerator(new Uri(bare.Urls.Single()), args.Connections);
            var qaBodies = questions.Select(q => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["question"] = q.Question })).ToArray();
            var targets = new (string Name, LoadGenerator Load, int Connections, Func<int, HttpRequestMessage> Request)[]
            {
                ("bare", bareLoad, args.Connections, _ => new HttpRequestMessage(HttpMethod.Get, "/")),
                ("features", serveLoad, args.Connections, i => new HttpRequestMessage(HttpMethod.Get, lookups[i % lookups.Count])),
                ("predict", serveLoad, args.Connections, i => new HttpRequestMessage(HttpMethod.Post, "/v1/predict") { Content = Json(orders[i % orders.Count]) }),
                ("qa", serveLoad, args.Connections, i => new HttpRequestMessage(HttpMethod.Post, "/v1/qa") { Content = Json(qaBodies[i % qaBodies.Length]) }),
                ("qa_single_connection", serveLoad, 1, i => new HttpRequestMessage(HttpMethod.Post, "/v1/qa") { Content = Json(qaBodies[i % qaBodies.Length]) }),
            };

            var check = await QaQuestions.CheckAsync(new Uri(serve.Urls.Single()), questions);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"qa check: {check["questions"]} questions, {check["covered"]} answered with citations, {check["not_covered"]} said not covered, {check["violations"]} violations"));
            foreach (var (name, load, connections, request) in targets)
            {
                var warm = await load.RunAsync(request, connections, TimeSpan.FromSeconds(2));
                if (warm.Errors > 0)
                {
                    throw new BenchException($"{name}: {warm.Errors} of {warm.Requests} warm-up requests were not answered 200; is the home complete (features, a promoted model and an embeddings snapshot)?");
                }
            }

            var rounds = targets.ToDictionary(t => t.Name, _ => new List<LoadResult>());
            for (var round = 0; round < args.Rounds; round++)
            {
                foreach (var (name, load, connections, request) in targets)
                {
                    GC.Collect();
                    var result = await load.RunAsync(request, connections, TimeSpan.FromSeconds(args.Seconds));
                    rounds[name].Add(result);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {round + 1} {name,-20} {result.RequestsPerSecond,9:N0} req/s  p50 {Ms(Percentile(result.Latencies, 0.5)),6:F3} ms  p99 {Ms(Percentile(result.Latencies, 0.99)),6:F3} ms  errors {result.Errors}"));
                }
            }

            var json = Result(args, started, rounds, lookups.Count, orders.Count, check);
            var path = BenchResults.Write(Name, json);
            BenchResults.UpdateSection(Name, ServeSummary.Render);
            output.WriteLine();
            output.WriteLine(Summary(json));
            output.WriteLine($"Wrote {Path.GetRelativePath(BenchEnvironment.RepositoryRoot, path)}; updated BENCHMARKS.md.");
            return (bool)json["targets_met"]! ? 0 : 1;
        }
        finally
        {
            if (temp is not null)
            {
                try
                {
                    Directory.Delete(temp, recursive: true);
                }
                catch (IOException)
                {
                    // a leftover temporary folder is harmless
                }
            }
        }
    }

    /// <summary>A local home at <paramref name="scale"/>: generated data through silver and gold, features materialised, the model trained and promoted.</summary>
    private static async Task BuildHomeAsync(string home, double scale, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        var options = new EmbeddedOptions { Home = home, WarehouseMemoryLimit = "512MB" };
        var objects = new FolderObjectStore(options.BucketsPath);
        await using var warehouse = new DuckDbWarehouse(options.WarehousePath, objects, memoryLimit: options.WarehouseMemoryLimit);
        using var documents = new SqliteDocumentStore(options.DocumentStorePath);
        var csv = Path.Combine(home, "csv");
        await SilverTables.GenerateAsync(csv, scale, CancellationToken.None);
        await SilverTables.LoadAsync(warehouse, csv, "bench0000000000000000000000000000", DateTimeOffset.UtcNow, CancellationToken.None);
        var gold = GoldProject.Load(PipelinesPath);
        var ops = new OpsLog(warehouse);
        await new GoldRunner(gold, warehouse, objects, ops, new GoldOpsStore(warehouse), LakeBucket).RunAsync();
        var catalog = FeatureCatalog.Load(PipelinesPath, gold);
        var featureOps = new FeatureOpsStore(warehouse);
        var features = await new FeatureMaterializer(catalog, warehouse, objects, documents, ops, featureOps, LakeBucket).RunAsync();
        var registry = new ModelRegistry(documents, objects, ModelsBucket);
        var trained = await new TrainRunner(catalog, warehouse, registry, ops, featureOps).RunAsync();

        // The suite measures serving, not the model: on small generated data the trainer may keep a baseline ahead of
        // the model and promote nothing, so promote what it trained.
        foreach (var task in trained.Tasks.Where(t => !t.Card.Promoted))
        {
            await registry.PromoteAsync(task.Card);
        }

        // The embeddings snapshot /v1/qa searches, as the features function refreshes it: the curated documents and the review comments.
        var sources = RetrievalServiceCollectionExtensions.Sources(new RetrievalOptions(), new OpenTraceOptions { PipelinesPath = PipelinesPath }, warehouse);
        var embeddings = await new EmbeddingIndexer(objects, LakeBucket, new RetrievalOptions().Corpus, new HashingTextEmbedder(), sources).RunAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Built a home at scale {scale} in {clock.Elapsed.TotalSeconds:F1} s: {features.Message} {trained.Message} Embeddings: {embeddings.Chunks:N0} chunks."));
    }

    /// <summary>Feature lookup paths for entities of every group, and predict bodies for delivered orders.</summary>
    private static async Task<(List<string> Lookups, List<Dictionary<string, object?>> Orders)> SamplesAsync(string home)
    {
        var options = new EmbeddedOptions { Home = home };
        var objects = new FolderObjectStore(options.BucketsPath);
        await using var warehouse = new DuckDbWarehouse(options.WarehousePath, objects);
        var random = new Random(42);
        var lookups = new List<string>();
        foreach (var (group, column) in new[] { ("customer", "customer_unique_id"), ("seller", "seller_id"), ("product", "product_id") })
        {
            await foreach (var row in warehouse.QueryAsync($"SELECT DISTINCT {column} AS id FROM features.{group} ORDER BY 1 LIMIT 3000"))
            {
                lookups.Add($"/v1/features/{group}/{row.Get<string>("id")}");
            }
        }

        var gold = GoldProject.Load(PipelinesPath);
        var task = FeatureCatalog.Load(PipelinesPath, gold).Tasks.Single();
        var orders = await LabelledRequests.ReadAsync(warehouse, task, limit: 3000);
        return (lookups.OrderBy(_ => random.Next()).ToList(), orders.OrderBy(_ => random.Next()).ToList());
    }

    /// <summary>The serve function as Cloud Run hosts it, over the embedded adapters of <paramref name="home"/>.</summary>
    private static async Task<WebApplication> StartServeAsync(string home)
    {
        var app = FunctionsHost.Build(
            [$"--OpenTrace:LakeBucket={LakeBucket}", $"--OpenTrace:ModelsBucket={ModelsBucket}", $"--OpenTrace:PipelinesPath={PipelinesPath}"],
            new FunctionsHostOptions
            {
                FunctionType = typeof(ServeFunction),
                Address = IPAddress.Loopback,
                Port = 0,
                LogFormat = FunctionsLogFormat.Plain,
                ConfigureBuilder = builder =>
                {
                    builder.Services.AddEmbeddedAdapters(new EmbeddedOptions { Home = home });
                    builder.Logging.SetMinimumLevel(LogLevel.Warning);
                },
            });
        await app.StartAsync();
        return app;
    }

    /// <summary>The reference: Kestrel with one endpoint writing a constant, no routing beyond it, no logging.</summary>
    private static async Task<WebApplication> StartBareAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/", context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Constant.Length;
            return context.Response.Body.WriteAsync(Constant).AsTask();
        });
        await app.StartAsync();
        return app;
    }

    private static ByteArrayContent Json(Dictionary<string, object?> body) => Json(JsonSerializer.SerializeToUtf8Bytes(body));

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    private static JsonObject Result(ServeArguments args, DateTimeOffset started, Dictionary<string, List<LoadResult>> rounds, int entities, int orders, JsonObject qaCheck)
    {
        JsonObject Target(string name)
        {
            var results = rounds[name];
            var latencies = results.SelectMany(r => r.Latencies).ToArray();
            Array.Sort(latencies);
            return new JsonObject
            {
                ["requests_per_second"] = Math.Round(Median(results.Select(r => r.RequestsPerSecond)), 0),
                ["p50_ms"] = Math.Round(Ms(Sorted(latencies, 0.5)), 3),
                ["p90_ms"] = Math.Round(Ms(Sorted(latencies, 0.9)), 3),
                ["p99_ms"] = Math.Round(Ms(Sorted(latencies, 0.99)), 3),
                ["p999_ms"] = Math.Round(Ms(Sorted(latencies, 0.999)), 3),
                ["max_ms"] = Math.Round(Ms(latencies[^1]), 3),
                ["requests"] = results.Sum(r => r.Requests),
                ["errors"] = results.Sum(r => r.Errors),
                ["allocated_bytes_per_request"] = Math.Round(Median(results.Select(r => r.AllocatedPerRequest)), 0),
                ["rounds"] = new JsonArray(results.Select(r => (JsonNode)new JsonObject
                {
                    ["requests_per_second"] = Math.Round(r.RequestsPerSecond, 0),
                    ["p50_ms"] = Math.Round(Ms(Percentile(r.Latencies, 0.5)), 3),
                    ["p99_ms"] = Math.Round(Ms(Percentile(r.Latencies, 0.99)), 3),
                }).ToArray()),
            };
        }

        var bare = Target("bare");
        var features = Target("features");
        var predict = Target("predict");
        var qa = Target("qa");
        var qaSingle = Target("qa_single_connection");
        var ratio = Median(rounds["features"].Zip(rounds["bare"], (f, b) => f.RequestsPerSecond / b.RequestsPerSecond));
        var met = (double)features["p99_ms"]! <= LookupP99TargetMs && ratio >= ThroughputTarget && (double)predict["p99_ms"]! <= PredictP99TargetMs
            && (double)qaSingle["p50_ms"]! <= QaP50TargetMs && (int)qaCheck["violations"]! == 0
            && (long)features["errors"]! == 0 && (long)predict["errors"]! == 0 && (long)qa["errors"]! == 0 && (long)qaSingle["errors"]! == 0;
        return new JsonObject
        {
            ["suite"] = Name,
            ["recorded_at"] = started.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["command"] = $"dotnet run -c Release --project bench/OpenTrace.Bench -- serve {(args.Home is null ? string.Create(CultureInfo.InvariantCulture, $"--scale {args.Scale}") : "--home <home>")} --connections {args.Connections} --seconds {args.Seconds} --rounds {args.Rounds}",
            ["machine"] = JsonSerializer.SerializeToNode(BenchEnvironment.Machine()),
            ["runtime"] = SuiteRuntime.Current,
            ["settings"] = new JsonObject
            {
                ["connections"] = args.Connections,
                ["seconds_per_round"] = args.Seconds,
                ["rounds"] = args.Rounds,
                ["scale"] = args.Home is null ? args.Scale : null,
                ["entities"] = entities,
                ["orders"] = orders,
                ["questions"] = qaCheck["questions"]!.DeepClone(),
                ["gc"] = System.Runtime.GCSettings.IsServerGC ? "server" : "workstation",
            },
            ["bare"] = bare,
            ["features"] = features,
            ["predict"] = predict,
            ["qa"] = qa,
            ["qa_single_connection"] = qaSingle,
            ["qa_check"] = qaCheck,
            ["features_over_bare"] = Math.Round(ratio, 3),
            ["targets"] = $"feature lookup p99 <= {LookupP99TargetMs} ms and >= {ThroughputTarget:P0} of bare throughput; predict p99 <= {PredictP99TargetMs} ms; qa p50 on one connection <= {QaP50TargetMs} ms and every answer with a citation or saying the documents do not cover the question",
            ["targets_met"] = met,
        };
    }

    private static string Summary(JsonObject json)
    {
        var text = new StringBuilder();
        foreach (var name in new[] { "bare", "features", "predict", "qa", "qa_single_connection" })
        {
            var t = json[name]!;
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-20} {(double)t["requests_per_second"]!,9:N0} req/s  p50 {(double)t["p50_ms"]!:F3} ms  p99 {(double)t["p99_ms"]!:F3} ms  {(double)t["allocated_bytes_per_request"]!:N0} B/request"));
        }

        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"qa answers: {json["qa_check"]!["violations"]} of {json["qa_check"]!["questions"]} without a citation or a not-covered answer"));
        text.Append(string.Create(CultureInfo.InvariantCulture, $"features / bare throughput {(double)json["features_over_bare"]!:P0}; targets met: {((bool)json["targets_met"]! ? "yes" : "no")}"));
        return text.ToString();
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static long Percentile(long[] values, double p)
    {
        var sorted = (long[])values.Clone();
        Array.Sort(sorted);
        return Sorted(sorted, p);
    }

    private static long Sorted(long[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string PipelinesPath => BenchEnvironment.PipelinesPath;
}
