using System.Buffers.Binary;
using System.Text;
using OpenTrace.Core.Contracts;
using ParquetSharp;
using Encoding = System.Text.Encoding;
using ParquetSharp.Schema;

namespace OpenTrace.Core.Silver;

/// <summary>
/// Writes the published rows of each processed slice to silver Parquet, straight from the slice's buffers (text
/// points into pinned memory, no string is created). Slices accumulate in a buffered row group that closes with its
/// input row group. Declared and carried columns are optional; the lineage columns are required. Zstandard level 1.
/// </summary>
internal sealed class SilverParquetWriter : IDisposable
{
    /// <summary>Parquet key-value metadata: fingerprint of the contract the file was written under.</summary>
    public const string ContractFingerprintKey = "opentrace.contract_fingerprint";

    private readonly SilverPlan _plan;
    private readonly ParquetFileWriter _file;
    private readonly ByteArray _lineageId;
    private readonly ByteArray _sourceUri;
    private readonly byte[] _constants;
    private readonly int _columnCount;
    private readonly int[] _kept = new int[SilverEngine.SliceRows];
    private readonly short[] _definitions = new short[SilverEngine.SliceRows];
    private readonly ByteArray[] _text = new ByteArray[SilverEngine.SliceRows];
    private readonly long[] _longs = new long[SilverEngine.SliceRows];
    private readonly int[] _ints = new int[SilverEngine.SliceRows];
    private readonly double[] _doubles = new double[SilverEngine.SliceRows];
    private readonly bool[] _bools = new bool[SilverEngine.SliceRows];
    private RowGroupWriter? _group;
    private ColumnWriter[] _writers = [];
    private bool _closed;

    /// <param name="path">The file to create or replace.</param>
    /// <param name="plan">The contract matched against the bronze file.</param>
    /// <param name="metadata">Key-value metadata of the file.</param>
    /// <param name="plainColumns">
    /// Columns written without dictionary encoding: nearly every value distinct (ids, timestamps), where a dictionary
    /// costs time and saves nothing. See <see cref="MostlyDistinct"/>.
    /// </param>
    public SilverParquetWriter(string path, SilverPlan plan, IReadOnlyDictionary<string, string> metadata, IReadOnlySet<string> plainColumns)
    {
        _plan = plan;
        var fields = new List<Node>();
        foreach (var program in plan.Published)
        {
            fields.Add(NodeFor(program.Column.Name, program.Column.Type));
        }

        foreach (var carried in plan.Carried)
        {
            fields.Add(new PrimitiveNode(carried.Name, Repetition.Optional, LogicalType.String(), PhysicalType.ByteArray));
        }

        fields.Add(new PrimitiveNode(Lineage.LineageId, Repetition.Required, LogicalType.String(), PhysicalType.ByteArray));
        fields.Add(new PrimitiveNode(Lineage.SourceUri, Repetition.Required, LogicalType.String(), PhysicalType.ByteArray));
        fields.Add(new PrimitiveNode(Lineage.SourceGeneration, Repetition.Required, LogicalType.None(), PhysicalType.Int64));
        fields.Add(new PrimitiveNode(Lineage.RowNumber, Repetition.Required, LogicalType.None(), PhysicalType.Int64));
        fields.Add(new PrimitiveNode(Lineage.IngestedAt, Repetition.Required, LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros), PhysicalType.Int64));

        _columnCount = fields.Count;
        using var schema = new GroupNode("schema", Repetition.Required, fields);
        // jemalloc returns freed pages to the system promptly; the default pool keeps them for a while.
        using var builder = new WriterPropertiesBuilder()
            .MemoryPool(MemoryPool.JemallocMemoryPool())
            .Compression(Compression.Zstd)
            .CompressionLevel(1)
            .CreatedBy("OpenTrace silver");
        foreach (var column in plainColumns.Append(Lineage.RowNumber))
        {
            builder.DisableDictionary(column);
        }

        using var properties = builder.Build();
        _file = new ParquetFileWriter(path, schema, properties, metadata);
        foreach (var field in fields)
        {
            field.Dispose();
        }

