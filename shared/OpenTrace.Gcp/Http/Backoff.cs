namespace OpenTrace.Gcp.Http;

/// <summary>Jittered exponential backoff between attempts of an idempotent call.</summary>
internal sealed class Backoff(int maxAttempts, TimeSpan initial, TimeSpan max)
{
    /// <summary>Attempts per call, the first included.</summary>
    public int MaxAttempts { get; } = Math.Max(1, maxAttempts);

    /// <summary>How a delay is waited; tests record instead of sleeping.</summary>
    public Func<TimeSpan, CancellationToken, Task> Sleep { get; init; } = static (delay, ct) => Task.Delay(delay, ct);

    public static Backoff From(GcpOptions options) => new(options.MaxAttempts, options.InitialBackoff, options.MaxBackoff);

    /// <summary>
    /// The delay after failed attempt number <paramref name="attempt"/> (1-based): the server's Retry-After when it gave
    /// one (capped), else initial × 2^(attempt-1) capped, scaled by a random factor in [0.5, 1) so clients spread out.
    /// </summary>
    public TimeSpan DelayFor(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } server && server > TimeSpan.Zero)
        {
            return server < max ? server : max;
        }

        var exponential = initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (Random.Shared.NextDouble() / 2)));
    }

    public Task WaitAsync(int attempt, TimeSpan? retryAfter, CancellationToken cancellationToken) =>
        Sleep(DelayFor(attempt, retryAfter), cancellationToken);
}
