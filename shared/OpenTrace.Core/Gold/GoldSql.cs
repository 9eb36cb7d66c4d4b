using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Gold;

/// <summary>
/// Renders gold models, their tests and the write-audit-publish statements for one dialect. Pure: project and records
/// in, SQL text out.
/// </summary>
public sealed class GoldSql
{
    /// <summary>Dataset (schema) models are built and tested in before they are published.</summary>
    public const string StagingDataset = Datasets.GoldStaging;

    /// <summary>Rows of a failing test kept as a sample.</summary>
    public const int DefaultSampleRows = 20;

    /// <summary>Column the sampled test query adds with the total number of failing rows.</summary>
    public const string FailingRowsColumn = "_failing_rows";

    private const string MacroList = "ref, source, this, changed, to_date, date_trunc, date_diff, timestamp_diff, date_add, date_spine, iso_day_of_week, format_date, cast, safe_cast, safe_divide, current_timestamp, string_agg, count_if, bool_or";

    private readonly GoldProject _project;
    private readonly GoldDialect _dialect;

    /// <summary>Creates a renderer for <paramref name="dialect"/>.</summary>
    public GoldSql(GoldProject project, SqlDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(project);
        _project = project;
        _dialect = GoldDialect.For(dialect);
    }

    /// <summary>The dialect rendered.</summary>
    public SqlDialect Dialect => _dialect.Dialect;

    /// <summary>The staging table of a model, <c>gold_staging.&lt;model&gt;</c>.</summary>
    public static TableId StagingTable(GoldModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new TableId(StagingDataset, model.Name);
    }

    /// <summary>A quoted table name: <c>`dataset.table`</c> (BigQuery) or <c>"dataset"."table"</c> (DuckDB).</summary>
    public string Table(TableId table) => _dialect.Table(table);

    /// <summary>A quoted column name.</summary>
    public string Column(string name) => _dialect.Column(name);

    /// <summary>A string literal.</summary>
    public string Literal(string value) => _dialect.Literal(value);

    /// <summary>
    /// The model's SELECT with macros rendered. <paramref name="changes"/> null renders a full build (every
    /// <c>changed()</c> is TRUE); otherwise <c>changed()</c> keeps only rows of the listed lineage ids.
    /// </summary>
    public string Select(GoldModel model, IncrementalChanges? changes = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var body = Render(model.Body, model, new Scope(changes, This: null)).TrimEnd();
        while (body.EndsWith(';'))
        {
            body = body[..^1].TrimEnd();
        }

        var columns = string.Join(",\n", model.Columns.Select(c => $"  CAST({Column(c.Name)} AS {_dialect.CastType(c.Type)}) AS {Column(c.Name)}"));
        return $"SELECT\n{columns}\nFROM (\n{body.Trim('\n', '\r')}\n) AS model";
    }

    /// <summary>The statement that builds the model into its staging table (<see cref="StagingTable"/>).</summary>
    public string Build(GoldModel model, IncrementalChanges? changes = null) =>
        _dialect.CreateTableAs(StagingTable(model), model, Select(model, changes));

    /// <summary>Statements that attach descriptions to the staging table (empty for BigQuery, where the build does it).</summary>
    public IReadOnlyList<string> DescribeStaging(GoldModel model) => _dialect.Describe(StagingTable(model), model);

    /// <summary>
    /// The relation tests read: the staging table for a full build; for an incremental build, the table as it will be
    /// once published (gold rows outside the rebuilt partitions plus the staged rows).
    /// </summary>
    public string Audited(GoldModel model, bool incremental)
    {
        ArgumentNullException.ThrowIfNull(model);
        var staging = Table(StagingTable(model));
        if (!incremental)
        {
            return staging;
        }

        var columns = ColumnList(model);
        var partition = PartitionExpression(model);
        return $"(\n  SELECT {columns} FROM {Table(model.Table)}\n  WHERE {partition} NOT IN (SELECT DISTINCT {partition} FROM {staging} WHERE {partition} IS NOT NULL)\n  UNION ALL\n  SELECT {columns} FROM {staging}\n)";
    }

