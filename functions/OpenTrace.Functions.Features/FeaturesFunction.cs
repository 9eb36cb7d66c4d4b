using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTrace.Core;
using OpenTrace.Core.Features;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Retrieval;
using OpenTrace.Core.Warehouse;
using OpenTrace.Hosting;

namespace OpenTrace.Functions.Features;

/// <summary>
/// Cloud Scheduler POSTs here to materialise the feature groups (offline history, then the online store) and then
/// refresh the embeddings snapshot the serve function searches. Optional JSON body
/// <c>{"select": "seller,customer", "full_refresh": false, "embeddings": true}</c>, or the query <c>?select=seller</c>.
/// Answers 200 with a JSON summary (its <c>status</c> says whether a group failed), 400 for a bad request, 405 for
/// other methods and 503 when a dependency failed transiently (the scheduler retries).
/// </summary>
public sealed partial class FeaturesFunction(FeatureMaterializer materializer, EmbeddingIndexer embeddings, ILogger<FeaturesFunction> logger) : IHttpFunction
{
    /// <summary>Largest request body read.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    private static readonly JobRequestFormat<RequestBody> Format = new()
    {
        Action = "materialise the feature groups",
        Example = """{"select": "seller"}""",
        MaxBodyBytes = MaxBodyBytes,
        QueryParameters = new Dictionary<string, Func<RequestBody, string, RequestBody>>
        {
            ["select"] = (body, select) => body with { Select = select },
        },
    };

    /// <inheritdoc />
    public Task HandleAsync(HttpContext context) => JobRequests.HandleAsync(context, Format, async (body, trigger, cancellationToken) =>
    {
        var run = await materializer.RunAsync(new FeatureRunRequest { Select = body.Select, FullRefresh = body.FullRefresh, Trigger = trigger }, progress: null, cancellationToken);
        LogRun(logger, run.RunId, run.Status, run.Message);
        object? indexed = null;
        var status = run.Status;
        if (body.Embeddings)
        {
            // The embeddings snapshot the serve function's /v1/qa and /v1/search read is refreshed on the same schedule.
            try
            {
                indexed = await embeddings.RunAsync(progress: null, cancellationToken);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or TransientException) && !(ex is WarehouseException { IsTransient: true }))
            {
                LogEmbeddingsFailed(logger, ex, ex.Message);
                indexed = new { error = ex.Message };
                status = RunStatus.Failed;
            }
        }

        return new
        {
            run.RunId,
            Status = status,
            run.Message,
            Groups = run.Groups.Select(g => new
            {
                g.Group,
                g.Status,
                g.Mode,
                g.Reason,
                g.WatermarkBefore,
                g.Watermark,
                g.RowsWritten,
                g.LateRows,
                g.Chunks,
                g.OnlineWritten,
                g.Message,
                DurationMs = (long)(g.FinishedAt - g.StartedAt).TotalMilliseconds,
            }),
            Embeddings = indexed,
        };
    });

    [LoggerMessage(Level = LogLevel.Information, Message = "Features run {RunId} {Status}: {Message}")]
    private static partial void LogRun(ILogger logger, string runId, string status, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Embedding the corpus failed: {Reason}")]
    private static partial void LogEmbeddingsFailed(ILogger logger, Exception exception, string reason);

    /// <summary>The request body.</summary>
    /// <param name="Select">Groups to materialise; null for all.</param>
    /// <param name="FullRefresh">Recompute whole histories.</param>
    /// <param name="Embeddings">Also refresh the embeddings snapshot (default true).</param>
    internal sealed record RequestBody(string? Select = null, bool FullRefresh = false, bool Embeddings = true);
}
