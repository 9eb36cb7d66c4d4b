using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTrace.Core.Configuration;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Gcp.BigQuery;
using OpenTrace.Gcp.Firestore;
using OpenTrace.Gcp.Storage;
using OpenTrace.Gcp.Tests.Fakes;
using OpenTrace.Gcp.Vertex;

namespace OpenTrace.Gcp.Tests;

public sealed class GcpOptionsTests
{
    [Fact]
    public void AddGcpAdapters_MissingProjectAndRegion_FailsAtStartNamingTheSettingsAndVariables()
    {
        using var provider = Build([]);

        var e = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("OpenTrace__ProjectId or GOOGLE_CLOUD_PROJECT", e.Message, StringComparison.Ordinal);
        Assert.Contains("OpenTrace__Region or GOOGLE_CLOUD_REGION", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddGcpAdapters_StandardGoogleVariables_FillTheSettingsAndDeriveBucketNames()
    {
        using var provider = Build(new()
        {
            ["GOOGLE_CLOUD_PROJECT"] = "acme-data",
            ["GOOGLE_CLOUD_REGION"] = "europe-west1",
            ["OpenTrace:BigQueryLocation"] = "EU",
            ["OpenTrace:ModelsBucket"] = "acme-ml-artifacts",
        });

        provider.GetRequiredService<IStartupValidator>().Validate();
        var gcp = provider.GetRequiredService<IOptions<GcpOptions>>().Value;
        var core = provider.GetRequiredService<IOptions<OpenTraceOptions>>().Value;

        Assert.Equal(("acme-data", "europe-west1", "EU", "europe-west1"), (gcp.ProjectId, gcp.Region, gcp.EffectiveBigQueryLocation, gcp.EffectiveVertexRegion));
        Assert.Equal("(default)", gcp.FirestoreDatabase);
        Assert.Equal(("acme-data-bronze", "acme-data-lake", "acme-ml-artifacts"), (core.BronzeBucket, core.LakeBucket, core.ModelsBucket));
        Assert.IsType<GcsObjectStore>(provider.GetRequiredService<IObjectStore>());
        Assert.IsType<BigQueryWarehouse>(provider.GetRequiredService<IWarehouse>());
        Assert.IsType<FirestoreDocumentStore>(provider.GetRequiredService<IDocumentStore>());
        Assert.Same(provider.GetRequiredService<IObjectStore>(), provider.GetRequiredService<IObjectStore>());
        Assert.NotNull(provider.GetRequiredService<VertexAiClient>());
    }

    [Fact]
    public void AddGcpAdapters_InvalidBucketOrChunkSize_FailsNamingTheSetting()
    {
        using var provider = Build(new()
        {
            ["OpenTrace:ProjectId"] = "acme-data",
            ["OpenTrace:Region"] = "europe-west1",
            ["OpenTrace:LakeBucket"] = "Acme_Lake!",
            ["OpenTrace:UploadChunkSize"] = "1000",
        });

        var e = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("OpenTrace:LakeBucket ('Acme_Lake!')", e.Message, StringComparison.Ordinal);
        Assert.Contains("OpenTrace:UploadChunkSize must be a positive multiple of 262144", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddGcpAdapters_StorageEmulatorHost_SendsRequestsThereWithoutCredentials()
    {
        await using var server = await FakeGcsServer.StartAsync();
        server.Put("acme-data-lake", "x.txt", "hello"u8.ToArray());
        using var provider = Build(new()
        {
            ["OpenTrace:ProjectId"] = "acme-data",
            ["OpenTrace:Region"] = "europe-west1",
            ["STORAGE_EMULATOR_HOST"] = server.BaseUrl,
        });

        var info = await provider.GetRequiredService<IObjectStore>().GetAsync("acme-data-lake", "x.txt", TestContext.Current.CancellationToken);

        Assert.Equal(5, info!.Size);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddGcpAdapters(configuration).BuildServiceProvider();
    }
}
