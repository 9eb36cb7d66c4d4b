using System.Text.Json;
using System.Text.Json.Serialization;
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

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <inheritdoc />
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await RespondAsync(context, StatusCodes.Status405MethodNotAllowed, new { error = "POST to materialise the feature groups (optional JSON body {\"select\": \"seller\"})." });
            return;
        }

        RequestBody body;
        try
        {
            body = await ReadAsync(context.Request, cancellationToken);
        }
        catch (BadRequestException ex)
        {
            await RespondAsync(context, StatusCodes.Status400BadRequest, new { error = ex.Message });
            return;
        }

        var trigger = context.Request.Headers.ContainsKey("X-CloudScheduler") ? "scheduler" : "http";
        FeatureRunResult run;
        try
        {
            run = await materializer.RunAsync(new FeatureRunRequest { Select = body.Select, FullRefresh = body.FullRefresh, Trigger = trigger }, progress: null, cancellationToken);
        }
        catch (OpenTraceException ex) when (ex.Rule == "select")
        {
            await RespondAsync(context, StatusCodes.Status400BadRequest, new { error = ex.Message });
            return;
        }
        catch (WarehouseException ex) when (ex.IsTransient)
        {
            throw new TransientException($"The warehouse failed transiently during the features run: {ex.Message}", ex);
        }

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

        await RespondAsync(context, StatusCodes.Status200OK, new
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
        });
    }

    private static async Task<RequestBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new BadRequestException($"The body is larger than {MaxBodyBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > MaxBodyBytes)
        {
            throw new BadRequestException($"The body is larger than {MaxBodyBytes} bytes.");
        }

        var body = new RequestBody();
        if (buffer.Length > 0 && !buffer.ToArray().All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            try
            {
                body = JsonSerializer.Deserialize<RequestBody>(buffer.ToArray(), Json) ?? body;
            }
            catch (JsonException ex)
            {
                throw new BadRequestException($"The body is a JSON object with select (string), full_refresh and embeddings (true or false): {ex.Message}");
            }
        }

        foreach (var (name, values) in request.Query)
        {
            body = name == "select"
                ? body with { Select = string.Join(',', values.OfType<string>()) }
                : throw new BadRequestException($"Unknown query parameter '{name}'; use select.");
        }

        return body;
    }

    private static async Task RespondAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, body.GetType(), Json, context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Features run {RunId} {Status}: {Message}")]
    private static partial void LogRun(ILogger logger, string runId, string status, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Embedding the corpus failed: {Reason}")]
    private static partial void LogEmbeddingsFailed(ILogger logger, Exception exception, string reason);

    /// <summary>The request body.</summary>
    /// <param name="Select">Groups to materialise; null for all.</param>
    /// <param name="FullRefresh">Recompute whole histories.</param>
    /// <param name="Embeddings">Also refresh the embeddings snapshot (default true).</param>
    internal sealed record RequestBody(string? Select = null, bool FullRefresh = false, bool Embeddings = true);

    private sealed class BadRequestException(string message) : Exception(message);
}
