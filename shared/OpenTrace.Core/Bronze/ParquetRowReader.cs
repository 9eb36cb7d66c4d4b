using System.Globalization;
using System.Text.Json;
using ParquetSharp;

namespace OpenTrace.Core.Bronze;

/// <summary>
/// Parquet, which needs random access: the object is spooled to a temporary file, then read row group by row group
/// in batches, every value turned into invariant text (numbers round-trip, timestamps ISO 8601, lists as JSON).
/// </summary>
internal sealed class ParquetRowReader : BronzeRowReader
{
    private const int BatchRows = 4096;

    private readonly OpenedContent _content;
    private readonly string _spoolPath;
    private readonly ParquetFileReader _parquet;
    private readonly string?[][] _batch;
    private readonly int _rowGroups;
    private int _rowGroup = -1;
    private RowGroupReader? _group;
    private ITextColumn[] _columns = [];
    private long _groupRemaining;
    private int _batchCount;
    private int _batchPosition;

    private ParquetRowReader(string file, OpenedContent content, SourceDescription description, string spoolPath, ParquetFileReader parquet, IReadOnlyList<string> columns)
        : base(file, description, columns)
    {
        _content = content;
        _spoolPath = spoolPath;
        _parquet = parquet;
        _rowGroups = parquet.FileMetaData.NumRowGroups;
        _batch = new string?[columns.Count][];
        for (var i = 0; i < _batch.Length; i++)
        {
            _batch[i] = new string?[BatchRows];
        }
    }

    public override long BytesRead => _content.Counter.BytesRead;

    private protected override string NoRowsReason => "it is a Parquet file without rows.";

    internal static async Task<ParquetRowReader> CreateAsync(string file, OpenedContent content, SourceDescription description, CancellationToken cancellationToken)
    {
        var spool = Path.Combine(Path.GetTempPath(), $"opentrace-spool-{Guid.NewGuid():N}.parquet");
        try
        {
            await using (var target = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await content.Content.CopyToAsync(target, cancellationToken);
            }

            ParquetFileReader parquet;
            try
            {
                parquet = new ParquetFileReader(spool);
                _ = parquet.FileMetaData.NumRows;
            }
            catch (ParquetException ex)
            {
                throw Corrupt(ex, file, row: null);
            }

            var columns = ColumnNames(parquet.FileMetaData.Schema);

            BronzeReader.CheckColumnCount(columns.Length, file);
            return new ParquetRowReader(file, content, description, spool, parquet, columns);
        }
        catch
        {
            System.IO.File.Delete(spool);
            throw;
        }
    }

    /// <summary>
    /// A leaf column is named by its top-level field when that field has no other leaf (a list is still called
    /// <c>tags</c>, not <c>tags.list.element</c>); leaves of a group are named by their dotted path.
    /// </summary>
    private static string[] ColumnNames(SchemaDescriptor schema)
    {
        var roots = new string[schema.NumColumns];
        for (var i = 0; i < roots.Length; i++)
        {
            roots[i] = schema.ColumnRoot(i).Name;
        }

        var leavesPerRoot = roots.CountBy(r => r).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var names = new string[roots.Length];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = leavesPerRoot[roots[i]] == 1 ? roots[i] : schema.Column(i).Path.ToDotString();
        }

