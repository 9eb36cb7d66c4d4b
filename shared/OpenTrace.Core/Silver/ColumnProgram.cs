using System.Text;
using OpenTrace.Core.Contracts;
using OpenTrace.Core.Contracts.Expressions;

namespace OpenTrace.Core.Silver;

/// <summary>Outcome of converting one value.</summary>
internal enum ConvertStatus
{
    Null,
    Value,
    Invalid,
}

/// <summary>Per-worker scratch space, so that shared column programs never allocate per value.</summary>
internal sealed class WorkerScratch
{
    public byte[] Bytes { get; private set; } = new byte[256];

    public char[] Chars { get; private set; } = new char[256];

    public Span<byte> BytesFor(int length)
    {
        if (Bytes.Length < length)
        {
            Bytes = new byte[Math.Max(length, Bytes.Length * 2)];
        }

        return Bytes.AsSpan(0, length);
    }

    /// <summary>Decodes UTF-8 into the char scratch buffer.</summary>
    public ReadOnlySpan<char> Decode(ReadOnlySpan<byte> utf8)
    {
        var max = Encoding.UTF8.GetMaxCharCount(utf8.Length);
        if (Chars.Length < max)
        {
            Chars = new char[Math.Max(max, Chars.Length * 2)];
        }

        var count = Encoding.UTF8.GetChars(utf8, Chars);
        return Chars.AsSpan(0, count);
    }
}

/// <summary>
/// How one contract column turns bronze text into its silver value: trim, empty-as-null, case, value map, default,
/// then parsing for non-text types. Shared by all workers (state lives in <see cref="WorkerScratch"/>).
/// </summary>
internal sealed class ColumnProgram
{
    private readonly Dictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> _map;
    private readonly bool _hasMap;
    private readonly byte[]? _defaultText;
    private readonly TypedValue _defaultTyped;

    public ColumnProgram(ContractColumn column, int ordinal, BronzeColumn? source)
    {
        Column = column;
        Ordinal = ordinal;
        Source = source;
        Parser = column.Type.Kind == ContractTypeKind.String ? null : new ValueParser(column.Type);
        var map = column.Map.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value), StringComparer.Ordinal);
        _map = map.GetAlternateLookup<ReadOnlySpan<char>>();
        _hasMap = map.Count > 0;
        if (column.Default is { } text)
        {
            _defaultText = Encoding.UTF8.GetBytes(text);
            if (Parser is not null && !ValueParser.ForLiterals(column.Type).TryParse(Encoding.UTF8.GetBytes(text.Trim()), out _defaultTyped))
            {
                throw new ArgumentException($"Default '{text}' of column {column.Name} is not a valid {column.Type}.", nameof(column));
            }
        }
    }

    public ContractColumn Column { get; }

    /// <summary>Position in the contract's columns (what expressions reference).</summary>
    public int Ordinal { get; }

    /// <summary>The bronze column it reads; null when the file lacks it (an optional column: every value is null or the default).</summary>
    public BronzeColumn? Source { get; }

    /// <summary>Parser of non-text types; null for strings.</summary>
    public ValueParser? Parser { get; }

    public bool IsString => Parser is null;

    /// <summary>
    /// Converts one raw value. Text goes into <paramref name="arena"/> (<paramref name="text"/>); other types into
    /// <paramref name="typed"/>. Invalid means the text does not parse as the column's type.
    /// </summary>
    public ConvertStatus Convert(ReadOnlySpan<byte> raw, bool rawIsNull, ByteArena arena, WorkerScratch scratch, out Utf8Ref text, out TypedValue typed)
    {
        var status = Convert(raw, rawIsNull, scratch, out var value, out typed);
        text = status == ConvertStatus.Value && Parser is null ? arena.Append(value) : Utf8Ref.Null;
        return status;
    }

    /// <summary>
    /// Converts one raw value without keeping it: text comes back as <paramref name="value"/>, valid until the next
    /// call with the same scratch; other types in <paramref name="typed"/>.
    /// </summary>
    public ConvertStatus Convert(ReadOnlySpan<byte> raw, bool rawIsNull, WorkerScratch scratch, out ReadOnlySpan<byte> value, out TypedValue typed)
    {
        typed = default;
        value = raw;
        var isNull = rawIsNull;
        if (!isNull)
        {
            value = Normalize(value, scratch, out isNull);
        }

        if (isNull)
        {
            if (_defaultText is null)
            {
                value = default;
                return ConvertStatus.Null;
            }

            if (Parser is not null)
            {
                typed = _defaultTyped;
                return ConvertStatus.Value;
            }

            value = _defaultText;
        }

        return Parser is null || Parser.TryParse(value, out typed) ? ConvertStatus.Value : ConvertStatus.Invalid;
    }

    /// <summary>Trim, empty-as-null, case and map; the result may live in the scratch buffer until the next call.</summary>
    private ReadOnlySpan<byte> Normalize(ReadOnlySpan<byte> value, WorkerScratch scratch, out bool isNull)
    {
        isNull = false;
        if (Column.Trim)
        {
            value = TrimUtf8(value);
        }

        if (value.IsEmpty && Column.EmptyAsNull)
        {
            isNull = true;
            return value;
        }

        if (Column.Case != TextCase.None)
        {
            value = ChangeCase(value, Column.Case == TextCase.Lower, scratch);
        }

        if (_hasMap && _map.TryGetValue(scratch.Decode(value), out var mapped))
        {
            value = mapped;
        }

        return value;
    }

    /// <summary>Removes ASCII white space and no-break spaces (U+00A0) from both ends.</summary>
    public static ReadOnlySpan<byte> TrimUtf8(ReadOnlySpan<byte> value)
    {
        var start = 0;
        var end = value.Length;
        while (start < end)
        {
            if (IsAsciiSpace(value[start]))
            {
                start++;
            }
            else if (value[start] == 0xC2 && start + 1 < end && value[start + 1] == 0xA0)
            {
                start += 2;
            }
            else
            {
                break;
            }
        }

        while (end > start)
        {
            if (IsAsciiSpace(value[end - 1]))
            {
                end--;
            }
            else if (end - start >= 2 && value[end - 1] == 0xA0 && value[end - 2] == 0xC2)
            {
                end -= 2;
            }
            else
            {
                break;
            }
        }

        return value[start..end];
    }

    private static bool IsAsciiSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0x0B or 0x0C;

    private static ReadOnlySpan<byte> ChangeCase(ReadOnlySpan<byte> value, bool lower, WorkerScratch scratch)
    {
        var needsChange = -1;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c >= 0x80)
            {
                return ChangeCaseSlow(value, lower, scratch);
            }

            if (needsChange < 0 && (lower ? c is >= (byte)'A' and <= (byte)'Z' : c is >= (byte)'a' and <= (byte)'z'))
            {
                needsChange = i;
            }
        }

        if (needsChange < 0)
        {
            return value;
        }

        var output = scratch.BytesFor(value.Length);
        value.CopyTo(output);
        for (var i = needsChange; i < output.Length; i++)
        {
            var c = output[i];
            if (lower ? c is >= (byte)'A' and <= (byte)'Z' : c is >= (byte)'a' and <= (byte)'z')
            {
                output[i] = (byte)(c ^ 0x20);
            }
        }

        return output;
    }

    private static ReadOnlySpan<byte> ChangeCaseSlow(ReadOnlySpan<byte> value, bool lower, WorkerScratch scratch)
    {
        var text = Encoding.UTF8.GetString(value);
        text = lower ? text.ToLowerInvariant() : text.ToUpperInvariant();
        var output = scratch.BytesFor(Encoding.UTF8.GetByteCount(text));
        Encoding.UTF8.GetBytes(text, output);
        return output;
    }
}

