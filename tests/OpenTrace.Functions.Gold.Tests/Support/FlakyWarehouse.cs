using OpenTrace.Core.Warehouse;

namespace OpenTrace.Functions.Gold.Tests.Support;

/// <summary>A warehouse that fails like BigQuery under throttling for the statements <paramref name="failWhen"/> picks.</summary>
internal sealed class FlakyWarehouse(IWarehouse inner, Func<string, bool> failWhen) : IWarehouse
{
    public SqlDialect Dialect => inner.Dialect;

    public Task EnsureDatasetAsync(string dataset, CancellationToken cancellationToken = default) => inner.EnsureDatasetAsync(dataset, cancellationToken);

    public Task EnsureTableAsync(TableSchema schema, CancellationToken cancellationToken = default) => inner.EnsureTableAsync(schema, cancellationToken);

    public Task<TableSchema?> GetTableAsync(TableId table, CancellationToken cancellationToken = default) => inner.GetTableAsync(table, cancellationToken);

    public Task<LoadResult> LoadParquetAsync(LoadRequest request, CancellationToken cancellationToken = default) => inner.LoadParquetAsync(request, cancellationToken);

    public Task<StagedParquet> StageParquetAsync(StageRequest request, CancellationToken cancellationToken = default) => inner.StageParquetAsync(request, cancellationToken);

    public Task DropStagedAsync(TableId relation, CancellationToken cancellationToken = default) => inner.DropStagedAsync(relation, cancellationToken);

    public Task AppendRowsAsync(TableId table, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken cancellationToken = default) =>
        inner.AppendRowsAsync(table, rows, cancellationToken);

    public Task<long> ExecuteAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default) =>
        failWhen(sql)
            ? throw new WarehouseException("Exceeded rate limits: too many table update operations for this table.", reason: "rateLimitExceeded", transient: true)
            : inner.ExecuteAsync(sql, parameters, cancellationToken);

    public IAsyncEnumerable<WarehouseRow> QueryAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default) =>
        inner.QueryAsync(sql, parameters, cancellationToken);
}
