namespace OpenTrace.Testing;

/// <summary>A clock that moves only when the test says so. Timers are not supported.</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now = start.ToUniversalTime();

    /// <summary>A clock starting at 2024-05-01T12:00:00Z.</summary>
    public ManualTimeProvider()
        : this(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero))
    {
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_lock)
        {
            _now += by;
        }
    }
}
