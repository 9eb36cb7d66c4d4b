namespace OpenTrace.Core.Warehouse;

/// <summary>
/// The analytical warehouse: BigQuery in the cloud, a DuckDB file locally. Datasets are BigQuery datasets or
/// DuckDB schemas. SQL passed in is written in the adapter's <see cref="Dialect"/>; named parameters are written
/// <c>@name</c> in both dialects.
/// </summary>
public interface IWarehouse
{
    /// <summary>The SQL dialect this warehouse speaks.</summary>
    SqlDialect Dialect { get; }

    /// <summary>Creates the dataset (schema) when it does not exist.</summary>
    Task EnsureDatasetAsync(string dataset, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates the table when it does not exist (with its partitioning and clustering), otherwise adds the columns it
    /// lacks. Never drops or retypes a column.
    /// </summary>
    Task EnsureTableAsync(TableSchema schema, CancellationToken cancellationToken = default);

    /// <summary>Returns the table's schema, or null when the table does not exist.</summary>
    Task<TableSchema?> GetTableAsync(TableId table, CancellationToken cancellationToken = default);

    /// <summary>
    /// Loads Parquet objects into a table. <see cref="LoadRequest.JobId"/> makes the load idempotent: a job id that
    /// already ran loads nothing and returns <see cref="LoadResult.AlreadyDone"/>.
    /// </summary>
    Task<LoadResult> LoadParquetAsync(LoadRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Makes Parquet objects readable by SQL as <see cref="StageRequest.Relation"/>, with the columns and types of
    /// <see cref="StageRequest.Schema"/> (a column the files lack reads as NULL), for the statements that follow: a
    /// MERGE or an INSERT ... SELECT that reads the files once. DuckDB defines a view over the files, so nothing is
    /// copied; BigQuery loads them into a scratch table with load job <see cref="StageRequest.JobId"/>. Staging under
    /// the same name again replaces what was there. Release it with <see cref="DropStagedAsync"/>.
    /// </summary>
    Task<StagedParquet> StageParquetAsync(StageRequest request, CancellationToken cancellationToken = default);

    /// <summary>Drops what <see cref="StageParquetAsync"/> made under <paramref name="relation"/>; does nothing when it is gone.</summary>
    Task DropStagedAsync(TableId relation, CancellationToken cancellationToken = default);

    /// <summary>Appends a small number of rows (operational records). Column names are keys; missing keys are NULL.</summary>
    Task AppendRowsAsync(TableId table, IReadOnlyList<IReadOnlyDictionary<string, object?>> rows, CancellationToken cancellationToken = default);

    /// <summary>Runs a statement (DDL, DML, MERGE) and returns the number of rows it affected (0 when unknown).</summary>
    Task<long> ExecuteAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default);

    /// <summary>Runs a query and streams its rows.</summary>
    IAsyncEnumerable<WarehouseRow> QueryAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default);
}

/// <summary>SQL dialects the platform renders.</summary>
public enum SqlDialect
{
    /// <summary>GoogleSQL as BigQuery runs it.</summary>
    BigQuery,

    /// <summary>DuckDB's SQL.</summary>
    DuckDb,
}

/// <summary>A table in a dataset (schema).</summary>
/// <param name="Dataset">Dataset (schema) name, for example <c>bronze</c>.</param>
/// <param name="Table">Table name, for example <c>olist__orders</c>.</param>
public sealed record TableId(string Dataset, string Table)
{
    /// <inheritdoc />
    public override string ToString() => $"{Dataset}.{Table}";
}

/// <summary>Column types shared by both warehouses.</summary>
public enum ColumnType
{
    /// <summary>UTF-8 text.</summary>
    String,

    /// <summary>64-bit signed integer.</summary>
    Int64,

    /// <summary>IEEE double.</summary>
    Float64,

    /// <summary>Exact decimal with <see cref="ColumnSchema.Precision"/> and <see cref="ColumnSchema.Scale"/>.</summary>
    Decimal,

    /// <summary>Boolean.</summary>
    Bool,

    /// <summary>Calendar date.</summary>
    Date,

    /// <summary>Instant in UTC (BigQuery TIMESTAMP; DuckDB TIMESTAMP holding UTC).</summary>
    Timestamp,

    /// <summary>Raw bytes.</summary>
    Bytes,

    /// <summary>JSON text (BigQuery JSON; DuckDB JSON).</summary>
    Json,
}

/// <summary>One column of a table.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Type">Column type.</param>
/// <param name="Nullable">False for REQUIRED columns.</param>
/// <param name="Repeated">True for an array of <paramref name="Type"/> (BigQuery REPEATED, DuckDB list).</param>
/// <param name="Precision">Decimal precision, or null for other types.</param>
/// <param name="Scale">Decimal scale, or null for other types.</param>
/// <param name="Description">Column description, or null.</param>
public sealed record ColumnSchema(
    string Name,
    ColumnType Type,
    bool Nullable = true,
    bool Repeated = false,
    int? Precision = null,
    int? Scale = null,
    string? Description = null);

