using CloudNative.CloudEvents;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Bronze;
using OpenTrace.Core.Configuration;
using OpenTrace.Hosting;
using OpenTrace.Hosting.Events;

namespace OpenTrace.Functions.Bronze;

/// <summary>
/// Ingests a file finalized in the bronze bucket. Events of other types or for other buckets, and folder
/// placeholders (names ending in '/'), are acknowledged without doing anything.
/// </summary>
[FunctionsStartup(typeof(Startup))]
public sealed class BronzeFunction(BronzeIngestor ingestor, IOptions<OpenTraceOptions> options, ILogger<BronzeFunction> logger)
    : ICloudEventFunction<StorageObjectData>
{
    /// <inheritdoc />
    public async Task HandleAsync(CloudEvent cloudEvent, StorageObjectData data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(data);
        if (cloudEvent.Type != StorageObjectData.FinalizedEventType)
        {
            logger.LogInformation("Ignoring event {EventId} of type {EventType}: bronze acts on {Expected} only", cloudEvent.Id, cloudEvent.Type, StorageObjectData.FinalizedEventType);
            return;
        }

        if (string.IsNullOrEmpty(data.Bucket) || string.IsNullOrEmpty(data.Name) || data.Generation is not > 0)
        {
            throw new MalformedEventException(
                $"Event {cloudEvent.Id} lacks the object's bucket, name or generation (bucket '{data.Bucket}', name '{data.Name}', generation '{data.Generation}').");
        }

        if (!string.Equals(data.Bucket, options.Value.BronzeBucket, StringComparison.Ordinal))
        {
            logger.LogInformation("Ignoring gs://{Bucket}/{Name}: bronze ingests only bucket {BronzeBucket}", data.Bucket, data.Name, options.Value.BronzeBucket);
            return;
        }

        if (data.Name.EndsWith('/'))
        {
            logger.LogInformation("Ignoring gs://{Bucket}/{Name}: a folder placeholder, not a file", data.Bucket, data.Name);
            return;
        }

        await ingestor.IngestAsync(new BronzeRequest(data.Bucket, data.Name, data.Generation.Value, cloudEvent.Id), cancellationToken);
    }
}
