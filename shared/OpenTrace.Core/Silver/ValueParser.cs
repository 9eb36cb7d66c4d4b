using System.Globalization;
using System.Text;
using OpenTrace.Core.Contracts;
using OpenTrace.Core.Contracts.Expressions;

namespace OpenTrace.Core.Silver;

/// <summary>A parsed value in the slot its kind uses.</summary>
/// <param name="Long">Int64, Bool (0/1), Date (days since 1970-01-01), Timestamp (µs since the epoch, UTC), Decimal up to precision 18 (unscaled).</param>
/// <param name="Double">Float64.</param>
/// <param name="Wide">Decimal above precision 18 (unscaled).</param>
internal readonly record struct TypedValue(long Long, double Double = 0, Int128 Wide = default);

/// <summary>
/// Parses text (UTF-8 bytes, as read from bronze) into one contract type. Numbers use the invariant format
/// (optional sign, digits, '.' decimal point; int64 also accepts a zero fraction such as <c>40.0</c>); decimals round
/// half away from zero to the scale and fail beyond the precision; dates and timestamps use the type's formats
/// (ISO 8601 when none) and timestamps without an offset are read in the type's zone. Thread-safe.
/// </summary>
internal sealed class ValueParser
{
    private const long UnixEpochTicks = 621_355_968_000_000_000;
    private const int UnixEpochDayNumber = 719_162;

    private static readonly Int128[] PowersOfTen = BuildPowers();

    private readonly ContractType _type;
    private readonly FastShape _shape;
    private readonly string[] _formats;
    private readonly bool[] _formatHasOffset;
    private readonly ZoneConverter? _zone;
    private readonly Int128 _maxUnscaled;

    public ValueParser(ContractType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        _type = type;
        _formats = [.. type.Formats];
        _shape = ShapeOf(type);
        _zone = type.TimeZone is { } zone && (zone.BaseUtcOffset != TimeSpan.Zero || zone.SupportsDaylightSavingTime)
            ? ZoneConverter.For(zone)
            : null;
        _formatHasOffset = [.. _formats.Select(f => f.Contains('z', StringComparison.Ordinal) || f.Contains('K', StringComparison.Ordinal))];
        _maxUnscaled = type.Kind == ContractTypeKind.Decimal ? PowersOfTen[type.Precision] - 1 : 0;
    }

    /// <summary>Fixed layouts parsed straight from the bytes; anything else goes through <see cref="DateTime.TryParseExact(string, string[], IFormatProvider, DateTimeStyles, out DateTime)"/>.</summary>
    private enum FastShape
    {
        None,
        Iso,
        DateOnly,
        DateSpaceTime,
        DateTTime,
        Mixed,
    }

    public ContractType Type => _type;

    /// <summary>
    /// A parser for the values a contract itself writes (defaults, accepted values, range bounds): the column's type
    /// and zone, but dates and timestamps in ISO 8601 whatever formats the data uses.
    /// </summary>
    public static ValueParser ForLiterals(ContractType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return new ValueParser(type.Formats.Count == 0 ? type : type with { Formats = [] });
    }

    /// <summary>Parses <paramref name="utf8"/> (already trimmed and normalised); false when it is not a valid value.</summary>
    public bool TryParse(ReadOnlySpan<byte> utf8, out TypedValue value)
    {
        value = default;
        switch (_type.Kind)
        {
            case ContractTypeKind.Int64:
                {
                    var ok = TryParseInt64(utf8, out var l);
                    value = new TypedValue(l);
                    return ok;
                }

            case ContractTypeKind.Float64:
                {
                    var ok = double.TryParse(utf8, NumberStyles.Float, CultureInfo.InvariantCulture, out var d);
                    value = new TypedValue(0, d);
                    return ok;
                }

            case ContractTypeKind.Decimal:
                {
                    if (!TryParseDecimal(utf8, _type.Scale, out var unscaled) || Int128.Abs(unscaled) > _maxUnscaled)
                    {
                        return false;
                    }

                    value = _type.Precision <= ContractType.MaxInt64DecimalPrecision ? new TypedValue((long)unscaled) : new TypedValue(0, 0, unscaled);
                    return true;
                }

            case ContractTypeKind.Bool:
                {
                    var ok = TryParseBool(utf8, out var b);
                    value = new TypedValue(b ? 1 : 0);
                    return ok;
                }

            case ContractTypeKind.Date:
                {
                    var ok = TryParseDate(utf8, out var days);
                    value = new TypedValue(days);
                    return ok;
                }

            case ContractTypeKind.Timestamp:
                {
                    var ok = TryParseTimestamp(utf8, out var micros);
                    value = new TypedValue(micros);
                    return ok;
                }

            default:
                return true;
        }
    }

