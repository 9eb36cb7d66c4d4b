using CloudNative.CloudEvents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTrace.Core;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Silver;
using OpenTrace.Hosting;
using OpenTrace.Hosting.Events;

namespace OpenTrace.Functions.Silver;

/// <summary>
/// Brings a bronze Parquet object finalized in the lake bucket to silver. The function is triggered by every write
/// to the lake bucket, its own silver/ and quarantine/ outputs included, so anything that is not a bronze object
/// (and any other event type or bucket) is acknowledged without doing anything.
/// </summary>
[FunctionsStartup(typeof(Startup))]
public sealed class SilverFunction(SilverProcessor processor, IOptions<OpenTraceOptions> options, ILogger<SilverFunction> logger)
    : ICloudEventFunction<StorageObjectData>
{
    /// <inheritdoc />
    public async Task HandleAsync(CloudEvent cloudEvent, StorageObjectData data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(data);
        if (cloudEvent.Type != StorageObjectData.FinalizedEventType)
        {
            logger.LogInformation("Ignoring event {EventId} of type {EventType}: silver acts on {Expected} only", cloudEvent.Id, cloudEvent.Type, StorageObjectData.FinalizedEventType);
            return;
        }

        if (string.IsNullOrEmpty(data.Bucket) || string.IsNullOrEmpty(data.Name) || data.Generation is not > 0)
        {
            throw new MalformedEventException(
                $"Event {cloudEvent.Id} lacks the object's bucket, name or generation (bucket '{data.Bucket}', name '{data.Name}', generation '{data.Generation}').");
        }

        if (!string.Equals(data.Bucket, options.Value.LakeBucket, StringComparison.Ordinal) || LakePaths.ParseBronze(data.Name) is null)
        {
            logger.LogDebug("Ignoring gs://{Bucket}/{Name}: silver acts on bronze Parquet in bucket {LakeBucket} only", data.Bucket, data.Name, options.Value.LakeBucket);
            return;
        }

        await processor.ProcessAsync(new SilverRequest(data.Bucket, data.Name, data.Generation.Value, cloudEvent.Id), cancellationToken);
    }
}
