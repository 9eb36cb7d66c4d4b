using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTrace.Core;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Training;
using OpenTrace.Core.Warehouse;
using OpenTrace.Hosting;

namespace OpenTrace.Functions.Train;

/// <summary>
/// Cloud Scheduler POSTs here to train the prediction tasks. Optional JSON body <c>{"task": "late_delivery"}</c> or
/// the query <c>?task=late_delivery</c>; without one every task is trained. Answers 200 with the new versions, their
/// holdout metrics, baselines and promotion decisions; also 200 with <c>"status": "failed"</c> when training cannot
/// succeed until the data changes (no feature tables yet, too few events), since a retry would not help. 400 for a bad
/// request or an unknown task, 405 for other methods, 503 when a dependency failed transiently.
/// </summary>
public sealed partial class TrainFunction(TrainRunner runner, ILogger<TrainFunction> logger) : IHttpFunction
{
    /// <summary>Largest request body read.</summary>
    public const int MaxBodyBytes = 4 * 1024;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <inheritdoc />
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await RespondAsync(context, StatusCodes.Status405MethodNotAllowed, new { error = "POST to train (optional JSON body {\"task\": \"late_delivery\"})." });
            return;
        }

        string? task;
        try
        {
            task = await ReadTaskAsync(context.Request, cancellationToken);
        }
        catch (BadRequestException ex)
        {
            await RespondAsync(context, StatusCodes.Status400BadRequest, new { error = ex.Message });
            return;
        }

        var trigger = context.Request.Headers.ContainsKey("X-CloudScheduler") ? "scheduler" : "http";
        TrainRunResult result;
        try
        {
            result = await runner.RunAsync(new TrainRequest { Task = task, Trigger = trigger }, progress: null, cancellationToken);
        }
        catch (OpenTraceException ex) when (ex.Rule == "select")
        {
            await RespondAsync(context, StatusCodes.Status400BadRequest, new { error = ex.Message });
            return;
        }
        catch (OpenTraceException ex) when (ex.Rule == "training")
        {
            LogFailed(logger, ex, ex.Message);
            await RespondAsync(context, StatusCodes.Status200OK, new { Status = RunStatus.Failed, ex.Message });
            return;
        }
        catch (WarehouseException ex) when (ex.IsTransient)
        {
            throw new TransientException($"The warehouse failed transiently during training: {ex.Message}", ex);
        }

        LogRun(logger, result.RunId, result.Message);
        await RespondAsync(context, StatusCodes.Status200OK, new
        {
            result.RunId,
            result.Status,
            result.Message,
            Tasks = result.Tasks.Select(t => new
            {
                t.Task,
                t.Card.Version,
                t.Card.Promoted,
                t.Card.Decision,
                t.Card.ArtifactUri,
                HoldoutAuc = t.Card.Holdout.Auc,
                HoldoutLogLoss = t.Card.Holdout.LogLoss,
                HoldoutRows = t.Card.Holdout.Count,
                t.Card.Baselines,
                t.Card.Holdout.Calibration,
                t.Card.ComparedWithVersion,
                t.Card.ComparedAuc,
                TrainingSet = new { t.Card.Lineage.Rows, t.Card.Lineage.ContentHash, t.Card.Lineage.FirstEvent, t.Card.Lineage.LastEvent },
                DurationMs = (long)t.Duration.TotalMilliseconds,
            }),
        });
    }

    private static async Task<string?> ReadTaskAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var limited = request.ContentLength is > MaxBodyBytes ? throw new BadRequestException($"The body is larger than {MaxBodyBytes} bytes.") : request.Body;
        await limited.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length > MaxBodyBytes)
        {
            throw new BadRequestException($"The body is larger than {MaxBodyBytes} bytes.");
        }

        string? task = null;
        var text = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        if (!string.IsNullOrWhiteSpace(text))
        {
            try
            {
                task = JsonSerializer.Deserialize<RequestBody>(text, Json)?.Task;
            }
            catch (JsonException ex)
            {
                throw new BadRequestException($"The body is a JSON object with an optional task (string): {ex.Message}");
            }
        }

        foreach (var (name, values) in request.Query)
        {
            task = name == "task" ? values.ToString() : throw new BadRequestException($"Unknown query parameter '{name}'; use task.");
        }

        return string.IsNullOrWhiteSpace(task) ? null : task;
    }

    private static async Task RespondAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, body.GetType(), Json, context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Train run {RunId}: {Message}")]
    private static partial void LogRun(ILogger logger, string runId, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string reason);

    /// <summary>The request body.</summary>
    /// <param name="Task">The task to train; null for all.</param>
    internal sealed record RequestBody(string? Task = null);

    private sealed class BadRequestException(string message) : Exception(message);
}
