using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Gold;

/// <summary>How a model is written to the warehouse.</summary>
public enum Materialization
{
    /// <summary>Rebuilt whole on every change and swapped in.</summary>
    Table,

    /// <summary>Only the partitions the changed input rows touch are rebuilt and replaced.</summary>
    Incremental,
}

/// <summary>Granularity of a partitioning column.</summary>
public enum PartitionGranularity
{
    /// <summary>One partition per day.</summary>
    Day,

    /// <summary>One partition per month.</summary>
    Month,

    /// <summary>One partition per year.</summary>
    Year,
}

/// <summary>A model's partitioning: a DATE or TIMESTAMP column and a granularity.</summary>
/// <param name="Column">The partitioning column.</param>
/// <param name="Granularity">Day (the default), month or year.</param>
public sealed record PartitionSpec(string Column, PartitionGranularity Granularity = PartitionGranularity.Day);

/// <summary>What a model or test reads: another model (<c>ref</c>) or a source table (<c>source</c>).</summary>
/// <param name="Dataset">Dataset of a source (e.g. <c>silver</c>); null for a model.</param>
/// <param name="Name">Model name, or source table name.</param>
/// <param name="Path">File the reference is written in.</param>
/// <param name="Line">1-based line of the reference.</param>
public sealed record RelationRef(string? Dataset, string Name, string Path, int Line)
{
    /// <summary>True for <c>ref('model')</c>, false for <c>source('dataset', 'table')</c>.</summary>
    public bool IsModel => Dataset is null;

    /// <summary><c>model</c> or <c>dataset.table</c>: what the reference names, without its location.</summary>
    public string Key => Dataset is null ? Name : $"{Dataset}.{Name}";

    /// <inheritdoc />
    public override string ToString() => IsModel ? $"ref('{Name}')" : $"source('{Dataset}', '{Name}')";
}

/// <summary>One documented output column of a model.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Type">Declared type; the build casts the model's output to it.</param>
/// <param name="Description">Description, or null.</param>
public sealed record ModelColumn(string Name, GoldType Type, string? Description);

/// <summary>A gold model: one SQL file with its header.</summary>
public sealed record GoldModel
{
    /// <summary>Model name (the file name without <c>.sql</c>), also the table name in <c>gold</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Domain folder the model lives in, e.g. <c>olist</c>.</summary>
    public required string Domain { get; init; }

    /// <summary>Path of the SQL file.</summary>
    public required string Path { get; init; }

    /// <summary>Table (default) or incremental.</summary>
    public Materialization Materialization { get; init; } = Materialization.Table;

    /// <summary>Partitioning; null for none. Required for incremental models.</summary>
    public PartitionSpec? PartitionBy { get; init; }

    /// <summary>Up to four clustering columns (DuckDB sorts by them); empty for none.</summary>
    public IReadOnlyList<string> ClusterBy { get; init; } = [];

    /// <summary>What the table holds and at what grain.</summary>
    public required string Description { get; init; }

    /// <summary>Output columns in order, with declared types.</summary>
    public required IReadOnlyList<ModelColumn> Columns { get; init; }

    /// <summary>Every test: column tests first, then model tests, in file order.</summary>
    public IReadOnlyList<ModelTest> Tests { get; init; } = [];

    /// <summary>The SQL after the header.</summary>
    public required SqlTemplate Body { get; init; }

    /// <summary>The published table, <c>gold.&lt;name&gt;</c>.</summary>
    public TableId Table => new(Datasets.Gold, Name);

    /// <summary>Every relation the SQL and the tests read, with the line of each mention.</summary>
    public IReadOnlyList<RelationRef> References { get; init; } = [];

