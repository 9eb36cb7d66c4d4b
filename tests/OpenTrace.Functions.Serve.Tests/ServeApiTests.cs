using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OpenTrace.Core.Features;
using OpenTrace.Core.Serving;
using OpenTrace.Functions.Features.Tests.Support;
using OpenTrace.Functions.Serve.Tests.Support;

namespace OpenTrace.Functions.Serve.Tests;

/// <summary>The serve API over HTTP (the real host on Kestrel), with features, a promoted model and an embeddings snapshot.</summary>
public sealed class ServeApiTests(ServedWorld served) : IClassFixture<ServedWorld>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client => served.Client;

    [Fact]
    public async Task GetFeatures_FreshValue_AnswersValuesWithEventTimeAgeAndTtl()
    {
        var (id, at) = await LatestAsync("customer");

        using var response = await Client.GetAsync($"/v1/features/customer/{id}", Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(("customer", id, "fresh", false), (body.GetProperty("group").GetString(), body.GetProperty("entityId").GetString(), body.GetProperty("status").GetString(), body.GetProperty("stale").GetBoolean()));
        Assert.Equal(at, body.GetProperty("eventTimestamp").GetDateTimeOffset());
        Assert.Equal((ServedWorld.Now - at).TotalSeconds, body.GetProperty("ageSeconds").GetDouble(), 0.01);
        Assert.Equal(TimeSpan.FromDays(730).TotalSeconds, body.GetProperty("ttlSeconds").GetDouble());
        var features = body.GetProperty("features");
        Assert.Equal(served.Catalog.FindGroup("customer")!.Features.Select(f => f.Name), features.EnumerateObject().Select(p => p.Name));
        Assert.Equal(await served.World.ScalarAsync<long>($"SELECT order_count FROM features.customer WHERE customer_unique_id = '{id}' ORDER BY event_timestamp DESC LIMIT 1", Ct), features.GetProperty("order_count").GetInt64());
    }

    [Fact]
    public async Task GetFeatures_ValueOlderThanItsTtl_IsFlaggedStale()
    {
        var seller = served.Catalog.FindGroup("seller")!;
        var id = (await served.World.ScalarAsync<string>($"SELECT seller_id FROM features.seller GROUP BY 1 HAVING MAX(event_timestamp) < TIMESTAMP '{ServedWorld.Now - seller.Ttl:yyyy-MM-dd HH:mm:ss}' ORDER BY 1 LIMIT 1", Ct))!;

        using var response = await Client.GetAsync($"/v1/features/seller/{id}", Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("stale", true), (body.GetProperty("status").GetString(), body.GetProperty("stale").GetBoolean()));
        Assert.True(body.GetProperty("ageSeconds").GetDouble() > seller.Ttl.TotalSeconds);
    }

    [Theory]
    [InlineData("/v1/features/sellers/x", "No feature group 'sellers'")]
    [InlineData("/v1/features/seller/no-such-seller", "No value of seller for 'no-such-seller'")]
    [InlineData("/v1/features/seller", "/v1/features/{group}/{entityId}")]
    [InlineData("/v2/predict", "No route /v2/predict")]
    public async Task UnknownGroupEntityOrRoute_Answers404WithTheReason(string path, string reason)
    {
        using var response = await Client.GetAsync(path, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains(reason, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_AnOrder_AnswersTheProbability_TheModelVersion_AndTheFeaturesUsed()
    {
        var request = await Orders.RequestAsync(served.World);

        using var response = await Client.PostAsJsonAsync("/v1/predict", request, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("late_delivery", 1, request["order_id"]), (body.GetProperty("task").GetString(), body.GetProperty("modelVersion").GetInt32(), (object?)body.GetProperty("key").GetString()));
        Assert.Equal((DateTimeOffset)request["purchase_timestamp"]!, body.GetProperty("eventTimestamp").GetDateTimeOffset());
        var features = body.GetProperty("features");
        Assert.Equal(["customer", "seller", "product"], features.EnumerateObject().Select(p => p.Name));
        Assert.Equal(request["seller_id"], features.GetProperty("seller").GetProperty("entityId").GetString());
        Assert.All(features.EnumerateObject(), g => Assert.Contains(g.Value.GetProperty("status").GetString(), new[] { "fresh", "stale" }));
        var requestFeatures = body.GetProperty("requestFeatures");
        Assert.Equal(request["customer_state"]!.Equals(request["seller_state"]) ? 1 : 0, requestFeatures.GetProperty("same_state").GetDouble());
        Assert.Equal((double)request["freight_value"]! / (double)request["price"]!, requestFeatures.GetProperty("freight_ratio").GetDouble(), 1e-5);

        // The probability is the promoted model's score of exactly the values the answer reports.
        var model = await new PromotedModelSource(served.World.Registry(), served.Catalog, TimeSpan.FromMinutes(1), served.World.Time).GetAsync(served.Catalog.Tasks.Single(), Ct);
        var vector = new float[model.Layout.Length];
        foreach (var slots in model.Layout.Entities)
        {
            var used = features.GetProperty(slots.Group.Name);
            vector[slots.PresentSlot] = 1f;
            for (var f = 0; f < slots.Features.Count; f++)
            {
                var value = used.GetProperty("values").GetProperty(slots.Features[f].Name);
                vector[slots.FeatureSlots[f]] = value.ValueKind == JsonValueKind.Number ? (float)value.GetDouble() : 0f;
            }
        }

        for (var i = 0; i < served.Catalog.Tasks.Single().RequestFeatures.Count; i++)
        {
            vector[model.Layout.RequestSlot + i] = (float)requestFeatures.GetProperty(model.Layout.Names[model.Layout.RequestSlot + i]).GetDouble();
        }

        Assert.Equal(model.Scorer.Probability(vector), body.GetProperty("probability").GetDouble(), 1e-5);
    }

    [Fact]
    public async Task Predict_UnknownEntities_StillScores_WithTheGroupsReportedMissing()
    {
        var request = await Orders.RequestAsync(served.World);
        request["seller_id"] = "new-seller";
        request["product_id"] = "new-product";

        using var response = await Client.PostAsJsonAsync("/v1/predict/late_delivery", request, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("missing", body.GetProperty("features").GetProperty("seller").GetProperty("status").GetString());
        Assert.False(body.GetProperty("features").GetProperty("seller").TryGetProperty("values", out _));
        Assert.InRange(body.GetProperty("probability").GetDouble(), 0, 1);
    }

    [Fact]
    public async Task Predict_BadFields_Answers400_WithOneErrorPerField()
    {
        var request = await Orders.RequestAsync(served.World);
        request.Remove("seller_id");
        request["price"] = -3;
        request["freight_value"] = "12.5";
        request["customer_state"] = "ZZ";
        request["purchase_timestamp"] = "last tuesday";
        request["coupon"] = "SALE";

        using var response = await Client.PostAsJsonAsync("/v1/predict", request, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = body.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("field").GetString()!, e => e.GetProperty("message").GetString()!);
        Assert.Equal(["coupon", "customer_state", "freight_value", "price", "purchase_timestamp", "seller_id"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Required.", errors["seller_id"]);
        Assert.Contains("out of range: 0.01 to 100000", errors["price"], StringComparison.Ordinal);
        Assert.Equal("Must be a number.", errors["freight_value"]);
        Assert.Contains("'ZZ' is not a Brazilian state code", errors["customer_state"], StringComparison.Ordinal);
        Assert.Contains("ISO 8601", errors["purchase_timestamp"], StringComparison.Ordinal);
        Assert.Contains("Not a field of late_delivery", errors["coupon"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[1, 2]", "body")]
    [InlineData("{\"order_id\": ", "body")]
    [InlineData("", "body")]
    public async Task Predict_NotAJsonObject_Answers400(string json, string field)
    {
        using var response = await Client.PostAsync("/v1/predict", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, body.GetProperty("errors")[0].GetProperty("field").GetString());
    }

    [Fact]
    public async Task Predict_BodyOverTheLimit_Answers413()
    {
        var json = "{\"order_id\": \"" + new string('x', 20_000) + "\"}";

        using var declared = await Client.PostAsync("/v1/predict", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        using var streamed = await Client.PostAsync("/v1/predict", new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json))), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Contains("16,384 bytes", (await declared.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/predict", "POST")]
    [InlineData("POST", "/v1/features/seller/x", "GET")]
    [InlineData("GET", "/v1/qa", "POST")]
    [InlineData("DELETE", "/openapi.json", "GET")]
    public async Task WrongMethod_Answers405_NamingTheAllowedOne(string method, string path, string allowed)
    {
        using var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allowed, response.Content.Headers.Allow.Single());
    }

    [Fact]
    public async Task Qa_AnswersWithCitations()
    {
        using var response = await Client.PostAsJsonAsync("/v1/qa", new { question = "When does an order count as late?", topK = 5 }, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("citations").GetArrayLength() > 0);
        Assert.StartsWith("embeddings/olist/", body.GetProperty("snapshot").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_ReturnsHitsBestFirst()
    {
        using var response = await Client.PostAsJsonAsync("/v1/search", new { query = "late delivery runbook", topK = 3, mode = "bm25" }, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var scores = body.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(3, scores.Count);
        Assert.Equal(scores.OrderDescending(), scores);
    }

    [Fact]
    public async Task Qa_BadFields_Answers400_WithTheFieldErrors()
    {
        using var response = await Client.PostAsJsonAsync("/v1/qa", new { question = "", topK = 99 }, Ct);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["question", "topK"], body.GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task OpenApi_DescribesEveryRoute_AndEveryDescribedRouteAnswers()
    {
        using var response = await Client.GetAsync("/openapi.json", Ct);
        var document = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("3.0", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var described = document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (Method: m.Name.ToUpperInvariant(), Path: p.Name)))
            .ToList();
        Assert.Equal(ServeApi.Routes.Append(("GET", "/healthz")).Order(), described.Order());
        foreach (var (method, path) in described)
        {
            Assert.True(document.GetProperty("paths").GetProperty(path).GetProperty(method.ToLowerInvariant()).GetProperty("responses").EnumerateObject().Any());
            var concrete = path.Replace("{group}", "seller", StringComparison.Ordinal).Replace("{entityId}", "x", StringComparison.Ordinal).Replace("{task}", "late_delivery", StringComparison.Ordinal);
            using var answer = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), concrete) { Content = method == "POST" ? new StringContent("{}", Encoding.UTF8, "application/json") : null }, Ct);
            Assert.NotEqual(HttpStatusCode.MethodNotAllowed, answer.StatusCode);
            Assert.False(answer.StatusCode == HttpStatusCode.NotFound && (await answer.Content.ReadAsStringAsync(Ct)).Contains("No route", StringComparison.Ordinal), $"{method} {path} is described but not routed");
        }

        var request = document.GetProperty("components").GetProperty("schemas").GetProperty("PredictRequest_late_delivery");
        Assert.Contains("seller_id", request.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0.01, request.GetProperty("properties").GetProperty("price").GetProperty("minimum").GetDouble());
        Assert.Equal(["customer", "product", "seller"], document.GetProperty("paths").GetProperty("/v1/features/{group}/{entityId}").GetProperty("get").GetProperty("parameters")[0].GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
    }

    private async Task<(string Id, DateTimeOffset At)> LatestAsync(string group)
    {
        var entity = served.Catalog.FindGroup(group)!.EntityColumn;
        var row = (await served.World.RowsAsync($"SELECT {entity} AS id, MAX(event_timestamp) AS at FROM features.{group} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1", Ct)).Single();
        return (row.Get<string>("id")!, row.Get<DateTimeOffset>("at"));
    }
}
