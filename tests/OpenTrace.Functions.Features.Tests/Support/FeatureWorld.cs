using OpenTrace.Core.Features;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Serving;
using OpenTrace.Core.Training;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded.Documents;
using OpenTrace.Embedded.Storage;
using OpenTrace.Embedded.Warehouse;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Features.Tests.Support;

/// <summary>
/// A local platform for the feature store: a temporary home with folder buckets, a DuckDB warehouse copied from the
/// fixture's gold build, a SQLite document store, the repository's feature files (or a copy a test edits) and a clock
/// the test controls.
/// </summary>
public sealed class FeatureWorld : IAsyncDisposable
{
    public const string LakeBucket = "lake";
    public const string ModelsBucket = "models";

    private readonly TempDirectory _home;

    private FeatureWorld(TempDirectory home, string pipelines, ManualTimeProvider time)
    {
        _home = home;
        Pipelines = pipelines;
        Time = time;
        Objects = new FolderObjectStore(home.Combine("buckets"));
        Warehouse = new DuckDbWarehouse(home.Combine("warehouse.duckdb"), Objects);
        Documents = new SqliteDocumentStore(home.Combine("online.sqlite"), time);
        Ops = new OpsLog(Warehouse);
        FeatureOps = new FeatureOpsStore(Warehouse);
    }

    /// <summary>The repository's pipelines folder.</summary>
    public static string RepositoryPipelines { get; } = FindRepositoryPipelines();

    public string Home => _home.Path;

    public string Pipelines { get; }

    /// <summary>The clock of the materialiser, the online store and the document store; starts an hour from now.</summary>
    public ManualTimeProvider Time { get; }

    public FolderObjectStore Objects { get; }

    public DuckDbWarehouse Warehouse { get; }

    public SqliteDocumentStore Documents { get; }

    public OpsLog Ops { get; }

    public FeatureOpsStore FeatureOps { get; }

    /// <summary>
    /// A world over a copy of <paramref name="warehouse"/>; with <paramref name="copyPipelines"/> the feature files are a
    /// private copy. The clock starts at <paramref name="now"/> (default: an hour from now).
    /// </summary>
    public static FeatureWorld Create(string? warehouse, bool copyPipelines = false, DateTimeOffset? now = null)
    {
        var home = new TempDirectory("opentrace-features");
        var pipelines = RepositoryPipelines;
        if (copyPipelines)
        {
            pipelines = home.Combine("pipelines");
            foreach (var file in Directory.EnumerateFiles(RepositoryPipelines, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(pipelines, Path.GetRelativePath(RepositoryPipelines, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }

        if (warehouse is not null)
        {
            File.Copy(warehouse, home.Combine("warehouse.duckdb"));
        }

        return new FeatureWorld(home, pipelines, new ManualTimeProvider(now ?? DateTimeOffset.UtcNow.AddHours(1)));
    }

    /// <summary>The feature files (loaded now, so an edit made before the call is seen), checked against the gold models.</summary>
    public FeatureCatalog Catalog() => FeatureCatalog.Load(Pipelines, GoldProject.Load(Pipelines));

    public FeatureMaterializer Materializer(FeatureMaterializerOptions? options = null, FeatureCatalog? catalog = null) =>
        new(catalog ?? Catalog(), Warehouse, Objects, Documents, Ops, FeatureOps, LakeBucket, Time, options: options);

    public OnlineFeatureStore Online() => new(Documents, Time);

    public ModelRegistry Registry() => new(Documents, Objects, ModelsBucket, Time);

    public TrainRunner Trainer(FeatureCatalog? catalog = null) => new(catalog ?? Catalog(), Warehouse, Registry(), Ops, FeatureOps, Time);

    public PromotedModelSource Models(FeatureCatalog catalog, TimeSpan? refresh = null) => new(Registry(), catalog, refresh ?? TimeSpan.FromSeconds(30), Time);

    /// <summary>A feature file of the world's pipelines.</summary>
    public string FeatureFile(string name) => Path.Combine(Pipelines, "olist", "features", name + ".yaml");

    /// <summary>Replaces text in a feature file (the world must own a copy of the pipelines).</summary>
    public async Task EditFeatureFileAsync(string name, string find, string replace, CancellationToken cancellationToken = default)
    {
        var file = FeatureFile(name);
        var text = await File.ReadAllTextAsync(file, cancellationToken);
        if (!text.Contains(find, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"'{find}' is not in {file}.");
        }

        await File.WriteAllTextAsync(file, text.Replace(find, replace, StringComparison.Ordinal), cancellationToken);
    }

    /// <summary>Rebuilds the gold models the feature files read after a test changed silver.</summary>
    public async Task RebuildGoldAsync(CancellationToken cancellationToken = default)
    {
        var request = new GoldRunRequest { Select = "+fct_orders,+fct_order_items,+fct_reviews,+dim_products,+dim_customers,+dim_sellers" };
        var gold = await new GoldRunner(GoldProject.Load(Pipelines), Warehouse, Objects, Ops, new GoldOpsStore(Warehouse), LakeBucket).RunAsync(request, cancellationToken: cancellationToken);
        if (gold.Status == RunStatus.Failed)
        {
            throw new InvalidOperationException("Gold failed: " + gold.Message + " " + string.Join("; ", gold.Models.Where(m => m.Status != GoldModelStatus.Published && m.Status != GoldModelStatus.UpToDate).Select(m => $"{m.Model}: {m.Message ?? m.Reason}")));
        }
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

    public async Task<T?> ScalarAsync<T>(string sql, CancellationToken cancellationToken = default)
    {
        var rows = await RowsAsync(sql, cancellationToken);
        return rows.Count == 0 ? throw new InvalidOperationException("The query returned no row: " + sql) : rows[0].Get<T>(rows[0].Columns[0]);
    }

    public async ValueTask DisposeAsync()
    {
        await Warehouse.DisposeAsync();
        Documents.Dispose();
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

        return Path.Combine(AppContext.BaseDirectory, "pipelines");
    }
}
