using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTrace.Core;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Warehouse;
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
    /// <summary>Header Cloud Scheduler adds to the requests it sends.</summary>
    public const string SchedulerHeader = "X-CloudScheduler";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <inheritdoc />
    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var cancellationToken = context.RequestAborted;
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            context.Response.Headers.Allow = "POST";
            await RespondAsync(context, StatusCodes.Status405MethodNotAllowed, new { error = "POST to run gold (optional JSON body {\"select\": \"model+\"})." });
            return;
        }

        GoldRunRequest request;
        try
        {
            request = await GoldRequestReader.ReadAsync(context.Request, cancellationToken) with
            {
                Trigger = context.Request.Headers.ContainsKey(SchedulerHeader) ? "scheduler" : "http",
            };
        }
        catch (GoldRequestException ex)
        {
            await RespondAsync(context, StatusCodes.Status400BadRequest, new { error = ex.Message });
            return;
        }

        GoldRunResult result;
        try
        {
            result = await runner.RunAsync(request, progress: null, cancellationToken);
        }
        catch (OpenTraceException ex) when (ex.Rule == "select")
        {
            await RespondAsync(context, StatusCodes.Status400BadRequest, new { error = ex.Message });
            return;
        }
        catch (WarehouseException ex) when (ex.IsTransient)
        {
            throw new TransientException($"The warehouse failed transiently during the gold run: {ex.Message}", ex);
        }

        LogRun(logger, result.RunId, result.Status, result.Message);
        await RespondAsync(context, StatusCodes.Status200OK, GoldRunSummary.From(result));
    }

    private static async Task RespondAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, body.GetType(), Json, context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Gold run {RunId} {Status}: {Message}")]
    private static partial void LogRun(ILogger logger, string runId, string status, string message);
}
