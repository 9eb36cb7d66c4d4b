using System.Text;
using OpenTrace.Core.Bronze;

namespace OpenTrace.Core.Tests.Bronze;

public sealed class Utf8ValidatingStreamTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Read_ValidUtf8InAnyChunkSize_PassesEveryByteThrough(int chunk)
    {
        var text = string.Concat(Enumerable.Repeat("São Paulo € 😀 ação\n", 50));
        var bytes = Encoding.UTF8.GetBytes(text);
        using var stream = new Utf8ValidatingStream(new ChunkedStream(bytes, chunk), 0);

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);

        Assert.Equal(text, Encoding.UTF8.GetString(copy.ToArray()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(4096)]
    public async Task Read_Latin1Byte_ThrowsWithItsOffset(int chunk)
    {
        var bytes = Encoding.UTF8.GetBytes("abc,São\n").Concat(Encoding.Latin1.GetBytes("Ribeirão\n")).ToArray();
        using var stream = new Utf8ValidatingStream(new ChunkedStream(bytes, chunk), 100);

        var ex = await Assert.ThrowsAsync<InvalidUtf8Exception>(() => stream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken));

        Assert.Equal(100 + 9 + 6, ex.Offset);
    }

    [Fact]
    public async Task Read_SequenceCutAtTheEnd_Throws()
    {
        var bytes = Encoding.UTF8.GetBytes("abc€")[..^1];
        using var stream = new Utf8ValidatingStream(new ChunkedStream(bytes, 2), 0);

        var ex = await Assert.ThrowsAsync<InvalidUtf8Exception>(() => stream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken));

        Assert.Equal(3, ex.Offset);
    }

    /// <summary>Returns at most <c>chunk</c> bytes per read, like a network stream.</summary>
    private sealed class ChunkedStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(chunk, buffer.Length)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
