using System.Globalization;
using System.Text.RegularExpressions;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Gold;

/// <summary>
/// A column type as model headers write it, the same for both warehouses: <c>string</c>, <c>int64</c>,
/// <c>float64</c>, <c>numeric</c> (BigQuery NUMERIC, DuckDB DECIMAL(38,9)), <c>numeric(p,s)</c>, <c>bool</c>,
/// <c>date</c>, <c>timestamp</c>.
/// </summary>
/// <param name="Kind">The warehouse column type.</param>
/// <param name="Precision">Decimal precision for <c>numeric(p,s)</c>; null otherwise (and for plain <c>numeric</c>).</param>
/// <param name="Scale">Decimal scale for <c>numeric(p,s)</c>; null otherwise.</param>
public sealed partial record GoldType(ColumnType Kind, int? Precision = null, int? Scale = null)
{
    /// <summary>The type names a header accepts, for error messages.</summary>
    public const string Accepted = "string, int64, float64, numeric, numeric(p,s), bool, date, timestamp";

    /// <summary>Parses a header type name (case-insensitive); null when it is not one of <see cref="Accepted"/>.</summary>
    public static GoldType? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var name = text.Trim().ToLowerInvariant();
        var match = NumericPattern().Match(name);
        if (match.Success)
        {
            var precision = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            var scale = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            return precision is >= 1 and <= 29 && scale >= 0 && scale <= Math.Min(precision, 9)
                ? new GoldType(ColumnType.Decimal, precision, scale)
                : null;
        }

        return name switch
        {
            "string" => new GoldType(ColumnType.String),
            "int64" => new GoldType(ColumnType.Int64),
            "float64" => new GoldType(ColumnType.Float64),
            "numeric" => new GoldType(ColumnType.Decimal),
            "bool" => new GoldType(ColumnType.Bool),
            "date" => new GoldType(ColumnType.Date),
            "timestamp" => new GoldType(ColumnType.Timestamp),
            _ => null,
        };
    }

    /// <summary>The header spelling, e.g. <c>numeric(18,2)</c>.</summary>
    public override string ToString() => Kind switch
    {
        ColumnType.String => "string",
        ColumnType.Int64 => "int64",
        ColumnType.Float64 => "float64",
        ColumnType.Decimal when Precision is { } p => string.Create(CultureInfo.InvariantCulture, $"numeric({p},{Scale})"),
        ColumnType.Decimal => "numeric",
        ColumnType.Bool => "bool",
        ColumnType.Date => "date",
        ColumnType.Timestamp => "timestamp",
        _ => Kind.ToString().ToLowerInvariant(),
    };

    /// <summary>True for types whose literals are written unquoted (numbers and booleans).</summary>
    public bool IsUnquoted => Kind is ColumnType.Int64 or ColumnType.Float64 or ColumnType.Decimal or ColumnType.Bool;

    [GeneratedRegex(@"^numeric\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$", RegexOptions.CultureInvariant)]
    private static partial Regex NumericPattern();
}