    /// <summary>Distinct models this one depends on (body and tests).</summary>
    public IReadOnlyList<string> DependsOnModels => References.Where(r => r.IsModel).Select(r => r.Name).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Distinct source tables (<c>dataset.table</c>) this one reads (body and tests).</summary>
    public IReadOnlyList<string> DependsOnSources => References.Where(r => !r.IsModel).Select(r => r.Key).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Finds a declared column by name (case-insensitive), or null.</summary>
    public ModelColumn? FindColumn(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>How a failing test is treated.</summary>
public enum TestSeverity
{
    /// <summary>The model is not published (the default).</summary>
    Error,

    /// <summary>Recorded as a warning; the model is still published.</summary>
    Warn,
}

/// <summary>A data test run against the staged table before it is published.</summary>
public abstract record ModelTest
{
    /// <summary>Readable name, e.g. <c>unique(order_id)</c>, as recorded in ops.</summary>
    public required string Name { get; init; }

    /// <summary>Error (blocks publishing) or warn.</summary>
    public TestSeverity Severity { get; init; } = TestSeverity.Error;

    /// <summary>Column tested, or null for model-level tests.</summary>
    public string? Column { get; init; }

    /// <summary>File the test is declared in.</summary>
    public required string Path { get; init; }

    /// <summary>1-based line of the declaration.</summary>
    public required int Line { get; init; }
}

/// <summary>No NULLs in <see cref="ModelTest.Column"/>.</summary>
public sealed record NotNullTest : ModelTest;

/// <summary>No two rows share the same values of <see cref="Columns"/> (NULL keys are ignored for one column).</summary>
public sealed record UniqueTest : ModelTest
{
    /// <summary>The key columns.</summary>
    public required IReadOnlyList<string> Columns { get; init; }
}

/// <summary>Every non-NULL value of the column is one of <see cref="Values"/>.</summary>
public sealed record AcceptedValuesTest : ModelTest
{
    /// <summary>The accepted values, as written.</summary>
    public required IReadOnlyList<string> Values { get; init; }
}

/// <summary>Every non-NULL value of the column exists in <see cref="Field"/> of <see cref="To"/>.</summary>
public sealed record RelationshipTest : ModelTest
{
    /// <summary>The parent relation.</summary>
    public required RelationRef To { get; init; }

    /// <summary>The parent's key column.</summary>
    public required string Field { get; init; }
}

/// <summary>A boolean SQL expression that holds for every row (NULL counts as holding, as for a CHECK constraint).</summary>
public sealed record ExpressionTest : ModelTest
{
    /// <summary>The expression (macros allowed).</summary>
    public required SqlTemplate Expression { get; init; }
}

/// <summary>The row count lies within bounds.</summary>
public sealed record RowCountTest : ModelTest
{
    /// <summary>Least rows, or null.</summary>
    public long? Min { get; init; }

    /// <summary>Most rows, or null.</summary>
    public long? Max { get; init; }
}

/// <summary>The model has as many rows as <see cref="To"/> (optionally filtered by <see cref="Where"/>).</summary>
public sealed record RowCountMatchesTest : ModelTest
{
    /// <summary>The relation to compare with.</summary>
    public required RelationRef To { get; init; }

    /// <summary>A filter on <see cref="To"/>, or null.</summary>
    public SqlTemplate? Where { get; init; }
}

/// <summary>A query returning the failing rows (none means the test passes); <c>{{ this() }}</c> is the staged table.</summary>
public sealed record SqlTest : ModelTest
{
    /// <summary>The query (macros allowed).</summary>
    public required SqlTemplate Query { get; init; }
}

/// <summary>A table models read with <c>source('dataset', 'table')</c>, declared in <c>sources.yaml</c>.</summary>
public sealed record GoldSource
{
    /// <summary>Dataset, e.g. <c>silver</c>.</summary>
    public required string Dataset { get; init; }

    /// <summary>Table, e.g. <c>olist__orders</c>.</summary>
    public required string Table { get; init; }

    /// <summary>Declaring file.</summary>
    public required string Path { get; init; }

    /// <summary>1-based line of the declaration.</summary>
    public required int Line { get; init; }

    /// <summary>Description, or null.</summary>
    public string? Description { get; init; }

    /// <summary>Column holding when a row was loaded (freshness). Default <c>_ingested_at</c>.</summary>
    public string LoadedAtColumn { get; init; } = Lineage.IngestedAt;

    /// <summary>Column holding the lineage id of the file a row came from (change detection). Default <c>_lineage_id</c>.</summary>
    public string LineageColumn { get; init; } = Lineage.LineageId;

    /// <summary>Freshness thresholds, or null for no freshness check.</summary>
    public FreshnessRule? Freshness { get; init; }

    /// <summary>The table.</summary>
    public TableId TableId => new(Dataset, Table);

    /// <summary><c>dataset.table</c>.</summary>
    public string Key => $"{Dataset}.{Table}";
}

/// <summary>How old the newest row of a source may be.</summary>
/// <param name="WarnAfter">Older than this records a warning; null for none.</param>
/// <param name="ErrorAfter">Older than this blocks the models reading the source; null for none.</param>
public sealed record FreshnessRule(TimeSpan? WarnAfter, TimeSpan? ErrorAfter);
