using System.Threading.Channels;

namespace OpenTrace.Core.Bronze;

/// <summary>
/// Encodes batches of rows into a <see cref="BronzeParquetWriter"/> on a thread of its own while the caller parses
/// the next ones. At most <see cref="InFlight"/> batches exist, so memory stays bounded whichever side is slower; a
/// failure on the encoder thread surfaces from the caller's next call.
/// </summary>
internal sealed class BronzeEncoder : IAsyncDisposable
{
    /// <summary>Batches in existence: one being filled, the rest queued or being encoded.</summary>
    public const int InFlight = 4;

    private readonly BronzeParquetWriter _writer;
    private readonly Channel<BronzeRowBatch> _full = Channel.CreateBounded<BronzeRowBatch>(new BoundedChannelOptions(InFlight - 1) { SingleReader = true, SingleWriter = true });
    private readonly Channel<BronzeRowBatch> _free = Channel.CreateUnbounded<BronzeRowBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly List<BronzeRowBatch> _batches = [];
    private readonly Task _encoding;

    public BronzeEncoder(BronzeParquetWriter writer)
    {
        _writer = writer;
        _encoding = Task.Run(EncodeAsync);
    }

    /// <summary>A batch to fill.</summary>
    public BronzeRowBatch Rent()
    {
        if (_free.Reader.TryRead(out var batch))
        {
            return batch;
        }

        batch = _writer.NewBatch();
        _batches.Add(batch);
        return batch;
    }

    /// <summary>Queues a filled batch for encoding and returns one to fill next (waiting while all are busy).</summary>
    public async ValueTask<BronzeRowBatch> SubmitAsync(BronzeRowBatch batch, CancellationToken cancellationToken)
    {
        await QueueAsync(batch, cancellationToken);
        if (_batches.Count < InFlight)
        {
            return Rent();
        }

        try
        {
            return await _free.Reader.ReadAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            await _encoding; // the encoder's own failure
            throw;
        }
    }

    /// <summary>Queues the last batch (when it holds rows) and waits until everything is encoded.</summary>
    public async Task CompleteAsync(BronzeRowBatch last, CancellationToken cancellationToken)
    {
        if (last.Count > 0)
        {
            await QueueAsync(last, cancellationToken);
        }

        _full.Writer.TryComplete();
        await _encoding;
    }

    /// <summary>Stops the encoder (after a failure of the caller) and hands the batches' buffers back.</summary>
    public async ValueTask DisposeAsync()
    {
        _full.Writer.TryComplete();
        try
        {
            await _encoding;
        }
        catch (Exception)
        {
            // already surfaced to the caller, or the caller is failing with its own exception
        }

        foreach (var batch in _batches)
        {
            batch.Text.Release();
        }
    }

    private async ValueTask QueueAsync(BronzeRowBatch batch, CancellationToken cancellationToken)
    {
        try
        {
            await _full.Writer.WriteAsync(batch, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            await _encoding;
            throw;
        }
    }

    private async Task EncodeAsync()
    {
        try
        {
            await foreach (var batch in _full.Reader.ReadAllAsync())
            {
                _writer.Write(batch);
                batch.Clear();
                _free.Writer.TryWrite(batch);
            }
        }
        catch (Exception ex)
        {
            // Wake the caller wherever it waits: its next call rethrows this.
            _full.Writer.TryComplete(ex);
            _free.Writer.TryComplete(ex);
            throw;
        }
    }
}
