using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using OpenTrace.Core;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Hosting.Tests;

public sealed class JobRequestsTests
{
    private static readonly JobRequestFormat<Job> Format = new()
    {
        Action = "run the job",
        Example = """{"select": "a+"}""",
        MaxBodyBytes = 64,
        QueryParameters = new Dictionary<string, Func<Job, string, Job>>
        {
            ["select"] = (job, select) => job with { Select = select },
        },
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("")]
    [InlineData(" \r\n\t ")]
    [InlineData("\uFEFF")]
    public async Task ReadAsync_EmptyOrWhitespaceBody_GivesTheDefaults(string body)
    {
        var job = await JobRequests.ReadAsync(Request(body).Request, Format, Ct);

        Assert.Equal(new Job(), job);
    }

    [Fact]
    public async Task ReadAsync_SnakeCaseBody_FillsTheRecord()
    {
        var job = await JobRequests.ReadAsync(Request("""{"select": "a", "full_refresh": true, "embeddings": false}""").Request, Format, Ct);

        Assert.Equal(new Job("a", FullRefresh: true, Embeddings: false), job);
    }

    [Fact]
    public async Task ReadAsync_BodyAtTheLimit_IsRead()
    {
        var body = $$"""{"select": "{{new string('a', Format.MaxBodyBytes - 14)}}"}""";

        var job = await JobRequests.ReadAsync(Request(body).Request, Format, Ct);

        Assert.Equal(Format.MaxBodyBytes, Encoding.UTF8.GetByteCount(body));
        Assert.Equal(Format.MaxBodyBytes - 14, job.Select!.Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadAsync_BodyOverTheLimit_IsRejected_WithOrWithoutContentLength(bool declared)
    {
        var context = Request($$"""{"select": "{{new string('a', Format.MaxBodyBytes)}}"}""");
        if (!declared)
        {
            context.Request.ContentLength = null;
        }

        var error = await Assert.ThrowsAsync<JobRequestException>(() => JobRequests.ReadAsync(context.Request, Format, Ct));

        Assert.Equal("The body is larger than 64 bytes.", error.Message);
    }

    [Theory]
    [InlineData("{", "The body is not JSON: ")]
    [InlineData("select=a", "The body is not JSON: ")]
    [InlineData("[1]", "The body must be a JSON object such as {\"select\": \"a+\"}.")]
    [InlineData("\"a\"", "The body must be a JSON object such as {\"select\": \"a+\"}.")]
    [InlineData("{\"selct\": \"a\"}", "Unknown field 'selct'; the body takes select, full_refresh and embeddings.")]
    [InlineData("{\"Select\": \"a\"}", "Unknown field 'Select'; the body takes select, full_refresh and embeddings.")]
    [InlineData("{\"full_refresh\": \"yes\"}", "'full_refresh' has the wrong type; the body takes select (a string), full_refresh (true or false) and embeddings (true or false).")]
    [InlineData("{\"select\": 5}", "'select' has the wrong type; ")]
    public async Task ReadAsync_BadBody_IsRejectedWithTheReason(string body, string reason)
    {
        var error = await Assert.ThrowsAsync<JobRequestException>(() => JobRequests.ReadAsync(Request(body).Request, Format, Ct));

        Assert.StartsWith(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_NotJson_SaysWhatTheBodyShouldBe()
    {
        var error = await Assert.ThrowsAsync<JobRequestException>(() => JobRequests.ReadAsync(Request("{").Request, Format, Ct));

        Assert.EndsWith("It must be a JSON object such as {\"select\": \"a+\"}.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?model=x", "Unknown query parameter 'model'; use select.")]
    [InlineData("?select=a&Select=b", "Unknown query parameter 'Select'; use select.")]
    public async Task ReadAsync_UnknownQueryParameter_IsRejected(string query, string reason)
    {
        var error = await Assert.ThrowsAsync<JobRequestException>(() => JobRequests.ReadAsync(Request("", query).Request, Format, Ct));

        Assert.Equal(reason, error.Message);
    }

    [Fact]
    public async Task ReadAsync_NoQueryParametersAllowed_SaysSo()
    {
        var format = new JobRequestFormat<Job> { Action = "run", Example = "{}", MaxBodyBytes = 64 };

        var error = await Assert.ThrowsAsync<JobRequestException>(() => JobRequests.ReadAsync(Request("", "?select=a").Request, format, Ct));

        Assert.Equal("Unknown query parameter 'select'; the request takes none.", error.Message);
    }

    [Theory]
    [InlineData("?select=fct_orders+", "fct_orders+")]
    [InlineData("?select=a%2Cb%20c", "a,b c")]
    [InlineData("?select=a&select=b+", "a,b+")]
    [InlineData("?select", "")]
    public async Task ReadAsync_QueryParameter_KeepsPlusAndJoinsRepeats(string query, string select)
    {
        var job = await JobRequests.ReadAsync(Request("", query).Request, Format, Ct);

        Assert.Equal(select, job.Select);
    }

    [Fact]
    public async Task ReadAsync_QueryParameter_IsAppliedToTheBody()
    {
        var job = await JobRequests.ReadAsync(Request("""{"select": "a", "full_refresh": true}""", "?select=b").Request, Format, Ct);

        Assert.Equal(new Job("b", FullRefresh: true), job);
    }

    [Theory]
    [InlineData(true, "scheduler")]
    [InlineData(false, "http")]
    public void Trigger_IsSchedulerOnlyWithTheCloudSchedulerHeader(bool fromScheduler, string trigger)
    {
        var context = Request("");
        if (fromScheduler)
        {
            context.Request.Headers["X-CloudScheduler"] = "true";
        }

        Assert.Equal(trigger, JobRequests.Trigger(context.Request));
    }

    [Fact]
    public async Task HandleAsync_Get_Answers405WithAllowAndUsage_WithoutRunning()
    {
        var context = Request("", method: HttpMethods.Get);

        await JobRequests.HandleAsync(context, Format, (_, _, _) => throw new InvalidOperationException("must not run"));

        Assert.Equal(StatusCodes.Status405MethodNotAllowed, context.Response.StatusCode);
        Assert.Equal("POST", context.Response.Headers.Allow.ToString());
        Assert.Equal("POST to run the job (optional JSON body {\"select\": \"a+\"}).", Answer(context).GetProperty("error").GetString());
    }

    [Fact]
    public async Task HandleAsync_Post_RunsWithTheBodyAndTrigger_AndAnswersJson()
    {
        var context = Request("""{"select": "a"}""");
        context.Request.Headers["X-CloudScheduler"] = "true";

        await JobRequests.HandleAsync(context, Format, (job, trigger, _) => Task.FromResult<object>(new { job.Select, Trigger = trigger, RunId = (string?)null, RowsWritten = 3, Auc = double.NaN }));

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        Assert.Equal("""{"select":"a","trigger":"scheduler","rows_written":3,"auc":"NaN"}""", Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()));
    }

    [Fact]
    public async Task HandleAsync_BadRequest_Answers400WithTheReason_WithoutRunning()
    {
        var context = Request("{\"selct\": \"a\"}");

        await JobRequests.HandleAsync(context, Format, (_, _, _) => throw new InvalidOperationException("must not run"));

        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        Assert.StartsWith("Unknown field 'selct'", Answer(context).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_SelectionNamingNothing_Answers400WithTheReason()
    {
        var context = Request("");
        var failure = new OpenTraceException("No model 'x'.", rule: "select");

        await JobRequests.HandleAsync(context, Format, (_, _, _) => throw failure);

        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        Assert.Equal(failure.Message, Answer(context).GetProperty("error").GetString());
    }

    [Fact]
    public async Task HandleAsync_TransientWarehouseFailure_BecomesTransient_SoTheHostAnswers503()
    {
        var context = Request("");
        var failure = new WarehouseException("Exceeded rate limits", transient: true);

        var error = await Assert.ThrowsAsync<TransientException>(() => JobRequests.HandleAsync(context, Format, (_, _, _) => throw failure));

        Assert.Same(failure, error.InnerException);
        Assert.Contains("while trying to run the job: Exceeded rate limits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_PermanentWarehouseFailure_IsLeftToTheHost()
    {
        var context = Request("");

        await Assert.ThrowsAsync<WarehouseException>(() => JobRequests.HandleAsync(context, Format, (_, _, _) => throw new WarehouseException("Syntax error")));
    }

    private static DefaultHttpContext Request(string body, string query = "", string? method = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext();
        context.Request.Method = method ?? HttpMethods.Post;
        context.Request.QueryString = new QueryString(query);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Response.Body = new MemoryStream();
        return context;
    }

    private static JsonElement Answer(DefaultHttpContext context) =>
        JsonSerializer.Deserialize<JsonElement>(((MemoryStream)context.Response.Body).ToArray());

    internal sealed record Job(string? Select = null, bool FullRefresh = false, bool Embeddings = true);
}
