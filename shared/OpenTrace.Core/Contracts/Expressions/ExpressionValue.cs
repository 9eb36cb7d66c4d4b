using System.Globalization;

namespace OpenTrace.Core.Contracts.Expressions;

/// <summary>The type of an expression value.</summary>
public enum ValueKind
{
    /// <summary>SQL NULL (unknown).</summary>
    Null,

    /// <summary>true/false.</summary>
    Bool,

    /// <summary>64-bit integer.</summary>
    Int,

    /// <summary>Exact decimal (.NET <see cref="decimal"/>).</summary>
    Decimal,

    /// <summary>IEEE double.</summary>
    Double,

    /// <summary>Text.</summary>
    String,

    /// <summary>Calendar date, as days since 1970-01-01.</summary>
    Date,

    /// <summary>Instant, as microseconds since 1970-01-01T00:00:00Z.</summary>
    Timestamp,
}

/// <summary>One value seen by an expression: a small tagged union that evaluates without boxing.</summary>
public readonly struct ExpressionValue : IEquatable<ExpressionValue>
{
    private readonly long _long;
    private readonly double _double;
    private readonly decimal _decimal;
    private readonly string? _string;

    private ExpressionValue(ValueKind kind, long l = 0, double d = 0, decimal m = 0, string? s = null)
    {
        Kind = kind;
        _long = l;
        _double = d;
        _decimal = m;
        _string = s;
    }

    /// <summary>NULL.</summary>
    public static ExpressionValue Null => default;

    /// <summary>The kind.</summary>
    public ValueKind Kind { get; }

    /// <summary>True for NULL.</summary>
    public bool IsNull => Kind == ValueKind.Null;

    /// <summary>The boolean (Bool only).</summary>
    public bool Bool => _long != 0;

    /// <summary>The integer, days (Date) or microseconds (Timestamp).</summary>
    public long Long => _long;

    /// <summary>The text (String only).</summary>
    public string Text => _string ?? string.Empty;

    /// <summary>A boolean.</summary>
    public static ExpressionValue FromBool(bool value) => new(ValueKind.Bool, value ? 1 : 0);

    /// <summary>An integer.</summary>
    public static ExpressionValue FromInt(long value) => new(ValueKind.Int, value);

    /// <summary>A decimal.</summary>
    public static ExpressionValue FromDecimal(decimal value) => new(ValueKind.Decimal, m: value);

    /// <summary>A double.</summary>
    public static ExpressionValue FromDouble(double value) => new(ValueKind.Double, d: value);

    /// <summary>Text; null gives NULL.</summary>
    public static ExpressionValue FromString(string? value) => value is null ? Null : new(ValueKind.String, s: value);

    /// <summary>A date as days since 1970-01-01.</summary>
    public static ExpressionValue FromDate(long days) => new(ValueKind.Date, days);

    /// <summary>An instant as microseconds since the Unix epoch.</summary>
    public static ExpressionValue FromTimestamp(long micros) => new(ValueKind.Timestamp, micros);

    /// <summary>The value as a decimal (Int, Decimal, Double).</summary>
    public decimal AsDecimal() => Kind switch
    {
        ValueKind.Int => _long,
        ValueKind.Decimal => _decimal,
        ValueKind.Double => (decimal)_double,
        _ => throw new InvalidOperationException($"{Kind} is not a number."),
    };

    /// <summary>The value as a double (Int, Decimal, Double).</summary>
    public double AsDouble() => Kind switch
    {
        ValueKind.Int => _long,
        ValueKind.Decimal => (double)_decimal,
        ValueKind.Double => _double,
        _ => throw new InvalidOperationException($"{Kind} is not a number."),
    };

    /// <summary>The value as microseconds since the epoch (Date at midnight UTC, Timestamp).</summary>
    public long AsMicros() => Kind switch
    {
        ValueKind.Date => _long * 86_400_000_000L,
        ValueKind.Timestamp => _long,
        _ => throw new InvalidOperationException($"{Kind} is not a date or timestamp."),
    };

    /// <summary>
    /// Compares two non-null values of compatible kinds (numbers with numbers, dates with timestamps, text with
    /// text ordinally, booleans with booleans).
    /// </summary>
    public static int Compare(in ExpressionValue a, in ExpressionValue b)
    {
        if (a.Kind == b.Kind)
        {
            return a.Kind switch
            {
                ValueKind.Int or ValueKind.Date or ValueKind.Timestamp or ValueKind.Bool => a._long.CompareTo(b._long),
                ValueKind.Decimal => a._decimal.CompareTo(b._decimal),
                ValueKind.Double => a._double.CompareTo(b._double),
                ValueKind.String => string.CompareOrdinal(a._string, b._string),
                _ => 0,
            };
        }

        if (IsNumber(a.Kind) && IsNumber(b.Kind))
        {
            return a.Kind == ValueKind.Double || b.Kind == ValueKind.Double
                ? a.AsDouble().CompareTo(b.AsDouble())
                : a.AsDecimal().CompareTo(b.AsDecimal());
        }

        if (IsTemporal(a.Kind) && IsTemporal(b.Kind))
        {
            return a.AsMicros().CompareTo(b.AsMicros());
        }

        throw new InvalidOperationException($"Cannot compare {a.Kind} with {b.Kind}.");
    }

    /// <summary>True for Int, Decimal and Double.</summary>
    public static bool IsNumber(ValueKind kind) => kind is ValueKind.Int or ValueKind.Decimal or ValueKind.Double;

    /// <summary>True for Date and Timestamp.</summary>
    public static bool IsTemporal(ValueKind kind) => kind is ValueKind.Date or ValueKind.Timestamp;

    /// <inheritdoc />
    public bool Equals(ExpressionValue other) =>
        Kind == other.Kind && (Kind == ValueKind.Null || Compare(this, other) == 0);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ExpressionValue other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, _long, _double, _decimal, _string);

    /// <summary>Equality of kind and value.</summary>
    public static bool operator ==(ExpressionValue left, ExpressionValue right) => left.Equals(right);

    /// <summary>Inequality of kind or value.</summary>
    public static bool operator !=(ExpressionValue left, ExpressionValue right) => !left.Equals(right);

    /// <summary>The value in the form a contract writes it (ISO dates and timestamps).</summary>
    public override string ToString() => Kind switch
    {
        ValueKind.Null => "null",
        ValueKind.Bool => Bool ? "true" : "false",
        ValueKind.Int => _long.ToString(CultureInfo.InvariantCulture),
        ValueKind.Decimal => _decimal.ToString(CultureInfo.InvariantCulture),
        ValueKind.Double => _double.ToString("R", CultureInfo.InvariantCulture),
        ValueKind.String => _string!,
        ValueKind.Date => DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + (int)_long).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => DateTime.UnixEpoch.AddTicks(_long * 10).ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture) + "Z",
    };
}
