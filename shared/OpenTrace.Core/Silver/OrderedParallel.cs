namespace OpenTrace.Core.Silver;

/// <summary>
/// Runs work items on the thread pool, at most <c>degree</c> at a time plus one finished item waiting, and hands
/// the results to a consumer strictly in item order on the caller's flow. Memory stays bounded by the window, and
/// output is deterministic whatever the scheduling.
/// </summary>
internal static class OrderedParallel
{
    public static async Task RunAsync<T>(int count, int degree, Func<int, T> work, Action<int, T> consume, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        var window = new Queue<Task<T>>();
        var next = 0;
        try
        {
            for (var done = 0; done < count; done++)
            {
                while (next < count && window.Count < degree + 1)
                {
                    var item = next++;
                    window.Enqueue(Task.Run(() => work(item), cancellationToken));
                }

                var result = await window.Dequeue();
                cancellationToken.ThrowIfCancellationRequested();
                consume(done, result);
            }
        }
        finally
        {
            // Let running items finish before the caller disposes what they read.
            while (window.Count > 0)
            {
                try
                {
                    await window.Dequeue();
                }
                catch (Exception)
                {
                    // the first failure is already propagating
                }
            }
        }
    }
}