        // The lineage text is the same in every row: pinned once, pointed at by every value.
        var lineage = Encoding.UTF8.GetBytes(plan.File.LineageId);
        var uri = Encoding.UTF8.GetBytes(plan.File.SourceUri);
        _constants = GC.AllocateUninitializedArray<byte>(lineage.Length + uri.Length, pinned: true);
        lineage.CopyTo(_constants, 0);
        uri.CopyTo(_constants, lineage.Length);
        _lineageId = new ByteArray(System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(_constants, 0), lineage.Length);
        _sourceUri = new ByteArray(System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(_constants, lineage.Length), uri.Length);
    }

    public long RowCount { get; private set; }

    /// <summary>
    /// The published columns whose values in <paramref name="sample"/> are mostly (over half) distinct: the ones to
    /// write without a dictionary. A sample of fewer than 1,000 kept rows says nothing, and gives none.
    /// </summary>
    public static IReadOnlySet<string> MostlyDistinct(SilverPlan plan, SliceBatch sample)
    {
        var plain = new HashSet<string>(StringComparer.Ordinal);
        if (sample.KeptRows < 1000)
        {
            return plain;
        }

        foreach (var program in plan.Published)
        {
            var vector = sample.Vectors[program.Ordinal];
            var distinct = new HashSet<long>();
            long present = 0;
            for (var r = 0; r < sample.Rows; r++)
            {
                if (!sample.Keep[r] || vector.Nulls[r])
                {
                    continue;
                }

                present++;
                distinct.Add(vector.Text is not null
                    ? (long)System.IO.Hashing.XxHash3.HashToUInt64(sample.Arena[vector.Text[r]])
                    : vector.Longs?[r] ?? (vector.Doubles is not null ? BitConverter.DoubleToInt64Bits(vector.Doubles[r]) : (long)vector.Wides![r]));
            }

            if (present > 0 && distinct.Count * 2 > present)
            {
                plain.Add(program.Column.Name);
            }
        }

        return plain;
    }

    /// <summary>The Parquet schema node of a declared column.</summary>
    public static Node NodeFor(string name, ContractType type) => type.Kind switch
    {
        ContractTypeKind.String => new PrimitiveNode(name, Repetition.Optional, LogicalType.String(), PhysicalType.ByteArray),
        ContractTypeKind.Int64 => new PrimitiveNode(name, Repetition.Optional, LogicalType.None(), PhysicalType.Int64),
        ContractTypeKind.Float64 => new PrimitiveNode(name, Repetition.Optional, LogicalType.None(), PhysicalType.Double),
        ContractTypeKind.Bool => new PrimitiveNode(name, Repetition.Optional, LogicalType.None(), PhysicalType.Boolean),
        ContractTypeKind.Date => new PrimitiveNode(name, Repetition.Optional, LogicalType.Date(), PhysicalType.Int32),
        ContractTypeKind.Timestamp => new PrimitiveNode(name, Repetition.Optional, LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros), PhysicalType.Int64),
        _ when type.Precision <= ContractType.MaxInt64DecimalPrecision =>
            new PrimitiveNode(name, Repetition.Optional, LogicalType.Decimal(type.Precision, type.Scale), PhysicalType.Int64),
        _ => new PrimitiveNode(name, Repetition.Optional, LogicalType.Decimal(type.Precision, type.Scale), PhysicalType.FixedLenByteArray, 16),
    };

    /// <summary>Appends the kept rows of <paramref name="batch"/> to the open row group; closes it when the input row group ends.</summary>
    public void Write(SliceBatch batch)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (batch.Rows > _kept.Length)
        {
            throw new ArgumentException($"A slice holds at most {_kept.Length} rows.", nameof(batch));
        }

        var n = 0;
        for (var r = 0; r < batch.Rows; r++)
        {
            if (batch.Keep[r])
            {
                _kept[n++] = r;
            }
        }

        if (n > 0)
        {
            Append(batch, _kept.AsSpan(0, n));
        }

        if (batch.EndsGroup)
        {
            CloseGroup();
        }
    }

    public void Close()
    {
        if (!_closed)
        {
            CloseGroup();
            _file.Close();
            _closed = true;
        }
    }

    public void Dispose()
    {
        DisposeWriters();
        _group?.Dispose();
        _file.Dispose();
        _closed = true;
    }

    private void Append(SliceBatch batch, ReadOnlySpan<int> kept)
    {
        if (_group is null)
        {
            _group = _file.AppendBufferedRowGroup();
            _writers = new ColumnWriter[_columnCount];
            for (var c = 0; c < _columnCount; c++)
            {
                _writers[c] = _group.Column(c);
            }
        }

        var n = kept.Length;
        var next = 0;
        foreach (var program in _plan.Published)
        {
            WriteDeclared(_writers[next++], batch, batch.Vectors[program.Ordinal], kept);
        }

        for (var c = 0; c < _plan.Carried.Count; c++)
        {
            WriteText(_writers[next++], batch, batch.Carried[c], kept);
        }

        WriteConstant(_writers[next++], _lineageId, n);
        WriteConstant(_writers[next++], _sourceUri, n);
        var values = _longs.AsSpan(0, n);
        values.Fill(_plan.File.SourceGeneration);
        ((ColumnWriter<long>)_writers[next++]).WriteBatch(values);
        for (var i = 0; i < n; i++)
        {
            values[i] = batch.RowNumbers[kept[i]];
        }

        ((ColumnWriter<long>)_writers[next++]).WriteBatch(values);
        values.Fill(_plan.File.IngestedAtMicros);
        ((ColumnWriter<long>)_writers[next]).WriteBatch(values);
        RowCount += n;
    }

    private void CloseGroup()
    {
        if (_group is null)
        {
            return;
        }

        DisposeWriters();
        _group.Close();
        _group.Dispose();
        _group = null;
    }

    private void DisposeWriters()
    {
        foreach (var writer in _writers)
        {
            writer.Dispose();
        }

        _writers = [];
    }

    private void WriteConstant(ColumnWriter column, ByteArray value, int count)
    {
        var values = _text.AsSpan(0, count);
        values.Fill(value);
        ((ColumnWriter<ByteArray>)column).WriteBatch(values);
    }

    private void WriteText(ColumnWriter column, SliceBatch batch, Utf8Ref[] text, ReadOnlySpan<int> kept)
    {
        var present = 0;
        for (var i = 0; i < kept.Length; i++)
        {
            var value = text[kept[i]];
            if (value.IsNull)
            {
                _definitions[i] = 0;
            }
            else
            {
                _definitions[i] = 1;
                _text[present++] = batch.Arena.ToByteArray(value);
            }
        }

        ((ColumnWriter<ByteArray>)column).WriteBatch(kept.Length, _definitions.AsSpan(0, kept.Length), default, _text.AsSpan(0, present));
    }

    private void WriteDeclared(ColumnWriter column, SliceBatch batch, ColumnVector vector, ReadOnlySpan<int> kept)
    {
        if (vector.Text is not null)
        {
            WriteText(column, batch, vector.Text, kept);
            return;
        }

        var definitions = _definitions.AsSpan(0, kept.Length);
        switch (column)
        {
            case ColumnWriter<long> longs:
                longs.WriteBatch(kept.Length, definitions, default, _longs.AsSpan(0, Compact(vector.Longs!, vector.Nulls, kept, definitions, _longs, v => v)));
                break;
            case ColumnWriter<int> days:
                days.WriteBatch(kept.Length, definitions, default, _ints.AsSpan(0, Compact(vector.Longs!, vector.Nulls, kept, definitions, _ints, v => (int)v)));
                break;
            case ColumnWriter<double> doubles:
                doubles.WriteBatch(kept.Length, definitions, default, _doubles.AsSpan(0, Compact(vector.Doubles!, vector.Nulls, kept, definitions, _doubles, v => v)));
                break;
            case ColumnWriter<bool> bools:
                bools.WriteBatch(kept.Length, definitions, default, _bools.AsSpan(0, Compact(vector.Longs!, vector.Nulls, kept, definitions, _bools, v => v != 0)));
                break;
            case ColumnWriter<FixedLenByteArray> wide:
                {
                    var values = new Int128[kept.Length];
                    var count = Compact(vector.Wides!, vector.Nulls, kept, definitions, values, v => v);
                    var arrays = new FixedLenByteArray[count];
                    var bytes = GC.AllocateUninitializedArray<byte>(Math.Max(16 * count, 16), pinned: true);
                    for (var i = 0; i < count; i++)
                    {
                        BinaryPrimitives.WriteInt128BigEndian(bytes.AsSpan(16 * i, 16), values[i]);
                        arrays[i] = new FixedLenByteArray(System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(bytes, 16 * i));
                    }

                    wide.WriteBatch(kept.Length, definitions, default, arrays);
                    GC.KeepAlive(bytes);
                    break;
                }

            default:
                throw new InvalidOperationException($"Column {vector.Program.Column.Name} ({vector.Program.Column.Type}) has no Parquet writer.");
        }
    }

    /// <summary>Copies the non-null values of the kept rows into <paramref name="target"/>, setting the definition levels; returns how many.</summary>
    private static int Compact<TSource, TTarget>(TSource[] source, bool[] nulls, ReadOnlySpan<int> kept, Span<short> definitions, TTarget[] target, Func<TSource, TTarget> convert)
    {
        var present = 0;
        for (var i = 0; i < kept.Length; i++)
        {
            var row = kept[i];
            if (nulls[row])
            {
                definitions[i] = 0;
            }
            else
            {
                definitions[i] = 1;
                target[present++] = convert(source[row]);
            }
        }

        return present;
    }
}