/// <summary>The converted values of one contract column over one row group.</summary>
internal sealed class ColumnVector
{
    public ColumnVector(ColumnProgram program, int rows)
    {
        Program = program;
        Nulls = new bool[rows];
        switch (program.Column.Type.Kind)
        {
            case ContractTypeKind.String:
                Text = new Utf8Ref[rows];
                break;
            case ContractTypeKind.Float64:
                Doubles = new double[rows];
                break;
            case ContractTypeKind.Decimal when program.Column.Type.Precision > ContractType.MaxInt64DecimalPrecision:
                Wides = new Int128[rows];
                break;
            default:
                Longs = new long[rows];
                break;
        }
    }

    public ColumnProgram Program { get; }

    public bool[] Nulls { get; }

    public Utf8Ref[]? Text { get; }

    public long[]? Longs { get; }

    public double[]? Doubles { get; }

    public Int128[]? Wides { get; }

    public void Set(int row, in TypedValue value)
    {
        if (Longs is not null)
        {
            Longs[row] = value.Long;
        }
        else if (Doubles is not null)
        {
            Doubles[row] = value.Double;
        }
        else if (Wides is not null)
        {
            Wides[row] = value.Wide;
        }
    }

    public TypedValue GetTyped(int row) =>
        Longs is not null ? new TypedValue(Longs[row]) : Doubles is not null ? new TypedValue(0, Doubles[row]) : new TypedValue(0, 0, Wides![row]);

    /// <summary>The value as an expression sees it.</summary>
    public ExpressionValue Get(int row, ByteArena arena)
    {
        if (Nulls[row])
        {
            return ExpressionValue.Null;
        }

        return Text is not null
            ? ExpressionValue.FromString(Encoding.UTF8.GetString(arena[Text[row]]))
            : ValueParser.ToExpression(Program.Column.Type, GetTyped(row));
    }
}
