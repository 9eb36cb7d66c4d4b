using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTrace.Core.Gold;
using OpenTrace.Hosting;

namespace OpenTrace.Functions.Gold;

/// <summary>
/// Cloud Scheduler POSTs here to run gold. Optional selection, as a JSON body <c>{"select": "fct_orders+",
/// "full_refresh": false}</c> or the query <c>?select=fct_orders+</c> (a literal '+'). Answers 200 with a JSON summary
/// of the run (its <c>status</c> says whether models failed), 400 for a bad request, 405 for other methods, and 503
/// when the warehouse failed transiently (the scheduler retries).
/// </summary>
public sealed partial class GoldFunction(GoldRunner runner, ILogger<GoldFunction> logger) : IHttpFunction
{
    /// <summary>Largest request body read.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    private static readonly JobRequestFormat<RequestBody> Format = new()
    {
        Action = "run gold",
        Example = """{"select": "model+"}""",
        MaxBodyBytes = MaxBodyBytes,
        QueryParameters = new Dictionary<string, Func<RequestBody, string, RequestBody>>
        {
            // A select in the body wins over the query's.
            ["select"] = (body, select) => body.Select is null ? body with { Select = select } : body,
        },
    };

    /// <inheritdoc />
    public Task HandleAsync(HttpContext context) => JobRequests.HandleAsync(context, Format, async (body, trigger, cancellationToken) =>
    {
        var request = new GoldRunRequest
        {
            Select = string.IsNullOrWhiteSpace(body.Select) ? null : body.Select,
            FullRefresh = body.FullRefresh,
            Trigger = trigger,
        };
        var result = await runner.RunAsync(request, progress: null, cancellationToken);
        LogRun(logger, result.RunId, result.Status, result.Message);
        return GoldRunSummary.From(result);
    });

    [LoggerMessage(Level = LogLevel.Information, Message = "Gold run {RunId} {Status}: {Message}")]
    private static partial void LogRun(ILogger logger, string runId, string status, string message);

    /// <summary>The request body.</summary>
    /// <param name="Select">Models to run, as on the command line (<c>fct_orders+</c>); null for all.</param>
    /// <param name="FullRefresh">Rebuild the selected models from scratch.</param>
    internal sealed record RequestBody(string? Select = null, bool FullRefresh = false);
}
