using System.Text;

namespace OpenTrace.Core.Samples;

/// <summary>Counts rows over all files and reports progress.</summary>
internal sealed class ProgressSink(IProgress<OlistGenerationProgress>? progress)
{
    public long TotalRows { get; private set; }

    public void RowWritten(CsvFileWriter writer)
    {
        TotalRows++;
        if (progress is not null && writer.Rows % OlistGenerator.ProgressInterval == 0)
        {
            progress.Report(new OlistGenerationProgress(writer.File.FileName, writer.Rows, TotalRows, FileCompleted: false));
        }
    }

    public void FileCompleted(CsvFileWriter writer) =>
        progress?.Report(new OlistGenerationProgress(writer.File.FileName, writer.Rows, TotalRows, FileCompleted: true));
}

/// <summary>
/// Writes one CSV file: UTF-8 without a byte-order mark, LF line ends, comma-delimited, a field quoted only when it
/// holds a comma, a quote or a line break (quotes doubled). Rows are built in a small buffer and written
/// asynchronously in 64 KiB pieces, so memory stays flat whatever the row count.
/// </summary>
internal sealed class CsvFileWriter
{
    private const int FlushThreshold = 1 << 16;
    private const int MaxDuplicateDelay = 50;
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private readonly Stream _stream;
    private readonly ProgressSink _progress;
    private readonly BlockSampler? _duplicates;
    private readonly long _seed;
    private readonly List<(long Due, string Text)> _pending = [];
    private readonly Encoder _encoder = Utf8.GetEncoder();
    private readonly byte[] _bytes = new byte[Utf8.GetMaxByteCount(FlushThreshold)];
    private char[] _chars = new char[FlushThreshold * 2];
    private int _length;
    private int _rowStart;
    private bool _rowHasField;
    private long _sourceRows;

    /// <param name="file">The file written.</param>
    /// <param name="stream">Where it goes; disposed by <see cref="CompleteAsync"/>.</param>
    /// <param name="seed">Generator seed (positions and delays of duplicate rows).</param>
    /// <param name="duplicateRows">Repeat one row in <see cref="OlistDirt.DuplicateRowOneIn"/> later in the file.</param>
    /// <param name="progress">Row counter and progress reporter shared by all files.</param>
    public CsvFileWriter(OlistFile file, Stream stream, long seed, bool duplicateRows, ProgressSink progress)
    {
        File = file;
        _stream = stream;
        _seed = seed ^ (long)SampleHash.OfText(file.FileName);
        _progress = progress;
        _duplicates = duplicateRows ? new BlockSampler(_seed, SampleStream.DirtDuplicate, OlistDirt.DuplicateRowOneIn) : null;
        foreach (var column in file.Columns)
        {
            Field(column);
        }

        EndLine();
        _rowStart = _length;
    }

    public OlistFile File { get; }

    /// <summary>Data rows written so far, duplicates included.</summary>
    public long Rows { get; private set; }

    /// <summary>Bytes handed to the stream so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>A text field; null and empty are written as nothing.</summary>
    public void Field(string? value)
    {
        Separator();
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            Append(value);
            return;
        }

        Ensure((value.Length * 2) + 2);
        _chars[_length++] = '"';
        foreach (var c in value)
        {
            if (c == '"')
            {
                _chars[_length++] = '"';
            }

            _chars[_length++] = c;
        }

