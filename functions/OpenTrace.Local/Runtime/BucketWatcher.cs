using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using OpenTrace.Core.Storage;

namespace OpenTrace.Local.Runtime;

/// <summary>
/// Notices files a user drops into a local bucket folder by hand and hands each finished file to
/// <see cref="EventDelivery"/>. A file counts as finished when its size and write time have not changed for
/// <see cref="SettleTime"/> (a copy in progress is not ingested half-written). File-system notifications
/// are backed by a periodic rescan, because watchers can drop events.
/// </summary>
internal sealed class BucketWatcher : IAsyncDisposable
{
    private readonly string _bucket;
    private readonly string _folder;
    private readonly IObjectStore _store;
    private readonly Func<ObjectInfo, bool> _deliver;
    private readonly Func<ObjectInfo, CancellationToken, Task<bool>> _alreadyDone;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher _watcher;
    private readonly ConcurrentDictionary<string, (long Size, DateTime Written, DateTime SeenAt)> _candidates = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <param name="bucket">Bucket the folder holds.</param>
    /// <param name="folder">The bucket's folder.</param>
    /// <param name="store">Store that turns a file into an object generation.</param>
    /// <param name="deliver">Hands a finished file's object over; false when it was already handed over.</param>
    /// <param name="alreadyDone">True when the pipeline already handled that generation (e.g. before a restart).</param>
    /// <param name="logger">Log.</param>
    /// <param name="settleTime">Quiet time before a file counts as finished.</param>
    /// <param name="rescanInterval">Time between full rescans.</param>
    public BucketWatcher(string bucket, string folder, IObjectStore store, Func<ObjectInfo, bool> deliver, Func<ObjectInfo, CancellationToken, Task<bool>> alreadyDone, ILogger logger, TimeSpan? settleTime = null, TimeSpan? rescanInterval = null)
    {
        _alreadyDone = alreadyDone;
        _bucket = bucket;
        _folder = Path.GetFullPath(folder);
        _store = store;
        _deliver = deliver;
        _logger = logger;
        SettleTime = settleTime ?? TimeSpan.FromMilliseconds(500);
        RescanInterval = rescanInterval ?? TimeSpan.FromSeconds(5);
        Directory.CreateDirectory(_folder);
        _watcher = new FileSystemWatcher(_folder)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size | NotifyFilters.LastWrite,
        };
        _watcher.Created += (_, e) => Touch(e.FullPath);
        _watcher.Changed += (_, e) => Touch(e.FullPath);
        _watcher.Renamed += (_, e) => Touch(e.FullPath);
        _watcher.Error += (_, e) => _logger.LogWarning(e.GetException(), "File notifications for {Folder} overflowed; the next rescan catches up.", _folder);
        _watcher.EnableRaisingEvents = true;
        _loop = Task.Run(LoopAsync);
    }

    public TimeSpan SettleTime { get; }

    public TimeSpan RescanInterval { get; }

    /// <summary>Queues every file present now (used at start-up).</summary>
    public void ScanNow()
    {
        foreach (var file in Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories))
        {
            Touch(file);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _watcher.EnableRaisingEvents = false;
        _watcher.Dispose();
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private void Touch(string fullPath)
    {
        var name = ObjectName(fullPath);
        if (name is null || Directory.Exists(fullPath))
        {
            if (name is not null)
            {
                // a folder moved in: its files may not raise their own events
                foreach (var file in Directory.EnumerateFiles(fullPath, "*", SearchOption.AllDirectories))
                {
                    Touch(file);
                }
            }

            return;
        }

        _candidates[fullPath] = (-1, DateTime.MinValue, DateTime.UtcNow);
    }

    /// <summary>The object name for a file, or null for hidden files and folders (the store's own bookkeeping).</summary>
    private string? ObjectName(string fullPath)
    {
        var relative = Path.GetRelativePath(_folder, fullPath);
        if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return null;
        }

        var segments = relative.Split(Path.DirectorySeparatorChar);
        return segments.Any(s => s.Length == 0 || s[0] == '.' || s.EndsWith(".tmp", StringComparison.Ordinal) || s.EndsWith('~')) ? null : string.Join('/', segments);
    }

    private async Task LoopAsync()
    {
        var lastScan = DateTime.UtcNow;
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), _stop.Token);
            if (DateTime.UtcNow - lastScan >= RescanInterval)
            {
                ScanNow();
                lastScan = DateTime.UtcNow;
            }

            foreach (var (path, seen) in _candidates.ToArray())
            {
                try
                {
                    await ConsiderAsync(path, seen);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _logger.LogDebug(ex, "{Path} is not readable yet.", path);
                }
            }
        }
    }

    private async Task ConsiderAsync(string path, (long Size, DateTime Written, DateTime SeenAt) seen)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            _candidates.TryRemove(path, out _);
            return;
        }

        var now = DateTime.UtcNow;
        if (info.Length != seen.Size || info.LastWriteTimeUtc != seen.Written)
        {
            _candidates[path] = (info.Length, info.LastWriteTimeUtc, now);
            return;
        }

        if (now - seen.SeenAt < SettleTime)
        {
            return;
        }

        _candidates.TryRemove(path, out _);
        var name = ObjectName(path);
        var obj = name is null ? null : await _store.GetAsync(_bucket, name, _stop.Token);
        if (obj is not null && !await _alreadyDone(obj, _stop.Token) && _deliver(obj))
        {
            _logger.LogInformation("Noticed {Object} (generation {Generation}).", obj.Uri, obj.Generation);
        }
    }
}
