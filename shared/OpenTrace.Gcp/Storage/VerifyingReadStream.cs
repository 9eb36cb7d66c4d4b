using OpenTrace.Core.Storage;

namespace OpenTrace.Gcp.Storage;

/// <summary>
/// A read-only stream over a download that computes CRC32C as it goes and, at the end, compares it with the checksum
/// the server announced; a mismatch throws <see cref="IOException"/> instead of handing back corrupt data silently.
/// </summary>
internal sealed class VerifyingReadStream(Stream inner, HttpResponseMessage response, string? expectedCrc32C, string what) : Stream
{
    private Crc32C _crc;
    private bool _verified;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => response.Content.Headers.ContentLength ?? throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Observe(buffer[..n], buffer.Length);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Observe(buffer.Span[..n], buffer.Length);
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            response.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Observe(ReadOnlySpan<byte> data, int requested)
    {
        if (data.Length > 0)
        {
            _crc.Append(data);
            return;
        }

        if (requested == 0 || _verified || expectedCrc32C is null)
        {
            return;
        }

        _verified = true;
        var actual = _crc.ToBase64();
        if (!string.Equals(actual, expectedCrc32C, StringComparison.Ordinal))
        {
            throw new IOException($"Checksum mismatch reading {what}: the server announced CRC32C {expectedCrc32C}, the data read has {actual}.");
        }
    }
}
