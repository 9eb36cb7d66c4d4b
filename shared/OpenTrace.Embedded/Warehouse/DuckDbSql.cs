using System.Globalization;
using System.Text;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Embedded.Warehouse;

/// <summary>DuckDB SQL text: identifiers, literals, column types and the rewriting of <c>@name</c> parameters.</summary>
internal static class DuckDbSql
{
    /// <summary>DuckDB's largest decimal precision.</summary>
    public const int MaxDecimalPrecision = 38;

    /// <summary>A double-quoted identifier.</summary>
    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    /// <summary><c>"dataset"."table"</c>.</summary>
    public static string Table(TableId table) => $"{Quote(table.Dataset)}.{Quote(table.Table)}";

    /// <summary>A single-quoted string literal.</summary>
    public static string Literal(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";

    /// <summary><c>read_parquet</c> over local files, matched by column name, without Hive partition columns.</summary>
    public static string ReadParquet(IEnumerable<string> files) =>
        $"read_parquet([{string.Join(", ", files.Select(Literal))}], union_by_name = true, hive_partitioning = false)";

    /// <summary>
    /// <paramref name="expression"/> of DuckDB type <paramref name="from"/> as type <paramref name="to"/>: itself when
    /// they agree; an instant (TIMESTAMP WITH TIME ZONE) as a TIMESTAMP holding UTC through its epoch microseconds,
    /// which needs no time zone lookup per value (the warehouse's session zone is UTC, so a cast gives the same); any
    /// other pair through a cast.
    /// </summary>
    public static string Convert(string expression, string from, string to)
    {
        if (string.Equals(from, to, StringComparison.OrdinalIgnoreCase))
        {
            return expression;
        }

        return string.Equals(from, "TIMESTAMP WITH TIME ZONE", StringComparison.OrdinalIgnoreCase) && string.Equals(to, "TIMESTAMP", StringComparison.OrdinalIgnoreCase)
            ? $"CASE WHEN isfinite({expression}) THEN make_timestamp(epoch_us({expression})) ELSE CAST({expression} AS TIMESTAMP) END"
            : $"CAST({expression} AS {to})";
    }

    /// <summary>The DuckDB type of a column (without NOT NULL).</summary>
    public static string TypeOf(ColumnSchema column, bool jsonAvailable)
    {
        var type = column.Type switch
        {
            ColumnType.String => "VARCHAR",
            ColumnType.Int64 => "BIGINT",
            ColumnType.Float64 => "DOUBLE",
            ColumnType.Decimal => DecimalType(column),
            ColumnType.Bool => "BOOLEAN",
            ColumnType.Date => "DATE",
            ColumnType.Timestamp => "TIMESTAMP",
            ColumnType.Bytes => "BLOB",
            ColumnType.Json => jsonAvailable ? "JSON" : "VARCHAR",
            _ => throw new ArgumentOutOfRangeException(nameof(column), column.Type, $"Column '{column.Name}' has an unknown type."),
        };
        return column.Repeated ? type + "[]" : type;
    }

    /// <summary>Reads a type name from <c>duckdb_columns()</c> back into a column type (lossy for types outside <see cref="ColumnType"/>).</summary>
    public static (ColumnType Type, bool Repeated, int? Precision, int? Scale) ParseType(string dataType)
    {
        var type = dataType.Trim().ToUpperInvariant();
        var repeated = type.EndsWith("[]", StringComparison.Ordinal);
        if (repeated)
        {
            type = type[..^2];
        }

        if (type.StartsWith("DECIMAL(", StringComparison.Ordinal) || type.StartsWith("NUMERIC(", StringComparison.Ordinal))
        {
            var parts = type[(type.IndexOf('(', StringComparison.Ordinal) + 1)..^1].Split(',');
            return (ColumnType.Decimal, repeated, int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0);
        }

        var parsed = type switch
        {
            "BIGINT" or "INTEGER" or "SMALLINT" or "TINYINT" or "UBIGINT" or "UINTEGER" or "USMALLINT" or "UTINYINT" or "HUGEINT" or "UHUGEINT" => ColumnType.Int64,
            "DOUBLE" or "FLOAT" or "REAL" => ColumnType.Float64,
            "BOOLEAN" => ColumnType.Bool,
            "DATE" => ColumnType.Date,
            "BLOB" => ColumnType.Bytes,
            "JSON" => ColumnType.Json,
            _ when type.StartsWith("TIMESTAMP", StringComparison.Ordinal) => ColumnType.Timestamp,
            _ => ColumnType.String,
        };
        return (parsed, repeated, null, null);
    }

    /// <summary>
    /// Rewrites <c>@name</c> parameters to DuckDB's <c>$name</c>, leaving string literals, quoted identifiers,
    /// comments and dollar-quoted text alone. Returns the parameter names in order of first use.
    /// </summary>
    public static string RewriteParameters(string sql, out IReadOnlyList<string> names)
    {
        var used = new List<string>();
        var result = new StringBuilder(sql.Length);
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var next = i + 1 < sql.Length ? sql[i + 1] : '\0';
            var end = c switch
            {
                '\'' => SkipQuoted(sql, i, '\'', backslashEscapes: i > 0 && sql[i - 1] is 'e' or 'E' && (i < 2 || !IsIdentifierPart(sql[i - 2]))),
                '"' => SkipQuoted(sql, i, '"', backslashEscapes: false),
                '-' when next == '-' => SkipPast(sql, i + 2, "\n"),
                '/' when next == '*' => SkipPast(sql, i + 2, "*/"),
                '$' when next == '$' => SkipPast(sql, i + 2, "$$"),
                _ => -1,
            };
            if (end >= 0)
            {
                result.Append(sql, i, end - i);
                i = end;
                continue;
            }

            if (c == '@' && IsIdentifierStart(next) && (i == 0 || (!IsIdentifierPart(sql[i - 1]) && sql[i - 1] != '@')))
            {
                var start = i + 1;
                var stop = start;
                while (stop < sql.Length && IsIdentifierPart(sql[stop]))
                {
                    stop++;
                }

                var name = sql[start..stop];
                if (!used.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    used.Add(name);
                }

                result.Append('$').Append(name);
                i = stop;
                continue;
            }

            result.Append(c);
            i++;
        }

        names = used;
        return result.ToString();
    }