        _chars[_length++] = '"';
    }

    /// <summary>An empty string, written <c>""</c> so that it differs from a NULL.</summary>
    public void QuotedEmpty()
    {
        Separator();
        Append("\"\"");
    }

    /// <summary>A NULL: nothing between the delimiters.</summary>
    public void Null() => Separator();

    public void Field(long value)
    {
        Separator();
        Ensure(20);
        value.TryFormat(_chars.AsSpan(_length), out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
    }

    /// <summary>A zip prefix: always five digits, leading zeros kept.</summary>
    public void Zip(int prefix)
    {
        Separator();
        Ensure(5);
        prefix.TryFormat(_chars.AsSpan(_length), out var written, "D5", System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
    }

    /// <summary>A fixed-point number: <paramref name="units"/> × 10^-<paramref name="decimals"/>, e.g. cents with 2.</summary>
    public void Fixed(long units, int decimals)
    {
        Separator();
        Ensure(24);
        var magnitude = units < 0 ? -units : units;
        var scale = 1L;
        for (var i = 0; i < decimals; i++)
        {
            scale *= 10;
        }

        if (units < 0)
        {
            _chars[_length++] = '-';
        }

        (magnitude / scale).TryFormat(_chars.AsSpan(_length), out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        _length += written;
        _chars[_length++] = '.';
        var fraction = magnitude % scale;
        for (var divisor = scale / 10; divisor > 0; divisor /= 10)
        {
            _chars[_length++] = (char)('0' + (fraction / divisor % 10));
        }
    }

    /// <summary>A timestamp <c>yyyy-MM-dd HH:mm:ss</c> from seconds since 2016-01-01; null writes a NULL.</summary>
    public void Timestamp(long? seconds)
    {
        Separator();
        if (seconds is null)
        {
            return;
        }

        Ensure(19);
        var time = SampleClock.ToDateTime(seconds.Value);
        Digits(time.Year, 4);
        _chars[_length++] = '-';
        Digits(time.Month, 2);
        _chars[_length++] = '-';
        Digits(time.Day, 2);
        _chars[_length++] = ' ';
        Digits(time.Hour, 2);
        _chars[_length++] = ':';
        Digits(time.Minute, 2);
        _chars[_length++] = ':';
        Digits(time.Second, 2);
    }

    /// <summary>Ends the current data row; in dirty mode it may be scheduled to appear again further down.</summary>
    public void EndRow()
    {
        EndLine();
        if (_duplicates is not null && _duplicates.Hit(_sourceRows))
        {
            var delay = 1 + (long)(SampleHash.Of(_seed, SampleStream.DirtDuplicateDelay, _sourceRows) % MaxDuplicateDelay);
            _pending.Add((_sourceRows + delay, new string(_chars, _rowStart, _length - _rowStart)));
        }

        _sourceRows++;
        Counted();
        for (var i = 0; i < _pending.Count; i++)
        {
            if (_pending[i].Due <= _sourceRows)
            {
                Append(_pending[i].Text);
                Counted();
                _pending.RemoveAt(i--);
            }
        }

        _rowStart = _length;
    }

    /// <summary>Hands the buffer to the stream once it holds 64 KiB; call between rows.</summary>
    public ValueTask FlushIfFullAsync(CancellationToken cancellationToken) =>
        _length >= FlushThreshold ? FlushAsync(cancellationToken) : ValueTask.CompletedTask;

    /// <summary>Writes rows still waiting to be repeated, flushes, and disposes the stream.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        foreach (var (_, text) in _pending)
        {
            Append(text);
            Counted();
            await FlushIfFullAsync(cancellationToken);
        }

        _pending.Clear();
        await FlushAsync(cancellationToken, final: true);
        await _stream.FlushAsync(cancellationToken);
        await _stream.DisposeAsync();
        _progress.FileCompleted(this);
    }

    /// <summary>Disposes the stream without writing what is buffered (the generation failed).</summary>
    public ValueTask AbandonAsync()
    {
        _length = 0;
        _pending.Clear();
        return _stream.DisposeAsync();
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken, bool final = false)
    {
        var offset = 0;
        while (offset < _length)
        {
            var count = Math.Min(FlushThreshold, _length - offset);
            var byteCount = _encoder.GetBytes(_chars, offset, count, _bytes, 0, flush: final && offset + count == _length);
            await _stream.WriteAsync(_bytes.AsMemory(0, byteCount), cancellationToken);
            Bytes += byteCount;
            offset += count;
        }

        _length = 0;
        _rowStart = 0;
    }

    private void Counted()
    {
        Rows++;
        _progress.RowWritten(this);
    }

    private void EndLine()
    {
        Ensure(1);
        _chars[_length++] = '\n';
        _rowHasField = false;
    }

    private void Separator()
    {
        if (_rowHasField)
        {
            Ensure(1);
            _chars[_length++] = ',';
        }

        _rowHasField = true;
    }

    private void Append(string text)
    {
        Ensure(text.Length);
        text.CopyTo(0, _chars, _length, text.Length);
        _length += text.Length;
    }

    private void Digits(int value, int width)
    {
        for (var i = width - 1; i >= 0; i--)
        {
            _chars[_length + i] = (char)('0' + (value % 10));
            value /= 10;
        }

        _length += width;
    }

    private void Ensure(int extra)
    {
        if (_length + extra > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + extra));
        }
    }
}