/// <summary>A table definition.</summary>
/// <param name="Id">Where the table lives.</param>
/// <param name="Columns">Columns in order.</param>
/// <param name="PartitionBy">Column whose day partitions the table (a DATE or TIMESTAMP column), or null.</param>
/// <param name="ClusterBy">Up to four clustering columns; empty for none.</param>
/// <param name="Description">Table description, or null.</param>
public sealed record TableSchema(
    TableId Id,
    IReadOnlyList<ColumnSchema> Columns,
    string? PartitionBy = null,
    IReadOnlyList<string>? ClusterBy = null,
    string? Description = null)
{
    /// <summary>Finds a column by name (case-insensitive, as both warehouses treat names), or null.</summary>
    public ColumnSchema? Find(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>How a load treats rows already in the table.</summary>
public enum WriteMode
{
    /// <summary>Add rows.</summary>
    Append,

    /// <summary>Replace the table's rows.</summary>
    Truncate,
}

/// <summary>A Parquet load into a table.</summary>
/// <param name="Destination">Target table; created from <paramref name="Schema"/> when absent.</param>
/// <param name="Sources">Parquet objects to load, in order.</param>
/// <param name="JobId">Deterministic id derived from the input, so a duplicate load is refused.</param>
/// <param name="Schema">The schema the table must have (columns the table lacks are added).</param>
/// <param name="Mode">Append (default) or truncate.</param>
/// <param name="SourcesImmutable">
/// True when the source objects are never rewritten or deleted while the table needs them (an append-only layer's
/// files, written create-only): the warehouse may then read them where they are instead of copying their rows. The
/// DuckDB warehouse does, for a table that is not already a copied one (the table is a view over hard links to the
/// files, kept beside the database); BigQuery loads them as always.
/// </param>
public sealed record LoadRequest(
    TableId Destination,
    IReadOnlyList<Storage.ObjectRef> Sources,
    string JobId,
    TableSchema Schema,
    WriteMode Mode = WriteMode.Append,
    bool SourcesImmutable = false);

/// <summary>Parquet objects to expose as a relation for the statements that follow.</summary>
/// <param name="Relation">The name SQL reads them under (a scratch name derived from the input, e.g. in <c>ops</c>).</param>
/// <param name="Sources">Parquet objects, in order.</param>
/// <param name="JobId">Deterministic id of the load job, where the warehouse copies the files (BigQuery).</param>
/// <param name="Schema">The columns and types the relation has.</param>
public sealed record StageRequest(
    TableId Relation,
    IReadOnlyList<Storage.ObjectRef> Sources,
    string JobId,
    TableSchema Schema);

/// <summary>Staged Parquet objects.</summary>
/// <param name="Relation">The name to read them under.</param>
/// <param name="Rows">Rows in the files, as the warehouse counts them.</param>
public sealed record StagedParquet(TableId Relation, long Rows);

/// <summary>Outcome of a load.</summary>
/// <param name="JobId">The job id used.</param>
/// <param name="RowsLoaded">Rows written by this call (0 when <paramref name="AlreadyDone"/>).</param>
/// <param name="AlreadyDone">True when a job with the same id had already run; nothing was loaded twice.</param>
public sealed record LoadResult(string JobId, long RowsLoaded, bool AlreadyDone);

/// <summary>One row of a query result.</summary>
public sealed class WarehouseRow
{
    private readonly IReadOnlyList<string> _columns;
    private readonly object?[] _values;

    /// <summary>Creates a row over column names and values of the same length.</summary>
    public WarehouseRow(IReadOnlyList<string> columns, object?[] values)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(values);
        if (columns.Count != values.Length)
        {
            throw new ArgumentException($"Row has {values.Length} values for {columns.Count} columns.", nameof(values));
        }

        _columns = columns;
        _values = values;
    }

    /// <summary>Column names in result order.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>Values in result order; DBNull is mapped to null.</summary>
    public IReadOnlyList<object?> Values => _values;

    /// <summary>Value by position.</summary>
    public object? this[int index] => _values[index];

    /// <summary>Value by column name (case-insensitive). Throws <see cref="KeyNotFoundException"/> for an unknown column.</summary>
    public object? this[string column]
    {
        get
        {
            for (var i = 0; i < _columns.Count; i++)
            {
                if (string.Equals(_columns[i], column, StringComparison.OrdinalIgnoreCase))
                {
                    return _values[i];
                }
            }

            throw new KeyNotFoundException($"The result has no column '{column}'. Columns: {string.Join(", ", _columns)}.");
        }
    }

    /// <summary>Value by name converted to <typeparamref name="T"/> (numeric widening, invariant culture); default when null.</summary>
    public T? Get<T>(string column) => ValueConversion.To<T>(this[column]);
}

/// <summary>Thrown by warehouse adapters with the engine's reason (and location when the engine gives one).</summary>
public sealed class WarehouseException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WarehouseException(string message, string? reason = null, string? location = null, bool transient = false, Exception? inner = null)
        : base(message, inner)
    {
        Reason = reason;
        Location = location;
        IsTransient = transient;
    }

    /// <summary>The engine's reason code (BigQuery's <c>reason</c>), or null.</summary>
    public string? Reason { get; }

    /// <summary>Where the error is (BigQuery's <c>location</c>: a file, column or query position), or null.</summary>
    public string? Location { get; }

    /// <summary>True when retrying later may succeed (throttling, backend errors).</summary>
    public bool IsTransient { get; }
}