        return names;
    }

    private protected override ValueTask<bool> ReadRowAsync(CancellationToken cancellationToken)
    {
        if (_batchPosition == _batchCount && !NextBatch(cancellationToken))
        {
            return ValueTask.FromResult(false);
        }

        var values = Current;
        for (var c = 0; c < values.Length; c++)
        {
            values[c] = _batch[c][_batchPosition];
        }

        _batchPosition++;
        return ValueTask.FromResult(true);
    }

    private protected override async ValueTask DisposeCoreAsync()
    {
        DisposeGroup();
        _parquet.Dispose();
        await _content.DisposeAsync();
        System.IO.File.Delete(_spoolPath);
    }

    private static UnreadableFileException Corrupt(Exception ex, string file, long? row) =>
        new($"it is not a readable Parquet file: {ex.Message.TrimEnd('.')}.", file, BronzeRules.ParquetCorrupt, row, ex);

    private bool NextBatch(CancellationToken cancellationToken)
    {
        try
        {
            while (_groupRemaining == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!OpenNextGroup())
                {
                    return false;
                }
            }

            var count = (int)Math.Min(BatchRows, _groupRemaining);
            for (var c = 0; c < _columns.Length; c++)
            {
                var read = _columns[c].Read(_batch[c], count);
                if (read != count)
                {
                    throw new ParquetException("ShortRead", string.Create(CultureInfo.InvariantCulture, $"column '{Columns[c]}' ended after {read} of {count} values"));
                }
            }

            _groupRemaining -= count;
            _batchCount = count;
            _batchPosition = 0;
            return true;
        }
        catch (ParquetException ex)
        {
            throw Corrupt(ex, File, RowNumber + 1);
        }
    }

    private bool OpenNextGroup()
    {
        DisposeGroup();
        if (++_rowGroup >= _rowGroups)
        {
            return false;
        }

        _group = _parquet.RowGroup(_rowGroup);
        _groupRemaining = _group.MetaData.NumRows;
        _columns = new ITextColumn[Columns.Count];
        for (var c = 0; c < _columns.Length; c++)
        {
            var column = _group.Column(c);
            LogicalColumnReader logical;
            try
            {
                logical = column.LogicalReader(BatchRows);
            }
            catch (Exception ex) when (ex is NotSupportedException or ArgumentException or InvalidCastException)
            {
                column.Dispose();
                throw new UnreadableFileException(
                    $"column '{Columns[c]}' has a type bronze cannot read as text ({ex.Message.TrimEnd('.')}).",
                    File, BronzeRules.ParquetUnsupported, inner: ex);
            }

            var descriptor = column.ColumnDescriptor;
            var style = new ParquetText.Style(
                Utc: descriptor.LogicalType is TimestampLogicalType { IsAdjustedToUtc: true },
                DecimalScale: descriptor.LogicalType is DecimalLogicalType ? descriptor.TypeScale : null);
            _columns[c] = logical.Apply(new TextColumnFactory(column, style));
        }

        return true;
    }

    private void DisposeGroup()
    {
        foreach (var column in _columns)
        {
            column.Dispose();
        }

        _columns = [];
        _group?.Dispose();
        _group = null;
    }

    /// <summary>One column of the current row group, read in batches as text.</summary>
    private interface ITextColumn : IDisposable
    {
        int Read(string?[] target, int count);
    }

    private sealed class TextColumnFactory(ColumnReader column, ParquetText.Style style) : ILogicalColumnReaderVisitor<ITextColumn>
    {
        public ITextColumn OnLogicalColumnReader<TValue>(LogicalColumnReader<TValue> reader) => new TextColumn<TValue>(column, reader, style);
    }

    private sealed class TextColumn<TValue>(ColumnReader column, LogicalColumnReader<TValue> reader, ParquetText.Style style) : ITextColumn
    {
        private readonly TValue[] _buffer = new TValue[BatchRows];

        public int Read(string?[] target, int count)
        {
            var read = reader.ReadBatch(_buffer, 0, count);
            for (var i = 0; i < read; i++)
            {
                target[i] = ParquetText.Format(_buffer[i], style);
            }

            return read;
        }

        public void Dispose()
        {
            reader.Dispose();
            column.Dispose();
        }
    }
}

/// <summary>Formats Parquet values as invariant text.</summary>
internal static class ParquetText
{
    private static readonly DateTime UnixEpoch = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The text bronze stores for a value; null stays null.</summary>
    internal static string? Format(object? value, Style style) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        decimal d when style.DecimalScale is { } scale => d.ToString("F" + scale.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
        DateTime dt => FormatTimestamp(dt, style.Utc),
        DateTimeNanos nanos => FormatTimestamp(nanos.DateTime, style.Utc),
        Date date => date.DateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        TimeSpan time => time.ToString("c", CultureInfo.InvariantCulture),
        TimeSpanNanos time => time.TimeSpan.ToString("c", CultureInfo.InvariantCulture),
        Int96 int96 => FormatTimestamp(FromInt96(int96), utc: true),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        Array array => JsonSerializer.Serialize(array.Cast<object?>().Select(v => Format(v, style)), BronzeTable.JsonOptions),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    /// <summary>How a column's values are written.</summary>
    /// <param name="Utc">Timestamps are UTC instants (suffix <c>Z</c>).</param>
    /// <param name="DecimalScale">Digits after the point of a decimal column, else null.</param>
    internal readonly record struct Style(bool Utc, int? DecimalScale);

    private static string FormatTimestamp(DateTime value, bool utc) =>
        value.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture).TrimEnd('.') + (utc ? "Z" : string.Empty);

    /// <summary>Legacy Impala/Spark timestamps: nanoseconds of the day and a Julian day number.</summary>
    private static DateTime FromInt96(Int96 value)
    {
        var nanosOfDay = ((long)(uint)value.B << 32) | (uint)value.A;
        var julianDay = value.C;
        return UnixEpoch.AddDays(julianDay - 2_440_588).AddTicks(nanosOfDay / 100);
    }
}