    /// <summary>Parses text (a default, a range bound or an expression literal) into an expression value.</summary>
    public bool TryParseText(string text, out ExpressionValue value)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_type.Kind == ContractTypeKind.String)
        {
            value = ExpressionValue.FromString(text);
            return true;
        }

        var bytes = Encoding.UTF8.GetBytes(text.Trim());
        if (!TryParse(bytes, out var typed))
        {
            value = default;
            return false;
        }

        value = ToExpression(_type, typed);
        return true;
    }

    /// <summary>The expression value of a parsed value of <paramref name="type"/> (not for strings).</summary>
    public static ExpressionValue ToExpression(ContractType type, TypedValue typed) => type.Kind switch
    {
        ContractTypeKind.Int64 => ExpressionValue.FromInt(typed.Long),
        ContractTypeKind.Float64 => ExpressionValue.FromDouble(typed.Double),
        ContractTypeKind.Decimal => ExpressionValue.FromDecimal(ToDecimal(type.Precision <= ContractType.MaxInt64DecimalPrecision ? typed.Long : typed.Wide, type.Scale)),
        ContractTypeKind.Bool => ExpressionValue.FromBool(typed.Long != 0),
        ContractTypeKind.Date => ExpressionValue.FromDate(typed.Long),
        ContractTypeKind.Timestamp => ExpressionValue.FromTimestamp(typed.Long),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type.Kind, "Strings have no typed value."),
    };

    /// <summary>An unscaled decimal as a .NET decimal (beyond 28 significant digits it is rounded).</summary>
    public static decimal ToDecimal(Int128 unscaled, int scale)
    {
        var magnitude = Int128.Abs(unscaled);
        var max = (Int128)decimal.MaxValue;
        if (magnitude <= max && scale <= 28)
        {
            var bits = (UInt128)magnitude;
            return new decimal((int)(uint)bits, (int)(uint)(bits >> 32), (int)(uint)(bits >> 64), unscaled < 0, (byte)scale);
        }

        return (decimal)((double)unscaled / Math.Pow(10, scale));
    }

    /// <summary>The value kind expressions see for a contract type.</summary>
    public static ValueKind KindOf(ContractType type) => type.Kind switch
    {
        ContractTypeKind.String => ValueKind.String,
        ContractTypeKind.Int64 => ValueKind.Int,
        ContractTypeKind.Float64 => ValueKind.Double,
        ContractTypeKind.Decimal => ValueKind.Decimal,
        ContractTypeKind.Bool => ValueKind.Bool,
        ContractTypeKind.Date => ValueKind.Date,
        _ => ValueKind.Timestamp,
    };

    internal static bool TryParseInt64(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            i = 1;
        }

        if (i >= s.Length || !IsDigit(s[i]))
        {
            return false;
        }

        ulong magnitude = 0;
        for (; i < s.Length && IsDigit(s[i]); i++)
        {
            if (magnitude > (ulong.MaxValue - 9) / 10)
            {
                return false;
            }

            magnitude = (magnitude * 10) + (ulong)(s[i] - '0');
        }

        if (i < s.Length)
        {
            // a zero fraction ("40.0") is still a whole number
            if (s[i] != '.' || i + 1 == s.Length)
            {
                return false;
            }

            for (i++; i < s.Length; i++)
            {
                if (s[i] != '0')
                {
                    return false;
                }
            }
        }

        if (negative ? magnitude > (ulong)long.MaxValue + 1 : magnitude > long.MaxValue)
        {
            return false;
        }

        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    internal static bool TryParseDecimal(ReadOnlySpan<byte> s, int scale, out Int128 unscaled)
    {
        unscaled = 0;
        var i = 0;
        var negative = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            negative = s[0] == '-';
            i = 1;
        }

        var digits = 0;
        var fraction = -1;
        var dropped = false;
        var roundUp = false;
        Int128 value = 0;
        for (; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '.')
            {
                if (fraction >= 0)
                {
                    return false;
                }

                fraction = 0;
                continue;
            }

            if (!IsDigit(c))
            {
                return false;
            }

            digits++;
            if (fraction >= 0)
            {
                if (fraction == scale)
                {
                    // Half away from zero: only the first digit past the scale decides.
                    if (!dropped)
                    {
                        roundUp = c >= '5';
                        dropped = true;
                    }

                    continue;
                }

                fraction++;
            }

            if (value > Int128.MaxValue / 100)
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        if (digits == 0)
        {
            return false;
        }

        value *= PowersOfTen[scale - Math.Max(fraction, 0)];
        if (roundUp)
        {
            value += 1;
        }

        unscaled = negative ? -value : value;
        return true;
    }

    internal static bool TryParseBool(ReadOnlySpan<byte> s, out bool value)
    {
        value = false;
        if (s.Length is 0 or > 5)
        {
            return false;
        }

        Span<byte> lower = stackalloc byte[5];
        for (var i = 0; i < s.Length; i++)
        {
            lower[i] = (byte)(s[i] is >= (byte)'A' and <= (byte)'Z' ? s[i] + 32 : s[i]);
        }

        var word = lower[..s.Length];
        if (word.SequenceEqual("true"u8) || word.SequenceEqual("t"u8) || word.SequenceEqual("1"u8) || word.SequenceEqual("yes"u8) || word.SequenceEqual("y"u8))
        {
            value = true;
            return true;
        }

        return word.SequenceEqual("false"u8) || word.SequenceEqual("f"u8) || word.SequenceEqual("0"u8) || word.SequenceEqual("no"u8) || word.SequenceEqual("n"u8);
    }

    private bool TryParseDate(ReadOnlySpan<byte> s, out long days)
    {
        days = 0;
        if (_shape is FastShape.Iso or FastShape.DateOnly or FastShape.Mixed && s.Length == 10 && TryReadDate(s, out var dayNumber))
        {
            days = dayNumber - UnixEpochDayNumber;
            return true;
        }

        if (_shape is FastShape.Iso or FastShape.DateOnly)
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(s);
        if (DateOnly.TryParseExact(text, _formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            days = date.DayNumber - UnixEpochDayNumber;
            return true;
        }

        return false;
    }

    private bool TryParseTimestamp(ReadOnlySpan<byte> s, out long micros)
    {
        micros = 0;
        long ticks;
        bool hasOffset;
        long offsetTicks = 0;
        switch (_shape)
        {
            case FastShape.Iso:
                if (!TryReadIso(s, out ticks, out hasOffset, out offsetTicks))
                {
                    return false;
                }

                break;
            case FastShape.DateOnly when s.Length == 10 && TryReadDate(s, out var day):
                ticks = day * TimeSpan.TicksPerDay;
                hasOffset = false;
                break;
            case FastShape.DateSpaceTime or FastShape.DateTTime when s.Length == 19 && s[10] == (_shape == FastShape.DateSpaceTime ? (byte)' ' : (byte)'T') && TryReadDateTime(s, out ticks):
                hasOffset = false;
                break;
            case FastShape.DateOnly or FastShape.DateSpaceTime or FastShape.DateTTime:
                return false;
            default:
                {
                    if (!TryParseCustom(Encoding.UTF8.GetString(s), out ticks, out hasOffset, out offsetTicks))
                    {
                        return false;
                    }

                    break;
                }
        }

        var utc = hasOffset ? ticks - offsetTicks : _zone?.ToUtcTicks(ticks) ?? ticks;
        micros = (utc - UnixEpochTicks) / 10;
        return true;
    }

    /// <summary>The first of the custom formats that reads <paramref name="text"/>; an offset in the text wins over the column's zone.</summary>
    private bool TryParseCustom(string text, out long ticks, out bool hasOffset, out long offsetTicks)
    {
        for (var f = 0; f < _formats.Length; f++)
        {
            if (DateTimeOffset.TryParseExact(text, _formats[f], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                ticks = parsed.DateTime.Ticks;
                hasOffset = _formatHasOffset[f];
                offsetTicks = parsed.Offset.Ticks;
                return true;
            }
        }

        ticks = 0;
        hasOffset = false;
        offsetTicks = 0;
        return false;
    }

    /// <summary>ISO 8601: a date, optionally a time after 'T' or a space (HH:mm, HH:mm:ss, fraction), optionally Z or ±HH[:]mm.</summary>
    private static bool TryReadIso(ReadOnlySpan<byte> s, out long ticks, out bool hasOffset, out long offsetTicks)
    {
        ticks = 0;
        hasOffset = false;
        offsetTicks = 0;
        if (s.Length < 10 || !TryReadDate(s[..10], out var day))
        {
            return false;
        }

        ticks = day * TimeSpan.TicksPerDay;
        if (s.Length == 10)
        {
            return true;
        }

        if (s[10] is not ((byte)'T' or (byte)' ' or (byte)'t') || s.Length < 16)
        {
            return false;
        }

        if (!TwoDigits(s, 11, out var hour) || s[13] != ':' || !TwoDigits(s, 14, out var minute) || hour > 23 || minute > 59)
        {
            return false;
        }

        var i = 16;
        var second = 0;
        long fractionTicks = 0;
        if (i < s.Length && s[i] == ':')
        {
            if (!TwoDigits(s, i + 1, out second) || second > 59)
            {
                return false;
            }

            i += 3;
            if (i < s.Length && s[i] is (byte)'.' or (byte)',')
            {
                i++;
                var start = i;
                long scale = TimeSpan.TicksPerSecond / 10;
                for (; i < s.Length && IsDigit(s[i]); i++)
                {
                    fractionTicks += (s[i] - '0') * scale;
                    scale /= 10;
                }

                if (i == start)
                {
                    return false;
                }
            }
        }

        ticks += (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond) + fractionTicks;
        if (i == s.Length)
        {
            return true;
        }

        if (s[i] is (byte)'Z' or (byte)'z' && i + 1 == s.Length)
        {
            hasOffset = true;
            return true;
        }

        if (s[i] is not ((byte)'+' or (byte)'-'))
        {
            return false;
        }

        var sign = s[i] == '-' ? -1 : 1;
        var rest = s[(i + 1)..];
        int oh, om = 0;
        if (rest.Length == 2 && TwoDigits(rest, 0, out oh))
        {
        }
        else if (rest.Length == 4 && TwoDigits(rest, 0, out oh) && TwoDigits(rest, 2, out om))
        {
        }
        else if (rest.Length == 5 && TwoDigits(rest, 0, out oh) && rest[2] == ':' && TwoDigits(rest, 3, out om))
        {
        }
        else
        {
            return false;
        }

        if (oh > 18 || om > 59)
        {
            return false;
        }

        hasOffset = true;
        offsetTicks = sign * ((oh * TimeSpan.TicksPerHour) + (om * TimeSpan.TicksPerMinute));
        return true;
    }

    /// <summary><c>yyyy-MM-dd</c> as a day number (days since 0001-01-01).</summary>
    private static bool TryReadDate(ReadOnlySpan<byte> s, out long dayNumber)
    {
        dayNumber = 0;
        if (s.Length < 10 || s[4] != '-' || s[7] != '-' || !TwoDigits(s, 0, out var c) || !TwoDigits(s, 2, out var y)
            || !TwoDigits(s, 5, out var month) || !TwoDigits(s, 8, out var day))
        {
            return false;
        }

        var year = (c * 100) + y;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        dayNumber = new DateOnly(year, month, day).DayNumber;
        return true;
    }

    /// <summary><c>yyyy-MM-dd?HH:mm:ss</c> (the separator is checked by the caller) as ticks.</summary>
    private static bool TryReadDateTime(ReadOnlySpan<byte> s, out long ticks)
    {
        ticks = 0;
        if (!TryReadDate(s, out var day) || s[13] != ':' || s[16] != ':'
            || !TwoDigits(s, 11, out var hour) || !TwoDigits(s, 14, out var minute) || !TwoDigits(s, 17, out var second)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        ticks = (day * TimeSpan.TicksPerDay) + (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond);
        return true;
    }

    private static bool TwoDigits(ReadOnlySpan<byte> s, int at, out int value)
    {
        value = 0;
        if (at + 1 >= s.Length || !IsDigit(s[at]) || !IsDigit(s[at + 1]))
        {
            return false;
        }

        value = ((s[at] - '0') * 10) + (s[at + 1] - '0');
        return true;
    }

    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    private static FastShape ShapeOf(ContractType type)
    {
        if (type.Kind is not (ContractTypeKind.Date or ContractTypeKind.Timestamp))
        {
            return FastShape.None;
        }

        if (type.Formats.Count == 0)
        {
            return FastShape.Iso;
        }

        if (type.Formats.Count == 1)
        {
            switch (type.Formats[0])
            {
                case "yyyy-MM-dd":
                    return FastShape.DateOnly;
                case "yyyy-MM-dd HH:mm:ss" when type.Kind == ContractTypeKind.Timestamp:
                    return FastShape.DateSpaceTime;
                case "yyyy-MM-dd'T'HH:mm:ss" or "yyyy-MM-ddTHH:mm:ss" when type.Kind == ContractTypeKind.Timestamp:
                    return FastShape.DateTTime;
            }
        }

        return type.Kind == ContractTypeKind.Date && type.Formats.Contains("yyyy-MM-dd") ? FastShape.Mixed : FastShape.None;
    }

    private static Int128[] BuildPowers()
    {
        var powers = new Int128[ContractType.MaxDecimalPrecision + 1];
        powers[0] = 1;
        for (var i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}
