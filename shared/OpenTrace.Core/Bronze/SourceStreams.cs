using System.IO.Compression;

namespace OpenTrace.Core.Bronze;

/// <summary>Boilerplate of a forward-only read stream; subclasses implement the two span/memory reads.</summary>
internal abstract class ForwardReadStream : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public abstract override int Read(Span<byte> buffer);

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>Counts the bytes read from the object and remembers the last four (a gzip trailer ends with them).</summary>
internal sealed class CountingStream(Stream inner) : ForwardReadStream
{
    private uint _lastFour;

    /// <summary>Bytes read so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>True once the object has been read to its end.</summary>
    public bool AtEnd { get; private set; }

    /// <summary>The last four bytes read, little-endian (a gzip member's ISIZE when the stream ended on a trailer).</summary>
    public uint LastFourLittleEndian => _lastFour;

    public override int Read(Span<byte> buffer) => Track(buffer, inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Track(buffer.Span, read);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Track(Span<byte> buffer, int read)
    {
        if (read == 0 && buffer.Length > 0)
        {
            AtEnd = true;
        }

        for (var i = Math.Max(0, read - 4); i < read; i++)
        {
            _lastFour = (_lastFour >> 8) | ((uint)buffer[i] << 24);
        }

        BytesRead += read;
        return read;
    }
}

/// <summary>Replays bytes already read (the sniffed head) and then continues with the rest of the stream.</summary>
internal sealed class ReplayStream(byte[] head, int offset, int count, Stream rest) : ForwardReadStream
{
    private int _offset = offset;
    private int _remaining = count;

    public override int Read(Span<byte> buffer)
    {
        if (_remaining > 0)
        {
            return Replay(buffer);
        }

        return rest.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining > 0)
        {
            return ValueTask.FromResult(Replay(buffer.Span));
        }

        return rest.ReadAsync(buffer, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            rest.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Replay(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _remaining);
        head.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        _remaining -= n;
        return n;
    }
}

/// <summary>Thrown by <see cref="Utf8ValidatingStream"/> when the text turns out not to be UTF-8 after the sniffed window.</summary>
internal sealed class InvalidUtf8Exception(long offset)
    : Exception(FormattableString.Invariant($"Invalid UTF-8 at byte {offset}."))
{
    /// <summary>Offset of the first invalid byte in the (decompressed) content.</summary>
    public long Offset { get; } = offset;
}

/// <summary>Passes UTF-8 through and throws <see cref="InvalidUtf8Exception"/> at the first invalid sequence.</summary>
internal sealed class Utf8ValidatingStream(Stream inner, long startOffset) : ForwardReadStream
{
    private readonly byte[] _carry = new byte[4];
    private int _carried;
    private long _position = startOffset;

    public override int Read(Span<byte> buffer) => Validate(buffer, inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Validate(buffer.Span, read);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Validate(ReadOnlySpan<byte> buffer, int read)
    {
        var data = buffer[..read];
        if (read == 0)
        {
            if (_carried > 0 && buffer.Length > 0)
            {
                throw new InvalidUtf8Exception(_position - _carried);
            }

            return 0;
        }

        var start = 0;
        if (_carried > 0)
        {
            // Finish the sequence the previous read cut off.
            var take = Math.Min(4 - _carried, data.Length);
            Span<byte> joined = stackalloc byte[4];
            _carry.AsSpan(0, _carried).CopyTo(joined);
            data[..take].CopyTo(joined[_carried..]);
            var status = System.Text.Rune.DecodeFromUtf8(joined[..(_carried + take)], out _, out var consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                start = consumed - _carried;
                _carried = 0;
            }
            else if (status == System.Buffers.OperationStatus.NeedMoreData && take == data.Length)
            {
                data.CopyTo(_carry.AsSpan(_carried));
                _carried += data.Length;
                _position += read;
                return read;
            }
            else
            {
                throw new InvalidUtf8Exception(_position - _carried);
            }
        }

        var tail = Utf8Text.IncompleteTail(data[start..]);
        var invalid = Utf8Text.FirstInvalid(data[start..^tail]);
        if (invalid >= 0)
        {
            throw new InvalidUtf8Exception(_position + start + invalid);
        }

        data[^tail..].CopyTo(_carry);
        _carried = tail;
        _position += read;
        return read;
    }
}

/// <summary>
/// Decompresses gzip (one or more members) and turns the runtime's errors into <see cref="UnreadableFileException"/>:
/// a stream that ends early is <see cref="BronzeRules.GzipTruncated"/>, bad compressed data
/// <see cref="BronzeRules.GzipCorrupt"/>.
/// </summary>
internal sealed class GzipReadStream : ForwardReadStream
{
    private const string TruncatedReason =
        "the gzip stream is truncated: it ends before the end of its compressed data (an interrupted upload or copy). Upload the complete file again.";

    private static readonly bool StrictValidation = EnableStrictValidation();

    private readonly CountingStream _compressed;
    private readonly GZipStream _gzip;
    private readonly string _file;
    private long _decompressed;

    public GzipReadStream(Stream compressed, CountingStream counter, string file)
    {
        _compressed = counter;
        _gzip = new GZipStream(compressed, CompressionMode.Decompress);
        _file = file;
    }

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return Check(buffer.Length, _gzip.Read(buffer));
        }
        catch (InvalidDataException ex)
        {
            throw Unreadable(ex);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return Check(buffer.Length, await _gzip.ReadAsync(buffer, cancellationToken));
        }
        catch (InvalidDataException ex)
        {
            throw Unreadable(ex);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gzip.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// By default the runtime ends a truncated gzip stream silently. Strict validation makes it throw instead; it
    /// must be switched on before the first deflate stream in the process, so this checks that it took effect.
    /// </summary>
    private static bool EnableStrictValidation()
    {
        AppContext.SetSwitch("System.IO.Compression.UseStrictValidation", true);
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write("strict validation probe"u8);
        }

        try
        {
            using var cut = new GZipStream(new MemoryStream(compressed.ToArray(), 0, (int)compressed.Length - 4), CompressionMode.Decompress);
            cut.CopyTo(Stream.Null);
            return false;
        }
        catch (InvalidDataException)
        {
            return true;
        }
    }

    private int Check(int requested, int read)
    {
        _decompressed += read;
        if (read == 0 && requested > 0 && !StrictValidation && _compressed.AtEnd
            && _compressed.LastFourLittleEndian != unchecked((uint)_decompressed))
        {
            // Without strict validation, compare the gzip trailer's size field with what came out (single-member files).
            throw new UnreadableFileException(TruncatedReason, _file, BronzeRules.GzipTruncated);
        }

        return read;
    }

    private UnreadableFileException Unreadable(InvalidDataException ex) => _compressed.AtEnd
        ? new UnreadableFileException(TruncatedReason, _file, BronzeRules.GzipTruncated, inner: ex)
        : new UnreadableFileException(
            FormattableString.Invariant($"the gzip data is corrupt near compressed byte {_compressed.BytesRead}: {ex.Message}"),
            _file, BronzeRules.GzipCorrupt, inner: ex);
}
