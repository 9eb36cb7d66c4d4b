using System.Globalization;

namespace OpenTrace.Core.Warehouse;

/// <summary>Converts values read from a warehouse or document store to CLR types with invariant rules.</summary>
public static class ValueConversion
{
    /// <summary>Converts <paramref name="value"/> to <typeparamref name="T"/>; null and DBNull give default.</summary>
    public static T? To<T>(object? value)
    {
        if (value is null || value is DBNull)
        {
            return default;
        }

        if (value is T typed)
        {
            return typed;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (target == typeof(DateTimeOffset))
        {
            return (T)(object)(value switch
            {
                DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, dt.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : dt.Kind)),
                string s => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                _ => throw new InvalidCastException($"Cannot convert {value.GetType().Name} to DateTimeOffset."),
            });
        }

        if (target == typeof(DateTime))
        {
            return (T)(object)(value switch
            {
                DateTimeOffset dto => dto.UtcDateTime,
                DateOnly d => d.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                string s => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                _ => throw new InvalidCastException($"Cannot convert {value.GetType().Name} to DateTime."),
            });
        }

        if (target == typeof(DateOnly))
        {
            return (T)(object)(value switch
            {
                DateTime dt => DateOnly.FromDateTime(dt),
                DateTimeOffset dto => DateOnly.FromDateTime(dto.UtcDateTime),
                string s => DateOnly.Parse(s, CultureInfo.InvariantCulture),
                _ => throw new InvalidCastException($"Cannot convert {value.GetType().Name} to DateOnly."),
            });
        }

        if (target == typeof(string))
        {
            return (T)(object)(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
        }

        if (value is System.Numerics.BigInteger big)
        {
            value = (decimal)big;
        }

        return (T)Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }
}
