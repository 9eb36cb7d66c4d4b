using System.Threading.Channels;

namespace OpenTrace.Core.Silver;

/// <summary>
/// A three-stage pipeline: one task pulls items from a sequential source (reading), each item is transformed on the
/// thread pool (at most <c>degree</c> at a time), and the consumer receives the results strictly in source order on
/// the caller's flow (writing). Reading, transforming and writing overlap; at most <c>degree + 1</c> items are alive
/// at once, so memory stays bounded, and the output is the same whatever the scheduling.
/// </summary>
internal static class OrderedParallel
{
    public static async Task RunAsync<TIn, TOut>(IEnumerable<TIn> source, int degree, Func<TIn, TOut> work, Action<TOut> consume, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = Channel.CreateBounded<Task<TOut>>(new BoundedChannelOptions(degree) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(
            async () =>
            {
                try
                {
                    foreach (var item in source)
                    {
                        stop.Token.ThrowIfCancellationRequested();
                        var task = Task.Run(() => work(item), stop.Token);
                        await pending.Writer.WriteAsync(task, stop.Token);
                    }

                    pending.Writer.Complete();
                }
                catch (Exception ex)
                {
                    pending.Writer.Complete(ex);
                }
            },
            CancellationToken.None);

        try
        {
            await foreach (var task in pending.Reader.ReadAllAsync(CancellationToken.None))
            {
                consume(await task);
            }
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
        finally
        {
            // Let the reader and running items finish before the caller disposes what they use.
            try
            {
                await producer;
            }
            catch (Exception)
            {
                // the producer reports through the channel
            }

            while (pending.Reader.TryRead(out var task))
            {
                try
                {
                    await task;
                }
                catch (Exception)
                {
                    // the first failure is already propagating
                }
            }
        }
    }
}
