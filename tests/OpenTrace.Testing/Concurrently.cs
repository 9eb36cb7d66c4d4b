namespace OpenTrace.Testing;

/// <summary>Starts several operations at the same moment, to make races happen in tests.</summary>
public static class Concurrently
{
    /// <summary>
    /// Runs <paramref name="operation"/> <paramref name="count"/> times on the thread pool, released together, and
    /// returns each outcome: the result, or the exception it threw.
    /// </summary>
    public static async Task<IReadOnlyList<Outcome<T>>> RunAsync<T>(int count, Func<int, Task<T>> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                return new Outcome<T>(i, await operation(i), null);
            }
            catch (Exception ex)
            {
                return new Outcome<T>(i, default, ex);
            }
        })).ToList();
        start.SetResult();
        return await Task.WhenAll(tasks);
    }
}

/// <summary>What one of several concurrent operations produced.</summary>
/// <param name="Index">Which operation (0-based).</param>
/// <param name="Result">Its result, when it succeeded.</param>
/// <param name="Error">The exception it threw, or null.</param>
public sealed record Outcome<T>(int Index, T? Result, Exception? Error)
{
    /// <summary>True when the operation threw nothing.</summary>
    public bool Succeeded => Error is null;
}