    private static string DecimalType(ColumnSchema column)
    {
        var precision = column.Precision ?? MaxDecimalPrecision;
        var scale = column.Scale ?? (column.Precision is null ? 9 : 0); // BigQuery NUMERIC is (38, 9)
        if (precision is < 1 or > MaxDecimalPrecision || scale < 0 || scale > precision)
        {
            throw new WarehouseException(
                $"Column '{column.Name}' is DECIMAL({precision},{scale}); DuckDB holds precisions 1 to {MaxDecimalPrecision} with 0 <= scale <= precision.",
                reason: "invalid",
                location: column.Name);
        }

        return string.Create(CultureInfo.InvariantCulture, $"DECIMAL({precision},{scale})");
    }

    private static int SkipQuoted(string sql, int start, char quote, bool backslashEscapes)
    {
        var i = start + 1;
        while (i < sql.Length)
        {
            if (backslashEscapes && sql[i] == '\\')
            {
                i += 2;
                continue;
            }

            if (sql[i] == quote)
            {
                if (i + 1 < sql.Length && sql[i + 1] == quote)
                {
                    i += 2; // doubled quote inside the literal
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return sql.Length;
    }

    private static int SkipPast(string sql, int from, string terminator)
    {
        var at = sql.IndexOf(terminator, from, StringComparison.Ordinal);
        return at < 0 ? sql.Length : at + terminator.Length;
    }

    private static bool IsIdentifierStart(char c) => char.IsLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsLetterOrDigit(c) || c == '_';
}
