using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Threading.Channels;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Http;
using CloudNative.CloudEvents.SystemTextJson;
using Microsoft.Extensions.Logging;
using OpenTrace.Core.Storage;
using OpenTrace.Hosting.Events;

namespace OpenTrace.Local.Runtime;

/// <summary>
/// Plays Eventarc on a laptop: every finalized object in a routed bucket becomes a binary-mode
/// <c>google.cloud.storage.object.v1.finalized</c> CloudEvent POSTed over HTTP to the function that owns the bucket,
/// retried with backoff on 429/5xx as Eventarc does. Each object generation is delivered once per process.
/// </summary>
internal sealed class EventDelivery : IAsyncDisposable
{
    private static readonly JsonEventFormatter Formatter = new();

    private readonly HttpClient _client;
    private readonly IReadOnlyDictionary<string, string> _routes;
    private readonly ILogger _logger;
    private readonly Channel<ObjectInfo> _queue = Channel.CreateUnbounded<ObjectInfo>();
    private readonly ConcurrentDictionary<string, byte> _seen = new(StringComparer.Ordinal);
    private readonly Task[] _workers;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _idleLock = new();
    private TaskCompletionSource _idle = NewIdle(completed: true);
    private int _pending;

    /// <param name="client">Client whose base address is the local host.</param>
    /// <param name="routes">Bucket → path of the CloudEvent function that receives its events.</param>
    /// <param name="logger">Log.</param>
    /// <param name="concurrency">Deliveries in flight at once.</param>
    /// <param name="maxAttempts">Attempts per event before it is given up (Eventarc retries for a day; locally a few seconds).</param>
    public EventDelivery(HttpClient client, IReadOnlyDictionary<string, string> routes, ILogger logger, int concurrency = 2, int maxAttempts = 8)
    {
        _client = client;
        _routes = routes;
        _logger = logger;
        MaxAttempts = maxAttempts;
        _workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkAsync)).ToArray();
    }

    /// <summary>Raised after each delivery ends (success, rejection or given up).</summary>
    public event EventHandler<DeliveryResult>? Delivered;

    public int MaxAttempts { get; }

    /// <summary>Deliveries queued or in flight.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Queues the finalize event of <paramref name="obj"/>; false when its bucket has no function or this generation was already queued.</summary>
    public bool Enqueue(ObjectInfo obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (!_routes.ContainsKey(obj.Bucket) || !_seen.TryAdd(Key(obj), 0))
        {
            return false;
        }

        lock (_idleLock)
        {
            if (_pending++ == 0)
            {
                _idle = NewIdle(completed: false);
            }
        }

        if (!_queue.Writer.TryWrite(obj))
        {
            Finish();
            return false;
        }

        return true;
    }

    /// <summary>True when this generation was already queued by this process.</summary>
    public bool WasQueued(ObjectInfo obj) => _seen.ContainsKey(Key(obj));

    /// <summary>Completes when nothing is queued or in flight, including events raised by the deliveries themselves.</summary>
    public Task WaitForIdleAsync(CancellationToken cancellationToken = default)
    {
        lock (_idleLock)
        {
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_workers);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static string Key(ObjectInfo obj) => string.Create(CultureInfo.InvariantCulture, $"{obj.Bucket}/{obj.Name}#{obj.Generation}");

    private static TaskCompletionSource NewIdle(bool completed)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
        {
            tcs.SetResult();
        }

        return tcs;
    }

    private async Task WorkAsync()
    {
        await foreach (var obj in _queue.Reader.ReadAllAsync(_stop.Token))
        {
            try
            {
                var result = await DeliverAsync(obj, _stop.Token);
                Delivered?.Invoke(this, result);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Delivering the finalize event of {Object} failed.", obj.Uri);
                Delivered?.Invoke(this, new DeliveryResult(obj, _routes[obj.Bucket], 0, 0, ex.Message));
            }
            finally
            {
                Finish();
            }
        }
    }

    private void Finish()
    {
        lock (_idleLock)
        {
            if (--_pending == 0)
            {
                _idle.TrySetResult();
            }
        }
    }

    private async Task<DeliveryResult> DeliverAsync(ObjectInfo obj, CancellationToken cancellationToken)
    {
        var path = _routes[obj.Bucket];
        var cloudEvent = StorageObjectEvents.CreateFinalized(StorageObjectEvents.DataFor(obj));
        var delay = TimeSpan.FromMilliseconds(100);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = cloudEvent.ToHttpContent(ContentMode.Binary, Formatter),
            };
            using var response = await _client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = (int)response.StatusCode;
            var retry = response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500;
            if (!retry || attempt >= MaxAttempts)
            {
                if (retry)
                {
                    _logger.LogError("Gave up delivering {Object} to {Path} after {Attempts} attempts: {Status} {Body}", obj.Uri, path, attempt, status, body.Trim());
                }
                else if (status >= 400)
                {
                    _logger.LogError("{Path} rejected the event for {Object}: {Status} {Body}", path, obj.Uri, status, body.Trim());
                }

                return new DeliveryResult(obj, path, status, attempt, status is >= 200 and < 300 ? null : body.Trim());
            }

            var wait = response.Headers.RetryAfter?.Delta is { } hinted && hinted < delay ? hinted : delay;
            _logger.LogWarning("{Path} answered {Status} for {Object}; retrying in {Delay} ms.", path, status, obj.Uri, (int)wait.TotalMilliseconds);
            await Task.Delay(wait, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }
}

/// <summary>How one event delivery ended.</summary>
/// <param name="Object">The object whose event was delivered.</param>
/// <param name="Path">The function endpoint.</param>
/// <param name="StatusCode">Final HTTP status (0 when no answer came).</param>
/// <param name="Attempts">Attempts made.</param>
/// <param name="Error">The function's reason when it did not answer 2xx, else null.</param>
internal sealed record DeliveryResult(ObjectInfo Object, string Path, int StatusCode, int Attempts, string? Error)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}
