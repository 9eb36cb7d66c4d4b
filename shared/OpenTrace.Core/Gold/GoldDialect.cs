using System.Globalization;
using System.Text;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Gold;

/// <summary>What differs between BigQuery's GoogleSQL and DuckDB's SQL in the statements gold writes.</summary>
internal abstract class GoldDialect
{
    public static readonly GoldDialect BigQuery = new BigQueryGoldDialect();

    public static readonly GoldDialect DuckDb = new DuckDbGoldDialect();

    public abstract SqlDialect Dialect { get; }

    public static GoldDialect For(SqlDialect dialect) => dialect switch
    {
        SqlDialect.BigQuery => BigQuery,
        SqlDialect.DuckDb => DuckDb,
        _ => throw new ArgumentOutOfRangeException(nameof(dialect), dialect, "Unknown SQL dialect."),
    };

    /// <summary>A quoted table name.</summary>
    public abstract string Table(TableId table);

    /// <summary>A quoted column name.</summary>
    public abstract string Column(string name);

    /// <summary>A string literal.</summary>
    public abstract string Literal(string value);

    /// <summary>The type used in CAST.</summary>
    public abstract string CastType(GoldType type);

    /// <summary>A literal of <paramref name="type"/> written as <paramref name="value"/> in a header.</summary>
    public string Literal(string value, GoldType type) => type.IsUnquoted
        ? (value is "true" or "false" ? value.ToUpperInvariant() : decimal.Parse(value, NumberStyles.Number, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture))
        : Literal(value);

    /// <summary>The CREATE statement that fills the staging table from the model's SELECT.</summary>
    public abstract string CreateTableAs(TableId table, GoldModel model, string select);

    /// <summary>Statements that attach the model's descriptions to <paramref name="table"/> (none where the create did it).</summary>
    public abstract IReadOnlyList<string> Describe(TableId table, GoldModel model);

    /// <summary>The statement that swaps the staged table in whole.</summary>
    public abstract string ReplaceTable(TableId target, TableId staged, GoldModel model);

    /// <summary>Wraps statements in one transaction.</summary>
    public abstract string Transaction(IEnumerable<string> statements);

    /// <summary>The partition a value of the partitioning column falls in, as an expression.</summary>
    public abstract string PartitionOf(string column, GoldType type, PartitionGranularity granularity);

    /// <summary>Renders a dialect macro, or null when <paramref name="call"/> is not one.</summary>
    public abstract string? Macro(TemplateCall call, Func<TemplateValue, string> argument);

    /// <summary>Checks a date part for a macro against the parts both warehouses agree on.</summary>
    protected static string Part(TemplateCall call, string value, params string[] allowed)
    {
        var part = value.Trim().ToLowerInvariant();
        return allowed.Contains(part, StringComparer.Ordinal)
            ? part
            : throw call.Error($"{call.Name}(...) takes the part {string.Join(", ", allowed)}; '{value}' is not one.");
    }

    /// <summary>A type argument of cast/safe_cast.</summary>
    protected string TypeArgument(TemplateCall call, int index) =>
        CastType(GoldType.TryParse(call.String(index, "a type")) ?? throw call.Error($"'{call.String(index, "a type")}' is not a type; use one of {GoldType.Accepted}."));

