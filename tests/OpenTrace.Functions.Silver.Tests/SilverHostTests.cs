using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Bronze;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded;
using OpenTrace.Hosting;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Silver.Tests;

/// <summary>The silver function behind the real HTTP host, composed by its own startup.</summary>
public sealed class SilverHostTests : IDisposable
{
    private readonly TempDirectory _temp = new("silver-host");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Post_BinaryModeFinalizeOfABronzeObject_PublishesAndAnswers200()
    {
        await using var app = Build(Settings(withKey: true));
        await app.StartAsync(SilverHome.Cancel);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        var store = app.Services.GetRequiredService<IObjectStore>();
        var dropped = await store.UploadAsync("bronze", "shop/orders/2024-01.csv", new MemoryStream(Encoding.UTF8.GetBytes("order_id,status,updated_at,amount,email\na1,open,2024-01-01,1.5,\n")), cancellationToken: SilverHome.Cancel);
        var bronze = await app.Services.GetRequiredService<BronzeIngestor>().IngestAsync(new BronzeRequest(dropped.Bucket, dropped.Name, dropped.Generation), SilverHome.Cancel);
        var lakeObject = (await store.GetAsync("lake", bronze.OutputUri!["gs://lake/".Length..], SilverHome.Cancel))!;

        using var response = await client.SendAsync(BinaryModeEvent(lakeObject), SilverHome.Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var count = 0L;
        await foreach (var row in app.Services.GetRequiredService<IWarehouse>().QueryAsync("SELECT count(*) AS n FROM silver.shop__orders", cancellationToken: SilverHome.Cancel))
        {
            count = row.Get<long>("n");
        }

        Assert.Equal(1, count);
    }

    [Fact]
    public async Task Start_WithoutAPiiKey_FailsNamingTheSetting()
    {
        await using var app = Build(Settings(withKey: false));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(SilverHome.Cancel));

        Assert.Contains("OpenTrace:PiiKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithAWrongContract_FailsNamingTheFileLineAndField()
    {
        var settings = Settings(withKey: true);
        File.WriteAllText(Path.Combine(_temp.Path, "pipelines", "shop", "contracts", "orders.yaml"), "primary_key: [order_id]\ncolumns:\n  - name: order_id\n    type: strng\n");
        await using var app = Build(settings);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(SilverHome.Cancel));

        Assert.Contains("orders.yaml, row 4, field 'columns[0].type': unknown type 'strng'", error.Message, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Settings(bool withKey)
    {
        var pipelines = _temp.Combine("pipelines");
        Directory.CreateDirectory(Path.Combine(pipelines, "shop", "contracts"));
        File.WriteAllText(Path.Combine(pipelines, "shop", "contracts", "orders.yaml"), SilverFunctionTests.OrdersContract);
        var settings = SilverHome.Settings(pipelines);
        if (!withKey)
        {
            settings.Remove("OpenTrace:PiiKey");
        }

        return settings;
    }

    private WebApplication Build(Dictionary<string, string?> settings) =>
        FunctionsHost.Build(
            settings.Where(s => s.Value is not null).Select(s => $"--{s.Key}={s.Value}").ToArray(),
            new FunctionsHostOptions
            {
                FunctionType = typeof(SilverFunction),
                Address = IPAddress.Loopback,
                Port = 0,
                LogFormat = FunctionsLogFormat.Plain,
                ConfigureBuilder = builder => builder.Services.AddEmbeddedAdapters(_temp.Combine("home")),
            });

    /// <summary>What Eventarc POSTs to Cloud Run: ce-* headers and the object resource as the JSON body.</summary>
    private static HttpRequestMessage BinaryModeEvent(ObjectInfo obj)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["bucket"] = obj.Bucket,
            ["name"] = obj.Name,
            ["generation"] = obj.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["metageneration"] = "1",
            ["contentType"] = obj.ContentType,
            ["size"] = obj.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["timeCreated"] = obj.Created,
            ["updated"] = obj.Updated,
        });
        var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-id", Guid.NewGuid().ToString("N"));
        request.Headers.Add("ce-type", "google.cloud.storage.object.v1.finalized");
        request.Headers.Add("ce-source", $"//storage.googleapis.com/projects/_/buckets/{obj.Bucket}");
        request.Headers.Add("ce-subject", $"objects/{obj.Name}");
        request.Headers.Add("ce-time", obj.Updated.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return request;
    }
}