    /// <summary>A query returning the rows that fail <paramref name="test"/> on <paramref name="audited"/>; none means it passes.</summary>
    public string TestQuery(GoldModel model, ModelTest test, string audited)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentException.ThrowIfNullOrEmpty(audited);
        var scope = new Scope(Changes: null, This: audited);
        var c = test.Column is null ? null : Column(test.Column);
        switch (test)
        {
            case NotNullTest:
                return $"SELECT * FROM {audited} AS t\nWHERE t.{c} IS NULL";
            case UniqueTest unique:
                var keys = string.Join(", ", unique.Columns.Select(k => "t." + Column(k)));
                var nonNull = unique.Columns.Count == 1 ? $"\nWHERE {keys} IS NOT NULL" : string.Empty;
                return $"SELECT {keys}, COUNT(*) AS {Column("occurrences")}\nFROM {audited} AS t{nonNull}\nGROUP BY {keys}\nHAVING COUNT(*) > 1";
            case AcceptedValuesTest accepted:
                var type = model.FindColumn(accepted.Column!)!.Type;
                var values = string.Join(", ", accepted.Values.Select(v => _dialect.Literal(v, type)));
                return $"SELECT t.{c} AS {Column("value")}, COUNT(*) AS {Column("occurrences")}\nFROM {audited} AS t\nWHERE t.{c} IS NOT NULL AND t.{c} NOT IN ({values})\nGROUP BY t.{c}";
            case RelationshipTest relationship:
                return $"SELECT t.{c} AS {Column("value")}, COUNT(*) AS {Column("occurrences")}\nFROM {audited} AS t\n" +
                    $"LEFT JOIN (SELECT DISTINCT {Column(relationship.Field)} AS {Column("parent_key")} FROM {Relation(relationship.To)}) AS p ON t.{c} = p.{Column("parent_key")}\n" +
                    $"WHERE t.{c} IS NOT NULL AND p.{Column("parent_key")} IS NULL\nGROUP BY t.{c}";
            case ExpressionTest expression:
                return $"SELECT * FROM {audited} AS t\nWHERE NOT ({Render(expression.Expression, model, scope).Trim()})";
            case RowCountTest count:
                var bounds = new List<string>();
                if (count.Min is { } min)
                {
                    bounds.Add(string.Create(CultureInfo.InvariantCulture, $"{Column("row_count")} < {min}"));
                }

                if (count.Max is { } max)
                {
                    bounds.Add(string.Create(CultureInfo.InvariantCulture, $"{Column("row_count")} > {max}"));
                }

                return $"SELECT {Column("row_count")} FROM (SELECT COUNT(*) AS {Column("row_count")} FROM {audited}) AS c\nWHERE {string.Join(" OR ", bounds)}";
            case RowCountMatchesTest matches:
                var where = matches.Where is null ? string.Empty : $" WHERE {Render(matches.Where, model, scope).Trim()}";
                return $"SELECT m.{Column("model_rows")}, o.{Column("expected_rows")}\n" +
                    $"FROM (SELECT COUNT(*) AS {Column("model_rows")} FROM {audited}) AS m\n" +
                    $"CROSS JOIN (SELECT COUNT(*) AS {Column("expected_rows")} FROM {Relation(matches.To)}{where}) AS o\n" +
                    $"WHERE m.{Column("model_rows")} <> o.{Column("expected_rows")}";
            case SqlTest sql:
                var query = Render(sql.Query, model, scope).Trim();
                while (query.EndsWith(';'))
                {
                    query = query[..^1].TrimEnd();
                }

                return query;
            default:
                throw new ArgumentOutOfRangeException(nameof(test), test.GetType().Name, "Unknown test kind.");
        }
    }

    /// <summary>
    /// <see cref="TestQuery"/> limited to <paramref name="sampleRows"/> rows, each carrying the total number of failing
    /// rows in <see cref="FailingRowsColumn"/>; no rows means the test passes.
    /// </summary>
    public string SampledTestQuery(GoldModel model, ModelTest test, string audited, int sampleRows = DefaultSampleRows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRows);
        return string.Create(CultureInfo.InvariantCulture, $"SELECT failures.*, COUNT(*) OVER () AS {Column(FailingRowsColumn)}\nFROM (\n{TestQuery(model, test, audited)}\n) AS failures\nLIMIT {sampleRows}");
    }

    /// <summary>
    /// The statement (or transaction) that publishes the staged table into <c>gold</c>: the whole table is swapped in,
    /// or for an incremental build the rebuilt partitions are deleted and inserted in one transaction.
    /// </summary>
    public string Publish(GoldModel model, bool incremental)
    {
        ArgumentNullException.ThrowIfNull(model);
        var staging = StagingTable(model);
        if (!incremental)
        {
            return _dialect.ReplaceTable(model.Table, staging, model);
        }

        var partition = PartitionExpression(model);
        var columns = ColumnList(model);
        return _dialect.Transaction(
        [
            $"DELETE FROM {Table(model.Table)}\nWHERE {partition} IN (SELECT DISTINCT {partition} FROM {Table(staging)})",
            $"INSERT INTO {Table(model.Table)} ({columns})\nSELECT {columns} FROM {Table(staging)}",
        ]);
    }

    /// <summary>Drops the staging table (after a publish).</summary>
    public string DropStaging(GoldModel model) => $"DROP TABLE IF EXISTS {Table(StagingTable(model))}";

    /// <summary>Drops a table (used before a publish that changes a BigQuery table's partitioning).</summary>
    public string DropTable(TableId table) => $"DROP TABLE IF EXISTS {Table(table)}";

    /// <summary>Counts the rows of a table.</summary>
    public string RowCount(TableId table) => $"SELECT COUNT(*) AS {Column("row_count")} FROM {Table(table)}";

    /// <summary>Counts the distinct partitions of the staged table of an incremental model.</summary>
    public string StagedPartitionCount(GoldModel model) =>
        $"SELECT COUNT(DISTINCT {PartitionExpression(model)}) AS {Column("partitions")} FROM {Table(StagingTable(model))}";

    /// <summary>
    /// The input state of a source: one row per lineage id with its row count (<c>row_count</c>) and newest load time
    /// (<c>max_loaded_at</c>); used for change detection and freshness.
    /// </summary>
    public string SourceState(GoldSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return $"SELECT {Column(source.LineageColumn)} AS {Column("lineage_id")}, COUNT(*) AS {Column("row_count")}, MAX({Column(source.LoadedAtColumn)}) AS {Column("max_loaded_at")}\n" +
            $"FROM {Table(source.TableId)}\nGROUP BY {Column(source.LineageColumn)}";
    }

    /// <summary>
    /// A short hash of everything that decides what the model writes in this dialect: the rendered full build, tests
    /// and publish statement. A different hash means the definition changed and the model is rebuilt in full.
    /// </summary>
    public string DefinitionHash(GoldModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var text = new StringBuilder(Build(model));
        foreach (var statement in DescribeStaging(model))
        {
            text.Append('\n').Append(statement);
        }

        var audited = Audited(model, model.Materialization == Materialization.Incremental);
        foreach (var test in model.Tests)
        {
            text.Append('\n').Append(test.Name).Append(':').Append(test.Severity).Append('\n').Append(TestQuery(model, test, audited));
        }

        text.Append('\n').Append(Publish(model, model.Materialization == Materialization.Incremental));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private string ColumnList(GoldModel model) => string.Join(", ", model.Columns.Select(c => Column(c.Name)));

    private string PartitionExpression(GoldModel model)
    {
        var partition = model.PartitionBy
            ?? throw new InvalidOperationException($"Model '{model.Name}' has no partition_by; only partitioned models build incrementally.");
        return _dialect.PartitionOf(Column(partition.Column), model.FindColumn(partition.Column)!.Type, partition.Granularity);
    }

    private string Relation(RelationRef relation) => relation.IsModel
        ? Table(new TableId(Datasets.Gold, relation.Name))
        : Table(new TableId(relation.Dataset!, relation.Name));

    private string Render(SqlTemplate template, GoldModel model, Scope scope) => template.Render(call => RenderCall(call, model, scope));

    private string RenderCall(TemplateCall call, GoldModel model, Scope scope)
    {
        switch (call.Name)
        {
            case "ref" or "source":
                return Relation(ModelFileReader.RelationOf(call)!);
            case "this":
                call.Expect(0, 0, "this()");
                return scope.This ?? throw call.Error("this() is the table under test; it can be used in tests, not in the model's SQL (use ref('model') there).");
            case "changed":
                return Changed(call, model, scope);
            default:
                return _dialect.Macro(call, value => Argument(value, model, scope))
                    ?? throw call.Error($"Unknown macro '{call.Name}'. Macros: {MacroList}.");
        }
    }

    private string Changed(TemplateCall call, GoldModel model, Scope scope)
    {
        call.Expect(2, 2, "changed('alias', source('dataset', 'table'))");
        var alias = call.String(0, "the alias the source has in FROM");
        if (!ModelFileReader.IsIdentifier(alias))
        {
            throw call.Error($"'{alias}' is not an alias: changed() takes the alias of the source in FROM, e.g. changed('o', source('silver', 'olist__orders')).");
        }

        var relation = call.Arguments[1] is TemplateCallValue { Call.Name: "source" } nested
            ? ModelFileReader.RelationOf(nested.Call)!
            : throw call.Error("The second argument of changed() is a source('dataset', 'table') call.");
        if (model.Materialization != Materialization.Incremental)
        {
            throw call.Error($"changed() selects the rows an incremental build rebuilds; model '{model.Name}' is materialized as a table. Add materialized: incremental or remove the call.");
        }

        var source = _project.FindSource(relation.Key)
            ?? throw call.Error($"{relation} is not declared in a {ModelFileReader.SourcesFileName}.");
        if (scope.Changes is null)
        {
            return "TRUE";
        }

        var ids = scope.Changes.For(source.Key);
        return ids.Count == 0
            ? "FALSE"
            : $"{alias}.{Column(source.LineageColumn)} IN ({string.Join(", ", ids.Select(Literal))})";
    }

    private string Argument(TemplateValue value, GoldModel model, Scope scope) => value switch
    {
        TemplateString s => s.Value,
        TemplateNumber n => n.Value.ToString(CultureInfo.InvariantCulture),
        TemplateBool b => b.Value ? "TRUE" : "FALSE",
        TemplateCallValue c => RenderCall(c.Call, model, scope),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown template value."),
    };

    private sealed record Scope(IncrementalChanges? Changes, string? This);
}

/// <summary>The input rows an incremental build rebuilds from: per source (<c>dataset.table</c>), the lineage ids that are new or changed.</summary>
/// <param name="ChangedLineage">Changed lineage ids per source key; a source that is absent had no changes.</param>
public sealed record IncrementalChanges(IReadOnlyDictionary<string, IReadOnlyList<string>> ChangedLineage)
{
    /// <summary>Changed lineage ids of one source (empty when none).</summary>
    public IReadOnlyList<string> For(string sourceKey) => ChangedLineage.TryGetValue(sourceKey, out var ids) ? ids : [];
}
