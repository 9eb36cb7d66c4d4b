using OpenTrace.Core.Gold;
using OpenTrace.Testing;

[assembly: AssemblyFixture(typeof(OpenTrace.Functions.Gold.Tests.Support.OlistGoldFixture))]

namespace OpenTrace.Functions.Gold.Tests.Support;

/// <summary>
/// Generated Olist data (small scale) merged into silver, and one gold run over it. Tests start from a copy of the
/// resulting warehouse file, so each may change it freely.
/// </summary>
public sealed class OlistGoldFixture : IAsyncLifetime
{
    /// <summary>Scale of the generated data: about 500 orders, enough for every KPI and fast to build.</summary>
    public const double Scale = 0.005;

    public const string FirstLineage = "11111111111111111111111111111111";

    private readonly TempDirectory _files = new("opentrace-gold-fixture");

    /// <summary>The generated CSV files.</summary>
    public string CsvDirectory => _files.Combine("csv");

    /// <summary>The warehouse after silver was loaded, before gold ran (closed; copy it).</summary>
    public string SilverOnlyWarehouse => _files.Combine("silver.duckdb");

    /// <summary>The warehouse after the first gold run (closed; copy it).</summary>
    public string BuiltWarehouse => _files.Combine("built.duckdb");

    /// <summary>When the silver rows were ingested (the fixture's "now").</summary>
    public DateTimeOffset IngestedAt { get; } = DateTimeOffset.UtcNow.AddHours(-1);

    /// <summary>The first gold run.</summary>
    public GoldRunResult FirstRun { get; private set; } = null!;

    /// <summary>Parquet exports of the first run: object name to local file copy.</summary>
    public IReadOnlyDictionary<string, string> Exports { get; private set; } = new Dictionary<string, string>();

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await SilverTables.GenerateAsync(CsvDirectory, Scale, cancellationToken);
        await using (var world = GoldWorld.Create())
        {
            await SilverTables.LoadAsync(world.Warehouse, CsvDirectory, FirstLineage, IngestedAt, cancellationToken);
            await world.Warehouse.DisposeAsync();
            File.Copy(Path.Combine(world.Home, "warehouse.duckdb"), SilverOnlyWarehouse);
        }

        await using (var world = GoldWorld.Create(warehouseFrom: SilverOnlyWarehouse))
        {
            FirstRun = await world.Runner().RunAsync(cancellationToken: cancellationToken);
            var exports = new Dictionary<string, string>(StringComparer.Ordinal);
            await foreach (var info in world.Objects.ListAsync(GoldWorld.LakeBucket, "gold/", cancellationToken))
            {
                var copy = _files.Combine("exports", info.Name.Replace('/', '_'));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                await using var source = await world.Objects.OpenReadAsync(info.Bucket, info.Name, cancellationToken: cancellationToken);
                await using var target = File.Create(copy);
                await source.CopyToAsync(target, cancellationToken);
                exports[info.Name] = copy;
            }

            Exports = exports;
            await world.Warehouse.DisposeAsync();
            File.Copy(Path.Combine(world.Home, "warehouse.duckdb"), BuiltWarehouse);
        }
    }

    public ValueTask DisposeAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }
}
