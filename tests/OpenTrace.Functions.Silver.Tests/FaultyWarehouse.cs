using OpenTrace.Core.Warehouse;

namespace OpenTrace.Functions.Silver.Tests;

/// <summary>
/// The real warehouse with injected faults: a statement, load, staging or drop that matches a predicate throws once,
/// as if the process died at that point; a load's or staging's reported row count can be altered to break
/// reconciliation.
/// </summary>
internal sealed class FaultyWarehouse(IWarehouse inner) : IWarehouse
{
    /// <summary>Statements for which this returns true throw <see cref="InjectedCrashException"/> once, before running.</summary>
    public Func<string, bool>? CrashBeforeStatement { get; set; }

    /// <summary>Loads for which this returns true throw once, before running.</summary>
    public Func<LoadRequest, bool>? CrashBeforeLoad { get; set; }

    /// <summary>Rewrites what a load reports (the rows are loaded as they are).</summary>
    public Func<LoadRequest, LoadResult, LoadResult>? AlterLoad { get; set; }

    /// <summary>Staging requests for which this returns true throw once, before anything is staged.</summary>
    public Func<StageRequest, bool>? CrashBeforeStage { get; set; }

    /// <summary>Rewrites what staging reports (the files are staged as they are).</summary>
    public Func<StageRequest, StagedParquet, StagedParquet>? AlterStage { get; set; }

    /// <summary>Drops of a staged relation for which this returns true throw once, before the drop.</summary>
    public Func<TableId, bool>? CrashBeforeDropStaged { get; set; }

    public int Crashes { get; private set; }

    public SqlDialect Dialect => inner.Dialect;

    public Task EnsureDatasetAsync(string dataset, CancellationToken cancellationToken = default) => inner.EnsureDatasetAsync(dataset, cancellationToken);

    public Task EnsureTableAsync(TableSchema schema, CancellationToken cancellationToken = default) => inner.EnsureTableAsync(schema, cancellationToken);

    public Task<TableSchema?> GetTableAsync(TableId table, CancellationToken cancellationToken = default) => inner.GetTableAsync(table, cancellationToken);

    public async Task<LoadResult> LoadParquetAsync(LoadRequest request, CancellationToken cancellationToken = default)
    {
        if (CrashBeforeLoad?.Invoke(request) == true)
        {
            CrashBeforeLoad = null;
            Crashes++;
            throw new InjectedCrashException($"crash before loading {request.Destination}");
        }

        var result = await inner.LoadParquetAsync(request, cancellationToken);
        return AlterLoad is null ? result : AlterLoad(request, result);
    }

    public async Task<StagedParquet> StageParquetAsync(StageRequest request, CancellationToken cancellationToken = default)
    {
        if (CrashBeforeStage?.Invoke(request) == true)
        {
            CrashBeforeStage = null;
            Crashes++;
            throw new InjectedCrashException($"crash before staging {request.Relation}");
        }

        var result = await inner.StageParquetAsync(request, cancellationToken);
        return AlterStage is null ? result : AlterStage(request, result);
    }

    public Task DropStagedAsync(TableId relation, CancellationToken cancellationToken = default)
    {
        if (CrashBeforeDropStaged?.Invoke(relation) == true)
        {
            CrashBeforeDropStaged = null;
            Crashes++;
            throw new InjectedCrashException($"crash before dropping {relation}");
        }

        return inner.DropStagedAsync(relation, cancellationToken);
    }

    public Task AppendRowsAsync(TableId table, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken cancellationToken = default) =>
        inner.AppendRowsAsync(table, rows, cancellationToken);

    public Task<long> ExecuteAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default)
    {
        if (CrashBeforeStatement?.Invoke(sql) == true)
        {
            CrashBeforeStatement = null;
            Crashes++;
            throw new InjectedCrashException($"crash before: {sql.Split('\n')[0]}");
        }

        return inner.ExecuteAsync(sql, parameters, cancellationToken);
    }

    public IAsyncEnumerable<WarehouseRow> QueryAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default) =>
        inner.QueryAsync(sql, parameters, cancellationToken);
}

/// <summary>The injected fault.</summary>
internal sealed class InjectedCrashException(string message) : Exception(message);
