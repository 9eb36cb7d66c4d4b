using OpenTrace.Core;
using OpenTrace.Embedded.Warehouse;

namespace OpenTrace.Local.Runtime;

/// <summary>Read-only access to the local warehouse for <c>query</c> and <c>status</c>.</summary>
internal static class LocalWarehouse
{
    /// <summary>Opens <c>warehouse.duckdb</c> read-only; a clear error when nothing was ingested yet.</summary>
    public static async Task<DuckDbWarehouse> OpenReadOnlyAsync(LocalHome home, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(home.WarehousePath))
        {
            throw new OpenTraceException($"There is no warehouse in {home.Path} yet. Run 'opentrace demo' or 'opentrace ingest <file>' first (or pass --home).");
        }

        return await DuckDbWarehouse.OpenReadOnlyAsync(home.WarehousePath, cancellationToken);
    }
}
