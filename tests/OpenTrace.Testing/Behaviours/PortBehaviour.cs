namespace OpenTrace.Testing.Behaviours;

/// <summary>
/// The lifecycle shared by the port behaviour suites: a fresh adapter before each test, released after it.
/// </summary>
/// <typeparam name="TPort">The port under test.</typeparam>
public abstract class PortBehaviour<TPort> : IAsyncLifetime
    where TPort : class
{
    private TPort? _store;

    /// <summary>The adapter under test, created before each test.</summary>
    protected TPort Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Creates the adapter under test (called before each test).</summary>
    protected abstract ValueTask<TPort> CreateStoreAsync();

    /// <summary>Releases the adapter after each test. By default disposes it when it is disposable.</summary>
    protected virtual async ValueTask DisposeStoreAsync(TPort store)
    {
        switch (store)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    /// <inheritdoc />
    public virtual async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    /// <inheritdoc />
    public virtual async ValueTask DisposeAsync()
    {
        if (_store is not null)
        {
            await DisposeStoreAsync(_store);
        }

        GC.SuppressFinalize(this);
    }
}
