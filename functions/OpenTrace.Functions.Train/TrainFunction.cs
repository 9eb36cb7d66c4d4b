using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTrace.Core;
using OpenTrace.Core.Ops;
using OpenTrace.Core.Training;
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

    private static readonly JobRequestFormat<RequestBody> Format = new()
    {
        Action = "train",
        Example = """{"task": "late_delivery"}""",
        MaxBodyBytes = MaxBodyBytes,
        QueryParameters = new Dictionary<string, Func<RequestBody, string, RequestBody>>
        {
            ["task"] = (body, task) => body with { Task = task },
        },
    };

    /// <inheritdoc />
    public Task HandleAsync(HttpContext context) => JobRequests.HandleAsync(context, Format, async (body, trigger, cancellationToken) =>
    {
        TrainRunResult result;
        try
        {
            var task = string.IsNullOrWhiteSpace(body.Task) ? null : body.Task;
            result = await runner.RunAsync(new TrainRequest { Task = task, Trigger = trigger }, progress: null, cancellationToken);
        }
        catch (OpenTraceException ex) when (ex.Rule == "training")
        {
            LogFailed(logger, ex, ex.Message);
            return new { Status = RunStatus.Failed, ex.Message };
        }

        LogRun(logger, result.RunId, result.Message);
        return new
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
        };
    });

    [LoggerMessage(Level = LogLevel.Information, Message = "Train run {RunId}: {Message}")]
    private static partial void LogRun(ILogger logger, string runId, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string reason);

    /// <summary>The request body.</summary>
    /// <param name="Task">The task to train; null for all.</param>
    internal sealed record RequestBody(string? Task = null);
}
