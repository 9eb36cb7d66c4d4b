using System.Collections;
using System.Data.Common;
using System.Numerics;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Embedded.Warehouse;

/// <summary>Converts CLR values to DuckDB parameters and DuckDB results to plain CLR values.</summary>
internal static class DuckDbValues
{
    private static readonly System.Reflection.MethodInfo GetFieldValueMethod =
        typeof(DbDataReader).GetMethod(nameof(DbDataReader.GetFieldValue))!;

    /// <summary>
    /// A value DuckDB.NET can bind: instants become UTC <see cref="DateTime"/> (TIMESTAMP holds UTC), any list becomes a
    /// <see cref="List{T}"/> of a bindable element type.
    /// </summary>
    public static object ToParameter(object? value, string name) => value switch
    {
        null or DBNull => DBNull.Value,
        string or long or int or short or sbyte or byte or double or float or decimal or bool or DateOnly or TimeOnly or Guid or byte[] => value,
        DateTimeOffset instant => instant.UtcDateTime,
        DateTime dateTime => Utc(dateTime),
        IEnumerable<string?> texts => texts.ToList(),
        IEnumerable<long> longs => longs.ToList(),
        IEnumerable<int> ints => ints.Select(i => (long)i).ToList(),
        IEnumerable<double> doubles => doubles.ToList(),
        IEnumerable<float> floats => floats.Select(f => (double)f).ToList(),
        IEnumerable<decimal> decimals => decimals.ToList(),
        IEnumerable<bool> bools => bools.ToList(),
        IEnumerable<DateOnly> dates => dates.ToList(),
        IEnumerable<DateTimeOffset> instants => instants.Select(i => i.UtcDateTime).ToList(),
        IEnumerable<DateTime> dateTimes => dateTimes.Select(Utc).ToList(),
        _ => throw new WarehouseException(
            $"Value of '{name}' is a {value.GetType().FullName}; the DuckDB warehouse takes text, integers, floating point, decimal, bool, DateOnly, DateTime, DateTimeOffset, byte[] and lists of those.",
            reason: "invalid",
            location: name),
    };

    /// <summary>Reads column <paramref name="ordinal"/> of the current row as a plain CLR value (null for NULL).</summary>
    public static object? Read(DbDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return null;
        }

        object value;
        try
        {
            value = reader.GetValue(ordinal);
        }
        catch (InvalidCastException) when (NullableListType(reader.GetFieldType(ordinal)) is { } nullableList)
        {
            // A list holding NULLs cannot be read as List<T> of a value type; read it as List<T?>.
            value = GetFieldValueMethod.MakeGenericMethod(nullableList).Invoke(reader, [ordinal])!;
        }

        return FromDuckDb(value);
    }

    /// <summary>Maps DuckDB.NET's value types to the plain ones callers expect from both warehouses.</summary>
    public static object? FromDuckDb(object? value) => value switch
    {
        null or DBNull => null,
        string or long or double or decimal or bool or DateOnly or Guid or TimeOnly or TimeSpan or byte[] => value,
        DateTime dateTime => Utc(dateTime),
        DateTimeOffset instant => instant.UtcDateTime,
        int or short or sbyte or byte or ushort or uint => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        ulong big => big <= long.MaxValue ? (long)big : (decimal)big,
        BigInteger huge => FromBigInteger(huge),
        float single => (double)single,
        Stream stream => ReadAll(stream),
        List<string> or List<long> or List<double> or List<decimal> or List<bool> or List<DateOnly> => value,
        List<long?> or List<double?> or List<decimal?> or List<bool?> or List<DateOnly?> => value,
        List<int> ints => ints.ConvertAll(i => (long)i),
        List<int?> ints => ints.ConvertAll(i => (long?)i),
        List<float> floats => floats.ConvertAll(f => (double)f),
        List<float?> floats => floats.ConvertAll(f => (double?)f),
        List<DateTime> instants => instants.ConvertAll(Utc),
        List<DateTime?> instants => instants.ConvertAll(i => i is null ? (DateTime?)null : Utc(i.Value)),
        IDictionary map => FromMap(map),
        IList list => list.Cast<object?>().Select(FromDuckDb).ToList(),
        _ => value,
    };

    private static Dictionary<string, object?> FromMap(IDictionary map)
    {
        var result = new Dictionary<string, object?>(map.Count, StringComparer.Ordinal);
        var entry = map.GetEnumerator(); // an IDictionaryEnumerator yields DictionaryEntry for any dictionary
        while (entry.MoveNext())
        {
            result[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture)!] = FromDuckDb(entry.Value);
        }

        return result;
    }

    private static DateTime Utc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    private static object FromBigInteger(BigInteger value)
    {
        if (value >= long.MinValue && value <= long.MaxValue)
        {
            return (long)value;
        }

        return value >= (BigInteger)decimal.MinValue && value <= (BigInteger)decimal.MaxValue ? (decimal)value : (double)value;
    }

    private static byte[] ReadAll(Stream stream)
    {
        using (stream)
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }
    }

    private static Type? NullableListType(Type fieldType) =>
        fieldType.IsGenericType && fieldType.GetGenericTypeDefinition() == typeof(List<>) && fieldType.GetGenericArguments()[0] is { IsValueType: true } element && Nullable.GetUnderlyingType(element) is null
            ? typeof(List<>).MakeGenericType(typeof(Nullable<>).MakeGenericType(element))
            : null;
}
