using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OpenTrace.Hosting.Logging;
using OpenTrace.Hosting.Tests.Support;

namespace OpenTrace.Hosting.Tests;

public sealed class CloudLoggingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FunctionLog_WithCloudTraceHeader_IsJsonWithSeverityAndTraceFields()
    {
        await using var host = await RunningHost.StartFunctionsHostAsync(["--FUNCTION_TARGET=RecordingStorageFunction"]);
        var traceId = TestEvents.NewTraceId();
        using var request = TestEvents.Finalized("/", "olist/orders/orders.csv", generation: 77);
        request.Headers.Add("X-Cloud-Trace-Context", $"{traceId}/1311768467294899695;o=1");

        using var response = await host.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single(FunctionEntries(host));
        Assert.Equal("INFO", entry.GetProperty("severity").GetString());
        Assert.Equal("Object opentrace-test-bronze/olist/orders/orders.csv generation 77 finalized", entry.GetProperty("message").GetString());
        Assert.Equal($"projects/{LogCapture.ProjectId}/traces/{traceId}", entry.GetProperty("logging.googleapis.com/trace").GetString());
        Assert.Equal("1234567890abcdef", entry.GetProperty("logging.googleapis.com/spanId").GetString());
        Assert.True(entry.GetProperty("logging.googleapis.com/trace_sampled").GetBoolean());
        Assert.Equal(77, entry.GetProperty("state").GetProperty("Generation").GetInt64());
        Assert.Equal("olist/orders/orders.csv", entry.GetProperty("state").GetProperty("Name").GetString());
        Assert.True(DateTimeOffset.TryParse(entry.GetProperty("time").GetString(), out _));
    }

    [Fact]
    public async Task FunctionLog_WithTraceparent_CarriesTraceAndSamplingFlag()
    {
        await using var host = await RunningHost.StartFunctionsHostAsync(["--FUNCTION_TARGET=RecordingStorageFunction"]);
        using var request = TestEvents.Finalized("/", "olist/orders/orders.csv");
        request.Headers.Add("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-00");

        using var response = await host.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single(FunctionEntries(host));
        Assert.Equal($"projects/{LogCapture.ProjectId}/traces/4bf92f3577b34da6a3ce929d0e0e4736", entry.GetProperty("logging.googleapis.com/trace").GetString());
        Assert.Equal("00f067aa0ba902b7", entry.GetProperty("logging.googleapis.com/spanId").GetString());
        Assert.False(entry.GetProperty("logging.googleapis.com/trace_sampled").GetBoolean());
    }

    [Fact]
    public async Task FunctionLog_WithoutTraceHeader_HasNoTraceField()
    {
        await using var host = await RunningHost.StartFunctionsHostAsync(["--FUNCTION_TARGET=RecordingStorageFunction"]);

        using var response = await host.Client.SendAsync(TestEvents.Finalized("/", "olist/orders/orders.csv"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single(FunctionEntries(host));
        Assert.False(entry.TryGetProperty("logging.googleapis.com/trace", out _));
    }

    [Theory]
    [InlineData(LogLevel.Trace, "DEBUG")]
    [InlineData(LogLevel.Debug, "DEBUG")]
    [InlineData(LogLevel.Information, "INFO")]
    [InlineData(LogLevel.Warning, "WARNING")]
    [InlineData(LogLevel.Error, "ERROR")]
    [InlineData(LogLevel.Critical, "CRITICAL")]
    public void Formatter_LogLevel_MapsToCloudSeverity(LogLevel level, string severity)
    {
        using var logs = new LogCapture();

        logs.Write(level, "OpenTrace.Test", "plain message", null, (s, _) => s);

        var entry = Assert.Single(logs.Entries);
        Assert.Equal(severity, entry.GetProperty("severity").GetString());
        Assert.Equal("plain message", entry.GetProperty("message").GetString());
        Assert.Equal("OpenTrace.Test", entry.GetProperty("category").GetString());
    }

    [Fact]
    public void Formatter_Exception_IsAppendedAsStackTrace_OnOneLine()
    {
        using var logs = new LogCapture();
        var exception = Thrown();

        logs.Write(LogLevel.Error, "OpenTrace.Test", "load failed\nbadly", exception, (s, _) => s);

        var line = Assert.Single(logs.Lines);
        var entry = JsonDocument.Parse(line).RootElement;
        var message = entry.GetProperty("message").GetString()!;
        Assert.StartsWith("load failed\nbadly\nSystem.InvalidOperationException: table bronze.sales__orders is locked", message, StringComparison.Ordinal);
        Assert.Contains($"at {typeof(CloudLoggingTests).FullName}.{nameof(Thrown)}", message, StringComparison.Ordinal);
        Assert.Equal(exception.ToString(), entry.GetProperty("stack_trace").GetString());
    }

    [Fact]
    public void Formatter_WithoutProject_WritesBareTraceId_AndScopeValues()
    {
        using var logs = new LogCapture(projectId: null);
        using (logs.PushScope(new Dictionary<string, object?> { ["RunId"] = 7, ["Table"] = "sales__orders" }))
        using (logs.PushScope(new CloudTraceContext("0af7651916cd43dd8448eb211c80319c", null, sampled: true)))
        {
            logs.Write(LogLevel.Warning, "OpenTrace.Test", "slow", null, (s, _) => s);
        }

        var entry = Assert.Single(logs.Entries);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", entry.GetProperty("logging.googleapis.com/trace").GetString());
        Assert.False(entry.TryGetProperty("logging.googleapis.com/spanId", out _));
        Assert.Equal(7, entry.GetProperty("scope").GetProperty("RunId").GetInt32());
        Assert.Equal("sales__orders", entry.GetProperty("scope").GetProperty("Table").GetString());
    }

    [Theory]
    [InlineData("105445aa7843bc8bf206b12000100000/1;o=1", "105445aa7843bc8bf206b12000100000", "0000000000000001", true)]
    [InlineData("105445AA7843BC8BF206B12000100000/18446744073709551615;o=0", "105445aa7843bc8bf206b12000100000", "ffffffffffffffff", false)]
    [InlineData("105445aa7843bc8bf206b12000100000", "105445aa7843bc8bf206b12000100000", null, false)]
    [InlineData("105445aa7843bc8bf206b12000100000/0;o=1", "105445aa7843bc8bf206b12000100000", null, true)]
    public void CloudTraceHeader_Valid_IsParsed(string header, string traceId, string? spanId, bool sampled)
    {
        var trace = CloudTraceContext.ParseCloudTraceContext(header);

        Assert.NotNull(trace);
        Assert.Equal((traceId, spanId, sampled), (trace.TraceId, trace.SpanId, trace.Sampled));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-trace")]
    [InlineData("105445aa7843bc8bf206b1200010000/1;o=1")]
    [InlineData("00000000000000000000000000000000/1;o=1")]
    [InlineData("105445aa7843bc8bf206b12000100000/abc;o=1")]
    public void CloudTraceHeader_Invalid_IsIgnored(string header) =>
        Assert.Null(CloudTraceContext.ParseCloudTraceContext(header));

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", true)]
    [InlineData("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03-future", true)]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", false)]
    public void Traceparent_Valid_IsParsed(string header, bool sampled)
    {
        var trace = CloudTraceContext.ParseTraceParent(header);

        Assert.NotNull(trace);
        Assert.Equal(("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", sampled), (trace.TraceId, trace.SpanId, trace.Sampled));
    }

    [Theory]
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b71692033-01")]
    public void Traceparent_Invalid_IsIgnored(string header) =>
        Assert.Null(CloudTraceContext.ParseTraceParent(header));

    private static IEnumerable<JsonElement> FunctionEntries(RunningHost host) =>
        host.Logs.Entries.Where(e => e.GetProperty("category").GetString() == typeof(RecordingStorageFunction).FullName);

    private static InvalidOperationException Thrown()
    {
        try
        {
            throw new InvalidOperationException("table bronze.sales__orders is locked");
        }
        catch (InvalidOperationException e)
        {
            return e;
        }
    }
}
