using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTrace.Core;
using OpenTrace.Hosting.Logging;

namespace OpenTrace.Hosting;

/// <summary>
/// Runs one function call inside the request's trace scope and turns its outcome into the status code that
/// drives Eventarc's retries: malformed → 400, transient → 503 (retried), anything else → 500.
/// </summary>
internal static class FunctionInvoker
{
    /// <summary>Seconds a client should wait before retrying after a transient failure.</summary>
    internal const int RetryAfterSeconds = 10;

    public static async Task InvokeAsync(HttpContext context, Type functionType, Func<HttpContext, Task> call)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(functionType.FullName ?? functionType.Name);
        var trace = CloudTraceContext.FromHeaders(context.Request.Headers);
        using var scope = trace is null ? null : logger.BeginScope(trace);
        try
        {
            await call(context);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller gave up (timeout, disconnect); nobody reads the answer, and it is not the function's fault.
            logger.LogInformation("The client aborted {Method} {Path} before {Function} finished.", context.Request.Method, context.Request.Path.Value, functionType.Name);
        }
        catch (MalformedEventException e)
        {
            logger.LogError(e, "{Function} rejected a malformed request: {Reason}", functionType.Name, e.Message);
            await RespondAsync(context, StatusCodes.Status400BadRequest, CloudEventHttpBinding.OneLine(e.Message), logger);
        }
        catch (TransientException e)
        {
            logger.LogError(e, "{Function} failed transiently; answering 503 so the event is retried: {Reason}", functionType.Name, e.Message);
            await RespondAsync(context, StatusCodes.Status503ServiceUnavailable, "temporarily unavailable; retry later", logger, retryAfter: true);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own rejections (body too large, bad framing) keep their status code.
            logger.LogError(e, "{Function} could not read the request: {Reason}", functionType.Name, e.Message);
            await RespondAsync(context, e.StatusCode, CloudEventHttpBinding.OneLine(e.Message), logger);
        }
        catch (Exception e)
        {
            logger.LogError(e, "{Function} failed: {Reason}", functionType.Name, e.Message);

            // The message stays in the log: an HTTP function may face the internet.
            await RespondAsync(context, StatusCodes.Status500InternalServerError, "internal error; see the logs", logger);
        }
    }

    private static async Task RespondAsync(HttpContext context, int statusCode, string reason, ILogger logger, bool retryAfter = false)
    {
        if (context.Response.HasStarted)
        {
            // Too late for a status code; cut the response so the caller sees a failure rather than a truncated success.
            logger.LogWarning("The response had already started; aborting the connection instead of answering {StatusCode}.", statusCode);
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.StatusCode = statusCode;
        if (retryAfter)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(reason + "\n", context.RequestAborted);
    }
}
