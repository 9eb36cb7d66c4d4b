using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DuckDB.NET.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTrace.Core;
using OpenTrace.Core.Bronze;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Silver;
using OpenTrace.Core.Storage;
using OpenTrace.Embedded;
using OpenTrace.Embedded.Storage;

namespace OpenTrace.Bench;

/// <summary>One measured side of a suite, run in a process of its own so that its peak memory is its own.</summary>
internal static class Sides
{
    /// <summary>The local warehouse's DuckDB memory limit during the bench: the one <c>opentrace ingest</c> runs with.</summary>
    public const string WarehouseMemoryLimit = EmbeddedOptions.LoadMemoryLimit;

    /// <summary>The file name the CSV is dropped under: routed to olist/orders by the contract's match glob.</summary>
    public const string DroppedName = "olist_orders_dataset.csv";

    /// <summary><c>side &lt;csharp|duckdb&gt; &lt;input csv&gt; &lt;work folder&gt;</c>; prints one JSON object.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 3)
        {
            throw new BenchException("usage: side <csharp|duckdb> <input.csv> <work folder>");
        }

        var measurement = args[0] switch
        {
            "csharp" => await CSharpAsync(args[1], args[2], warm: false),
            "csharp-warm" => await CSharpAsync(args[1], args[2], warm: true),
            "duckdb" => DuckDb(args[1], args[2]),
            _ => throw new BenchException($"Unknown side '{args[0]}'."),
        };
        measurement["peak_rss_bytes"] = BenchEnvironment.PeakRssBytes();
        Console.WriteLine(JsonSerializer.Serialize(measurement));
        return 0;
    }

    /// <summary>Rows of the input dropped first as a file of their own by the warm side.</summary>
    public const int WarmUpRows = 1_000;

    /// <summary>
    /// The platform: drop the file in the bronze bucket, then bronze and silver exactly as the functions run them. Cold:
    /// the first file of a fresh process (its time includes JIT compilation and opening the stores, as a function's
    /// cold start does). Warm: the process first ingests the input's first <see cref="WarmUpRows"/> rows as another
    /// file, untimed, as an instance that has handled a file before — the state the DuckDB side is measured in, with its
    /// database open and the CSV read once.
    /// </summary>
    private static async Task<Dictionary<string, object?>> CSharpAsync(string input, string work, bool warm)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["OpenTrace:BronzeBucket"] = "bronze",
            ["OpenTrace:LakeBucket"] = "lake",
            ["OpenTrace:PipelinesPath"] = BenchEnvironment.PipelinesPath,
            ["OpenTrace:PiiKey"] = "bench-key-not-a-secret-0123456789",
        }).Build();
        await using var services = new ServiceCollection()
            .AddLogging(logging => logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning))
            .AddEmbeddedAdapters(new EmbeddedOptions { Home = Path.Combine(work, "home"), WarehouseMemoryLimit = WarehouseMemoryLimit, WarehouseThreads = EmbeddedOptions.LoadThreads })
            .AddOpenTraceCore(configuration)
            .BuildServiceProvider();
        var store = services.GetRequiredService<IObjectStore>();
        if (warm)
        {
            var head = string.Join('\n', File.ReadLines(input).Take(WarmUpRows + 1)) + "\n";
            var first = await store.UploadAsync("bronze", "warm-up/" + DroppedName, new MemoryStream(System.Text.Encoding.UTF8.GetBytes(head)));
            await IngestAsync(services, first);
        }

        ObjectInfo dropped;
        await using (var file = File.OpenRead(input))
        {
            dropped = await store.UploadAsync("bronze", DroppedName, file);
        }

        var run = await IngestAsync(services, dropped);
        return new Dictionary<string, object?>
        {
            ["side"] = warm ? "csharp-warm" : "csharp",
            ["rows"] = run.Bronze.RowsRead,
            ["seconds"] = run.Seconds,
            ["bronze_seconds"] = run.BronzeSeconds,
            ["silver_seconds"] = run.SilverSeconds,
            ["published"] = run.Silver.Counts!.Published,
            ["quarantined"] = run.Silver.Counts.Quarantined,
            ["duplicates"] = run.Silver.Counts.Duplicates,
            ["input_bytes"] = dropped.Size,
        };
    }

    /// <summary>
    /// Bronze, then silver on the bronze Parquet object. As the platform runs: the finalize of that object triggers
    /// silver at once, while bronze is still finishing (its table load and run record); the local runtime turns the same
    /// notification into the CloudEvent.
    /// </summary>
    private static async Task<(BronzeResult Bronze, SilverResult Silver, double Seconds, double BronzeSeconds, double SilverSeconds)> IngestAsync(ServiceProvider services, ObjectInfo dropped)
    {
        var lake = services.GetRequiredService<FolderObjectStore>();
        var clock = Stopwatch.StartNew();
        Task<(SilverResult Result, double Seconds)>? silverRun = null;
        void OnFinalized(object? sender, ObjectFinalizedEventArgs e)
        {
            if (e.Object.Bucket == "lake" && LakePaths.ParseBronze(e.Object.Name) is not null)
            {
                silverRun = Task.Run(async () =>
                {
                    var started = clock.Elapsed.TotalSeconds;
                    var result = await services.GetRequiredService<SilverProcessor>().ProcessAsync(new SilverRequest(e.Object.Bucket, e.Object.Name, e.Object.Generation));
                    return (result, clock.Elapsed.TotalSeconds - started);
                });
            }
        }

        lake.ObjectFinalized += OnFinalized;
        try
        {
            var bronze = await services.GetRequiredService<BronzeIngestor>().IngestAsync(new BronzeRequest(dropped.Bucket, dropped.Name, dropped.Generation));
            var bronzeSeconds = clock.Elapsed.TotalSeconds;
            if (bronze.Status != RunStatus.Succeeded || silverRun is null)
            {
                throw new BenchException($"bronze did not ingest {dropped.Name}: {bronze.Status} {bronze.Message}");
            }

            var (silver, silverSeconds) = await silverRun;
            var total = clock.Elapsed.TotalSeconds;
            if (silver.Status != RunStatus.Succeeded)
            {
                throw new BenchException($"silver did not publish {dropped.Name}: {silver.Status} {silver.Message}");
            }

            return (bronze, silver, total, bronzeSeconds, silverSeconds);
        }
        finally
        {
            lake.ObjectFinalized -= OnFinalized;
        }
    }

    /// <summary>
    /// DuckDB doing the same cleaning from CSV to Parquet in one statement: text read as text, trimmed, empty as
    /// NULL, status lower-cased, timestamps parsed as Brazil wall time into UTC instants, latest row per order id.
    /// </summary>
    private static Dictionary<string, object?> DuckDb(string input, string work)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        var output = Path.Combine(work, "orders.parquet");
        string Timestamp(string column) =>
            $"timezone('America/Sao_Paulo', try_strptime(nullif(trim({column}), ''), '%Y-%m-%d %H:%M:%S')) AS {column}";
        var sql = $"""
            COPY (
              SELECT * EXCLUDE (rn) FROM (
                SELECT
                  nullif(trim(order_id), '') AS order_id,
                  nullif(trim(customer_id), '') AS customer_id,
                  nullif(lower(trim(order_status)), '') AS order_status,
                  {Timestamp("order_purchase_timestamp")},
                  {Timestamp("order_approved_at")},
                  {Timestamp("order_delivered_carrier_date")},
                  {Timestamp("order_delivered_customer_date")},
                  {Timestamp("order_estimated_delivery_date")},
                  row_number() OVER () AS rn
                FROM read_csv('{input.Replace("'", "''", StringComparison.Ordinal)}', header = true, all_varchar = true)
              )
              QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY rn DESC) = 1
            ) TO '{output.Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet, COMPRESSION zstd)
            """;
        string version;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT version()";
            version = (string)command.ExecuteScalar()!;
        }

        long rows;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT count(*) FROM read_csv('" + input.Replace("'", "''", StringComparison.Ordinal) + "', header = true, all_varchar = true)";
            rows = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        var clock = Stopwatch.StartNew();
        long written;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = sql;
            written = command.ExecuteNonQuery();
        }

        return new Dictionary<string, object?>
        {
            ["side"] = "duckdb",
            ["rows"] = rows,
            ["seconds"] = clock.Elapsed.TotalSeconds,
            ["published"] = written,
            ["duckdb_version"] = version,
            ["threads"] = Environment.ProcessorCount,
        };
    }
}
