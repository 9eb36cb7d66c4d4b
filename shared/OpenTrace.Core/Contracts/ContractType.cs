using System.Globalization;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Contracts;

/// <summary>The silver types a contract column can have.</summary>
public enum ContractTypeKind
{
    /// <summary>UTF-8 text.</summary>
    String,

    /// <summary>64-bit signed integer.</summary>
    Int64,

    /// <summary>IEEE double.</summary>
    Float64,

    /// <summary>Exact decimal with a precision (1–38) and scale.</summary>
    Decimal,

    /// <summary>true/false (also accepts 1/0, yes/no, t/f, y/n, any case).</summary>
    Bool,

    /// <summary>Calendar date.</summary>
    Date,

    /// <summary>Instant, stored in UTC with microsecond precision.</summary>
    Timestamp,
}

/// <summary>
/// A column's silver type: <c>string</c>, <c>int64</c>, <c>float64</c>, <c>decimal(p,s)</c>, <c>bool</c>, <c>date</c> or
/// <c>timestamp</c>, with the accepted text formats of dates and timestamps and the time zone of timestamps written
/// without an offset.
/// </summary>
public sealed record ContractType
{
    /// <summary>Largest decimal precision (BigQuery BIGNUMERIC holds more, but NUMERIC and DuckDB hold 38).</summary>
    public const int MaxDecimalPrecision = 38;

    /// <summary>Decimals up to this precision are stored as Parquet INT64; wider ones as 16-byte fixed-length arrays.</summary>
    public const int MaxInt64DecimalPrecision = 18;

    /// <summary>The kind.</summary>
    public required ContractTypeKind Kind { get; init; }

    /// <summary>Decimal precision; 0 for other kinds.</summary>
    public int Precision { get; init; }

    /// <summary>Decimal scale; 0 for other kinds.</summary>
    public int Scale { get; init; }

    /// <summary>
    /// Accepted formats of dates and timestamps (.NET custom format strings such as <c>yyyy-MM-dd HH:mm:ss</c>);
    /// empty means ISO 8601 (<c>yyyy-MM-dd</c>, optional time with <c>T</c> or a space, fraction and offset).
    /// </summary>
    public IReadOnlyList<string> Formats { get; init; } = [];

    /// <summary>
    /// The zone of timestamps written without an offset (IANA id); null means UTC. Values are converted to UTC;
    /// a wall time skipped by a daylight-saving change is moved forward by the gap.
    /// </summary>
    public TimeZoneInfo? TimeZone { get; init; }

    /// <summary>The <c>string</c> type.</summary>
    public static ContractType String { get; } = new() { Kind = ContractTypeKind.String };

    /// <summary>
    /// Parses a type name: <c>string</c>, <c>int64</c>, <c>float64</c>, <c>decimal(p,s)</c>, <c>bool</c>, <c>date</c> or
    /// <c>timestamp</c> (also the aliases <c>text</c>, <c>int</c>, <c>integer</c>, <c>bigint</c>, <c>double</c>,
    /// <c>numeric(p,s)</c>, <c>boolean</c>). Returns null with a reason when the name is not one.
    /// </summary>
    public static ContractType? TryParse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        var name = text.Trim().ToLowerInvariant();
        switch (name)
        {
            case "string" or "text":
                return String;
            case "int64" or "int" or "integer" or "bigint":
                return new ContractType { Kind = ContractTypeKind.Int64 };
            case "float64" or "double" or "float":
                return new ContractType { Kind = ContractTypeKind.Float64 };
            case "bool" or "boolean":
                return new ContractType { Kind = ContractTypeKind.Bool };
            case "date":
                return new ContractType { Kind = ContractTypeKind.Date };
            case "timestamp":
                return new ContractType { Kind = ContractTypeKind.Timestamp };
        }

        if (name.StartsWith("decimal", StringComparison.Ordinal) || name.StartsWith("numeric", StringComparison.Ordinal))
        {
            var open = name.IndexOf('(', StringComparison.Ordinal);
            if (open < 0 || !name.EndsWith(')'))
            {
                error = $"'{text}' needs a precision and scale, e.g. decimal(12,2).";
                return null;
            }

            var parts = name[(open + 1)..^1].Split(',');
            if (parts.Length != 2
                || !int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var precision)
                || !int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var scale))
            {
                error = $"'{text}' is not decimal(precision,scale) with two whole numbers.";
                return null;
            }

            if (precision is < 1 or > MaxDecimalPrecision || scale > precision)
            {
                error = $"'{text}': precision must be 1 to {MaxDecimalPrecision} and scale 0 to the precision.";
                return null;
            }

            return new ContractType { Kind = ContractTypeKind.Decimal, Precision = precision, Scale = scale };
        }

        error = $"unknown type '{text}'; expected string, int64, float64, decimal(p,s), bool, date or timestamp.";
        return null;
    }

    /// <summary>The warehouse column type.</summary>
    public ColumnType ColumnType => Kind switch
    {
        ContractTypeKind.String => ColumnType.String,
        ContractTypeKind.Int64 => ColumnType.Int64,
        ContractTypeKind.Float64 => ColumnType.Float64,
        ContractTypeKind.Decimal => ColumnType.Decimal,
        ContractTypeKind.Bool => ColumnType.Bool,
        ContractTypeKind.Date => ColumnType.Date,
        _ => ColumnType.Timestamp,
    };

    /// <summary>True for the kinds whose values order numerically (int64, float64, decimal).</summary>
    public bool IsNumeric => Kind is ContractTypeKind.Int64 or ContractTypeKind.Float64 or ContractTypeKind.Decimal;

    /// <summary>The type as a contract writes it, e.g. <c>decimal(12,2)</c>.</summary>
    public override string ToString() => Kind switch
    {
        ContractTypeKind.Decimal => string.Create(CultureInfo.InvariantCulture, $"decimal({Precision},{Scale})"),
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
