using OpenTrace.Core.Gold;
using OpenTrace.Core.Ops;
using OpenTrace.Embedded.Storage;
using OpenTrace.Embedded.Warehouse;
using OpenTrace.Functions.Gold.Tests.Support;
using OpenTrace.Testing;

[assembly: AssemblyFixture(typeof(OpenTrace.Functions.Features.Tests.Support.OlistFeatureFixture))]

namespace OpenTrace.Functions.Features.Tests.Support;

/// <summary>
/// Generated Olist data merged into silver and built into gold once per test assembly. Tests start from a copy of the
/// resulting warehouse file (<see cref="FeatureWorld.CreateAsync"/>), so each may change it freely.
/// </summary>
public sealed class OlistFeatureFixture : IAsyncLifetime
{
    /// <summary>Scale of the generated data: about 2,000 orders, enough for every group and for a model to learn.</summary>
    public const double Scale = 0.02;

    public const string Lineage = "22222222222222222222222222222222";

    private readonly TempDirectory _files = new("opentrace-features-fixture");

    /// <summary>The generated CSV files.</summary>
    public string CsvDirectory => _files.Combine("csv");

    /// <summary>The warehouse after silver and gold were built (closed; copy it).</summary>
    public string GoldWarehouse => _files.Combine("gold.duckdb");

    public async ValueTask InitializeAsync()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await SilverTables.GenerateAsync(CsvDirectory, Scale, cancellationToken);
        using var home = new TempDirectory("opentrace-features-build");
        var objects = new FolderObjectStore(home.Combine("buckets"));
        await using (var warehouse = new DuckDbWarehouse(home.Combine("warehouse.duckdb"), objects))
        {
            await SilverTables.LoadAsync(warehouse, CsvDirectory, Lineage, DateTimeOffset.UtcNow.AddHours(-1), cancellationToken);
            var gold = await new GoldRunner(GoldProject.Load(FeatureWorld.RepositoryPipelines), warehouse, objects, new OpsLog(warehouse), new GoldOpsStore(warehouse), FeatureWorld.LakeBucket)
                .RunAsync(cancellationToken: cancellationToken);
            if (gold.Status == RunStatus.Failed)
            {
                throw new InvalidOperationException("Gold failed on the generated data: " + gold.Message);
            }
        }

        File.Copy(home.Combine("warehouse.duckdb"), GoldWarehouse);
    }

    public ValueTask DisposeAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }
}