    /// <summary>Checks a format_date pattern uses only the codes both warehouses format the same way.</summary>
    protected static string DateFormat(TemplateCall call, string format)
    {
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] == '%' && (i + 1 >= format.Length || !"YmdBbAaj%".Contains(format[i + 1], StringComparison.Ordinal)))
            {
                throw call.Error($"format_date supports %Y %m %d %B %b %A %a %j and %% (the codes BigQuery and DuckDB format alike); '{format}' has another.");
            }

            if (format[i] == '%')
            {
                i++;
            }
        }

        return format;
    }

    protected static string StringAgg(string function, TemplateCall call, Func<TemplateValue, string> argument, Func<string, string> literal)
    {
        call.Expect(2, 2, "string_agg('expression', 'separator', distinct=false)", "distinct");
        var expression = argument(call.Arguments[0]);
        var distinct = call.Bool("distinct", fallback: false) ? "DISTINCT " : string.Empty;
        return $"{function}({distinct}{expression}, {literal(call.String(1, "the separator"))} ORDER BY {expression})";
    }

    private sealed class BigQueryGoldDialect : GoldDialect
    {
        public override SqlDialect Dialect => SqlDialect.BigQuery;

        public override string Table(TableId table) => $"`{table.Dataset}.{table.Table}`";

        public override string Column(string name) => $"`{name}`";

        public override string Literal(string value)
        {
            var text = new StringBuilder("'");
            foreach (var c in value)
            {
                text.Append(c switch
                {
                    '\\' => @"\\",
                    '\'' => @"\'",
                    '\n' => @"\n",
                    '\r' => @"\r",
                    '\t' => @"\t",
                    _ => c.ToString(),
                });
            }

            return text.Append('\'').ToString();
        }

        public override string CastType(GoldType type) => type.Kind switch
        {
            ColumnType.String => "STRING",
            ColumnType.Int64 => "INT64",
            ColumnType.Float64 => "FLOAT64",
            ColumnType.Decimal => "NUMERIC",
            ColumnType.Bool => "BOOL",
            ColumnType.Date => "DATE",
            ColumnType.Timestamp => "TIMESTAMP",
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported gold type."),
        };

        public override string CreateTableAs(TableId table, GoldModel model, string select)
        {
            var sql = new StringBuilder($"CREATE OR REPLACE TABLE {Table(table)}\n(\n");
            sql.AppendJoin(",\n", model.Columns.Select(c => $"  {Column(c.Name)} {ColumnDefinitionType(c.Type)} OPTIONS(description = {Literal(c.Description ?? string.Empty)})"));
            sql.Append("\n)\n");
            if (model.PartitionBy is { } partition)
            {
                var type = model.FindColumn(partition.Column)!.Type;
                sql.Append("PARTITION BY ").Append(PartitionOf(Column(partition.Column), type, partition.Granularity)).Append('\n');
            }

            if (model.ClusterBy.Count > 0)
            {
                sql.Append("CLUSTER BY ").AppendJoin(", ", model.ClusterBy.Select(Column)).Append('\n');
            }

            return sql.Append("OPTIONS(description = ").Append(Literal(model.Description)).Append(")\nAS\n").Append(select).ToString();
        }

        public override IReadOnlyList<string> Describe(TableId table, GoldModel model) => [];

        public override string ReplaceTable(TableId target, TableId staged, GoldModel model) =>
            $"CREATE OR REPLACE TABLE {Table(target)}\nCOPY {Table(staged)}";

        public override string Transaction(IEnumerable<string> statements) =>
            $"BEGIN TRANSACTION;\n{string.Join(";\n", statements)};\nCOMMIT TRANSACTION;";

        public override string PartitionOf(string column, GoldType type, PartitionGranularity granularity) => (type.Kind, granularity) switch
        {
            (ColumnType.Date, PartitionGranularity.Day) => column,
            (ColumnType.Date, _) => $"DATE_TRUNC({column}, {granularity.ToString().ToUpperInvariant()})",
            _ => $"TIMESTAMP_TRUNC({column}, {granularity.ToString().ToUpperInvariant()})",
        };

        public override string? Macro(TemplateCall call, Func<TemplateValue, string> argument)
        {
            switch (call.Name)
            {
                case "to_date":
                    call.Expect(1, 1, "to_date('timestamp_expression')");
                    return $"DATE({argument(call.Arguments[0])})";
                case "date_trunc":
                    call.Expect(2, 2, "date_trunc('month', 'date_expression')");
                    var truncPart = Part(call, call.String(0, "the part"), "week", "month", "quarter", "year");
                    return $"DATE_TRUNC({argument(call.Arguments[1])}, {(truncPart == "week" ? "ISOWEEK" : truncPart.ToUpperInvariant())})";
                case "date_diff":
                    call.Expect(3, 3, "date_diff('day', 'start_date', 'end_date')");
                    var diffPart = Part(call, call.String(0, "the part"), "day", "month", "quarter", "year");
                    return $"DATE_DIFF({argument(call.Arguments[2])}, {argument(call.Arguments[1])}, {diffPart.ToUpperInvariant()})";
                case "timestamp_diff":
                    call.Expect(3, 3, "timestamp_diff('hour', 'start_timestamp', 'end_timestamp')");
                    var tsPart = Part(call, call.String(0, "the part"), "second", "minute", "hour", "day");
                    return $"TIMESTAMP_DIFF({argument(call.Arguments[2])}, {argument(call.Arguments[1])}, {tsPart.ToUpperInvariant()})";
                case "date_add":
                    call.Expect(3, 3, "date_add('day', amount, 'date_expression')");
                    var addPart = Part(call, call.String(0, "the part"), "day", "month", "year");
                    return $"DATE_ADD({argument(call.Arguments[2])}, INTERVAL {argument(call.Arguments[1])} {addPart.ToUpperInvariant()})";
                case "date_spine":
                    call.Expect(2, 2, "date_spine('first_date', 'last_date') -- a FROM item with one column, date_day");
                    return $"UNNEST(GENERATE_DATE_ARRAY({argument(call.Arguments[0])}, {argument(call.Arguments[1])}, INTERVAL 1 DAY)) AS date_day";
                case "iso_day_of_week":
                    call.Expect(1, 1, "iso_day_of_week('date_expression') -- Monday 1 to Sunday 7");
                    return $"MOD(EXTRACT(DAYOFWEEK FROM {argument(call.Arguments[0])}) + 5, 7) + 1";
                case "format_date":
                    call.Expect(2, 2, "format_date('%Y-%m', 'date_expression')");
                    return $"FORMAT_DATE({Literal(DateFormat(call, call.String(0, "the format")))}, {argument(call.Arguments[1])})";
                case "cast":
                    call.Expect(2, 2, "cast('expression', 'int64')");
                    return $"CAST({argument(call.Arguments[0])} AS {TypeArgument(call, 1)})";
                case "safe_cast":
                    call.Expect(2, 2, "safe_cast('expression', 'int64')");
                    return $"SAFE_CAST({argument(call.Arguments[0])} AS {TypeArgument(call, 1)})";
                case "safe_divide":
                    call.Expect(2, 2, "safe_divide('numerator', 'denominator')");
                    return $"SAFE_DIVIDE({argument(call.Arguments[0])}, {argument(call.Arguments[1])})";
                case "current_timestamp":
                    call.Expect(0, 0, "current_timestamp()");
                    return "CURRENT_TIMESTAMP()";
                case "string_agg":
                    return StringAgg("STRING_AGG", call, argument, Literal);
                case "count_if":
                    call.Expect(1, 1, "count_if('condition')");
                    return $"COUNTIF({argument(call.Arguments[0])})";
                case "bool_or":
                    call.Expect(1, 1, "bool_or('condition')");
                    return $"LOGICAL_OR({argument(call.Arguments[0])})";
                default:
                    return null;
            }
        }

        private static string ColumnDefinitionType(GoldType type) => type is { Kind: ColumnType.Decimal, Precision: { } p }
            ? string.Create(CultureInfo.InvariantCulture, $"NUMERIC({p}, {type.Scale})")
            : BigQuery.CastType(type);
    }

    private sealed class DuckDbGoldDialect : GoldDialect
    {
        public override SqlDialect Dialect => SqlDialect.DuckDb;

        public override string Table(TableId table) => $"{Column(table.Dataset)}.{Column(table.Table)}";

        public override string Column(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

        public override string Literal(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";

        public override string CastType(GoldType type) => type.Kind switch
        {
            ColumnType.String => "VARCHAR",
            ColumnType.Int64 => "BIGINT",
            ColumnType.Float64 => "DOUBLE",
            ColumnType.Decimal => string.Create(CultureInfo.InvariantCulture, $"DECIMAL({type.Precision ?? 38}, {type.Scale ?? 9})"),
            ColumnType.Bool => "BOOLEAN",
            ColumnType.Date => "DATE",
            ColumnType.Timestamp => "TIMESTAMP",
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unsupported gold type."),
        };

        public override string CreateTableAs(TableId table, GoldModel model, string select)
        {
            // DuckDB has no partitions or clusters; sorting by them keeps its zone maps (min/max per row group) selective.
            var order = model.ClusterBy.Prepend(model.PartitionBy?.Column).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            var sql = $"CREATE OR REPLACE TABLE {Table(table)} AS\n{select}";
            return order.Count == 0 ? sql : $"{sql}\nORDER BY {string.Join(", ", order.Select(Column))}";
        }

        public override IReadOnlyList<string> Describe(TableId table, GoldModel model) =>
        [
            $"COMMENT ON TABLE {Table(table)} IS {Literal(model.Description)}",
            .. model.Columns.Select(c => $"COMMENT ON COLUMN {Table(table)}.{Column(c.Name)} IS {Literal(c.Description ?? string.Empty)}"),
        ];

        public override string ReplaceTable(TableId target, TableId staged, GoldModel model) => Transaction(
        [
            $"CREATE OR REPLACE TABLE {Table(target)} AS SELECT * FROM {Table(staged)}",
            .. Describe(target, model),
        ]);

        public override string Transaction(IEnumerable<string> statements) =>
            $"BEGIN TRANSACTION;\n{string.Join(";\n", statements)};\nCOMMIT;";

        public override string PartitionOf(string column, GoldType type, PartitionGranularity granularity) => granularity switch
        {
            PartitionGranularity.Day when type.Kind == ColumnType.Date => column,
            PartitionGranularity.Day => $"CAST({column} AS DATE)",
            _ => $"CAST(date_trunc('{granularity.ToString().ToLowerInvariant()}', {column}) AS DATE)",
        };

        public override string? Macro(TemplateCall call, Func<TemplateValue, string> argument)
        {
            switch (call.Name)
            {
                case "to_date":
                    call.Expect(1, 1, "to_date('timestamp_expression')");
                    return $"CAST({argument(call.Arguments[0])} AS DATE)";
                case "date_trunc":
                    call.Expect(2, 2, "date_trunc('month', 'date_expression')");
                    var truncPart = Part(call, call.String(0, "the part"), "week", "month", "quarter", "year");
                    return $"CAST(date_trunc('{truncPart}', {argument(call.Arguments[1])}) AS DATE)";
                case "date_diff":
                    call.Expect(3, 3, "date_diff('day', 'start_date', 'end_date')");
                    var diffPart = Part(call, call.String(0, "the part"), "day", "month", "quarter", "year");
                    return $"date_diff('{diffPart}', {argument(call.Arguments[1])}, {argument(call.Arguments[2])})";
                case "timestamp_diff":
                    call.Expect(3, 3, "timestamp_diff('hour', 'start_timestamp', 'end_timestamp')");
                    var tsPart = Part(call, call.String(0, "the part"), "second", "minute", "hour", "day");
                    return $"date_sub('{tsPart}', {argument(call.Arguments[1])}, {argument(call.Arguments[2])})";
                case "date_add":
                    call.Expect(3, 3, "date_add('day', amount, 'date_expression')");
                    var addPart = Part(call, call.String(0, "the part"), "day", "month", "year");
                    return $"CAST({argument(call.Arguments[2])} + INTERVAL ({argument(call.Arguments[1])}) {addPart.ToUpperInvariant()} AS DATE)";
                case "date_spine":
                    call.Expect(2, 2, "date_spine('first_date', 'last_date') -- a FROM item with one column, date_day");
                    return $"(SELECT CAST(unnest(generate_series(CAST({argument(call.Arguments[0])} AS TIMESTAMP), CAST({argument(call.Arguments[1])} AS TIMESTAMP), INTERVAL 1 DAY)) AS DATE) AS date_day) AS date_spine";
                case "iso_day_of_week":
                    call.Expect(1, 1, "iso_day_of_week('date_expression') -- Monday 1 to Sunday 7");
                    return $"isodow({argument(call.Arguments[0])})";
                case "format_date":
                    call.Expect(2, 2, "format_date('%Y-%m', 'date_expression')");
                    return $"strftime({argument(call.Arguments[1])}, {Literal(DateFormat(call, call.String(0, "the format")))})";
                case "cast":
                    call.Expect(2, 2, "cast('expression', 'int64')");
                    return $"CAST({argument(call.Arguments[0])} AS {TypeArgument(call, 1)})";
                case "safe_cast":
                    call.Expect(2, 2, "safe_cast('expression', 'int64')");
                    return $"TRY_CAST({argument(call.Arguments[0])} AS {TypeArgument(call, 1)})";
                case "safe_divide":
                    call.Expect(2, 2, "safe_divide('numerator', 'denominator')");
                    return $"(({argument(call.Arguments[0])}) / NULLIF({argument(call.Arguments[1])}, 0))";
                case "current_timestamp":
                    call.Expect(0, 0, "current_timestamp()");
                    return "CAST(get_current_timestamp() AS TIMESTAMP)";
                case "string_agg":
                    return StringAgg("string_agg", call, argument, Literal);
                case "count_if":
                    call.Expect(1, 1, "count_if('condition')");
                    return $"CAST(count_if({argument(call.Arguments[0])}) AS BIGINT)";
                case "bool_or":
                    call.Expect(1, 1, "bool_or('condition')");
                    return $"bool_or({argument(call.Arguments[0])})";
                default:
                    return null;
            }
        }
    }
}
