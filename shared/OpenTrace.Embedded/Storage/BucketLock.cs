namespace OpenTrace.Embedded.Storage;

/// <summary>
/// Serialises the commit step of writes and deletes in one bucket: within this process with a semaphore, and across
/// processes (the local host and a CLI command) with an exclusive lock on a file in the bucket's hidden folder.
/// Only the renames are under the lock, never the upload of the content itself.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The semaphore never allocates a wait handle; a lock lives as long as its store.")]
internal sealed class BucketLock(string lockFile)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
            var started = DateTime.UtcNow;
            var delay = 1;
            while (true)
            {
                try
                {
                    var handle = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
                    return new Held(this, handle);
                }
                catch (IOException) when (DateTime.UtcNow - started < Patience && File.Exists(lockFile))
                {
                    // another process is committing a write in this bucket
                    await Task.Delay(delay, cancellationToken);
                    delay = Math.Min(delay * 2, 50);
                }
                catch (IOException ex) when (File.Exists(lockFile))
                {
                    throw new IOException($"The bucket lock {lockFile} has been held by another process for over {Patience.TotalSeconds:0} s.", ex);
                }
            }
        }
        catch
        {
            _gate.Release();
            throw;
        }
    }

    private sealed class Held(BucketLock owner, FileStream handle) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                handle.Dispose();
                owner._gate.Release();
            }
        }
    }
}
