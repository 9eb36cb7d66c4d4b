using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded.Storage;
using OpenTrace.Embedded.Warehouse;
using OpenTrace.Testing;

namespace OpenTrace.Embedded.Tests.Warehouse;

/// <summary>A fresh home with a folder object store and a DuckDB warehouse over it.</summary>
public abstract class WarehouseTestBase : IAsyncLifetime
{
    protected const string Lake = "lake";

    protected WarehouseTestBase()
    {
        Objects = new FolderObjectStore(Home.Combine("buckets"));
        Warehouse = new DuckDbWarehouse(Home.Combine("warehouse.duckdb"), Objects);
    }

    protected TempDirectory Home { get; } = new("opentrace-warehouse");

    protected FolderObjectStore Objects { get; }

    protected DuckDbWarehouse Warehouse { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await Warehouse.DisposeAsync();
        Home.Dispose();
        GC.SuppressFinalize(this);
    }

    protected Task<ObjectInfo> PutAsync(string name, byte[] content) =>
        Objects.UploadAsync(Lake, name, new MemoryStream(content), cancellationToken: Ct);

    protected async Task<List<WarehouseRow>> QueryAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        var rows = new List<WarehouseRow>();
        await foreach (var row in Warehouse.QueryAsync(sql, parameters, Ct))
        {
            rows.Add(row);
        }

        return rows;
    }

    protected async Task<long> CountAsync(string table) => (long)(await QueryAsync($"SELECT count(*) AS n FROM {table}")).Single()["n"]!;
}
