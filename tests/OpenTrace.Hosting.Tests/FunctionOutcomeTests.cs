using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Hosting.Tests.Support;

namespace OpenTrace.Hosting.Tests;

public sealed class FunctionOutcomeTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private RunningHost Host => fixture.Host;

    [Theory]
    [InlineData("malformed/file.csv", HttpStatusCode.BadRequest, "MalformedEventException", "object name has no <domain>/<table> prefix\n")]
    [InlineData("transient/file.csv", HttpStatusCode.ServiceUnavailable, "TransientException", "temporarily unavailable; retry later\n")]
    [InlineData("crash/file.csv", HttpStatusCode.InternalServerError, "InvalidOperationException", "internal error; see the logs\n")]
    public async Task FunctionThrows_AnswersStatusForTheFailureKind_AndLogsErrorWithStackTrace(string objectName, HttpStatusCode status, string exceptionType, string body)
    {
        var traceId = TestEvents.NewTraceId();

        using var response = await Host.Client.SendAsync(TestEvents.Finalized(HostFixture.FailingPath, objectName, traceId: traceId), Ct);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(status == HttpStatusCode.ServiceUnavailable ? TimeSpan.FromSeconds(10) : null, response.Headers.RetryAfter?.Delta);
        var error = Assert.Single(EntriesFor(traceId), e => e.GetProperty("severity").GetString() == "ERROR");
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains(exceptionType, message, StringComparison.Ordinal);
        Assert.Contains("   at ", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuccessfulCall_Answers200_AndLogsNoError()
    {
        var traceId = TestEvents.NewTraceId();

        using var response = await Host.Client.SendAsync(TestEvents.Finalized(HostFixture.FailingPath, "sales/orders/ok.csv", traceId: traceId), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(EntriesFor(traceId), e => e.GetProperty("severity").GetString() == "ERROR");
    }

    [Fact]
    public async Task ClientAbortsWhileFunctionRuns_IsLoggedAsInformationNotError()
    {
        var traceId = TestEvents.NewTraceId();
        var started = Host.App.Services.GetRequiredService<SlowFunction.Started>();
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var call = Host.Client.SendAsync(TestEvents.Finalized(HostFixture.SlowPath, "slow/file.csv", traceId: traceId), abort.Token);
        await started.Signal.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!EntriesFor(traceId).Any() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        var entry = Assert.Single(EntriesFor(traceId));
        Assert.Equal("INFO", entry.GetProperty("severity").GetString());
        Assert.Contains("aborted", entry.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private IEnumerable<JsonElement> EntriesFor(string traceId) =>
        Host.Logs.Entries.Where(e =>
            e.TryGetProperty("logging.googleapis.com/trace", out var trace) && trace.GetString()!.EndsWith(traceId, StringComparison.Ordinal));
}
