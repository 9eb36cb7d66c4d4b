using OpenTrace.Core;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded.Storage;
using OpenTrace.Embedded.Warehouse;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Gold.Tests.Support;

/// <summary>
/// A local platform for gold: a temporary home with a folder lake bucket and a DuckDB warehouse, the repository's
/// model files (or a copy a test edits), and a runner over them.
/// </summary>
internal sealed class GoldWorld : IAsyncDisposable
{
    public const string LakeBucket = "lake";

    private readonly TempDirectory _home;

    private GoldWorld(TempDirectory home, string pipelines)
    {
        _home = home;
        Pipelines = pipelines;
        Objects = new FolderObjectStore(home.Combine("buckets"));
        Warehouse = new DuckDbWarehouse(home.Combine("warehouse.duckdb"), Objects);
        Ops = new OpsLog(Warehouse);
        GoldOps = new GoldOpsStore(Warehouse);
    }

    public string Home => _home.Path;

    public string Pipelines { get; }

    public FolderObjectStore Objects { get; }

    public DuckDbWarehouse Warehouse { get; }

    public OpsLog Ops { get; }

    public GoldOpsStore GoldOps { get; }

    /// <summary>The repository's pipelines folder.</summary>
    public static string RepositoryPipelines { get; } = FindRepositoryPipelines();

    /// <summary>A fresh world; with <paramref name="copyPipelines"/> the model files are a private copy the test may edit.</summary>
    public static GoldWorld Create(bool copyPipelines = false, string? warehouseFrom = null)
    {
        var home = new TempDirectory("opentrace-gold");
        var pipelines = RepositoryPipelines;
        if (copyPipelines)
        {
            pipelines = home.Combine("pipelines");
            CopyDirectory(RepositoryPipelines, pipelines);
        }

        if (warehouseFrom is not null)
        {
            File.Copy(warehouseFrom, home.Combine("warehouse.duckdb"));
        }

        return new GoldWorld(home, pipelines);
    }

    /// <summary>A runner over the current model files (loaded now, so an edit made before the call is seen).</summary>
    public GoldRunner Runner(TimeProvider? time = null) =>
        new(GoldProject.Load(Pipelines), Warehouse, Objects, Ops, GoldOps, LakeBucket, time);

    public string ModelFile(string model) => Path.Combine(Pipelines, "olist", "models", model + ".sql");

    public async Task<long> CountAsync(string sql, CancellationToken cancellationToken = default) =>
        await ScalarAsync<long>(sql, cancellationToken);

    public async Task<T?> ScalarAsync<T>(string sql, CancellationToken cancellationToken = default)
    {
        await foreach (var row in Warehouse.QueryAsync(sql, cancellationToken: cancellationToken))
        {
            return row.Get<T>(row.Columns[0]);
        }

        throw new InvalidOperationException("The query returned no row: " + sql);
    }

    public async Task<List<WarehouseRow>> RowsAsync(string sql, CancellationToken cancellationToken = default)
    {
        var rows = new List<WarehouseRow>();
        await foreach (var row in Warehouse.QueryAsync(sql, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        return rows;
    }

    /// <summary>A digest of a table's content (row count and an order-independent hash of every row).</summary>
    public async Task<string> DigestAsync(TableId table, CancellationToken cancellationToken = default)
    {
        var row = (await RowsAsync($"SELECT COUNT(*) AS n, COALESCE(SUM(hash(t)), 0) AS h FROM {table.Dataset}.{table.Table} AS t", cancellationToken)).Single();
        return $"{row["n"]}:{row["h"]}";
    }

    public async ValueTask DisposeAsync()
    {
        await Warehouse.DisposeAsync();
        _home.Dispose();
    }

    private static string FindRepositoryPipelines()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var pipelines = Path.Combine(dir.FullName, "pipelines");
            if (File.Exists(Path.Combine(dir.FullName, "OpenTrace.sln")) && Directory.Exists(pipelines))
            {
                return pipelines;
            }
        }

        // outside a checkout: the copy shipped beside the function
        return Path.Combine(AppContext.BaseDirectory, "pipelines");
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
