using OpenTrace.Core.Features;
using OpenTrace.Core.Retrieval;
using OpenTrace.Functions.Features.Tests.Support;
using OpenTrace.Testing;

namespace OpenTrace.Functions.Serve.Tests.Support;

/// <summary>
/// A world ready to serve, shared by a test class that only reads it: features materialised, the late-delivery model
/// trained and promoted, the embeddings snapshot built, and the serve function running over it. Its clock stands
/// shortly after the generated data.
/// </summary>
public sealed class ServedWorld(OlistFeatureFixture fixture) : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2018, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public FeatureWorld World { get; private set; } = null!;

    public FunctionHost Host { get; private set; } = null!;

    public HttpClient Client => Host.Client;

    public FeatureCatalog Catalog { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        World = await PrepareAsync(fixture, Now);
        Catalog = World.Catalog();
        Host = await FunctionHost.StartAsync(typeof(ServeFunction), World);
    }

    /// <summary>A world with features, a promoted model and an embeddings snapshot.</summary>
    public static async Task<FeatureWorld> PrepareAsync(OlistFeatureFixture fixture, DateTimeOffset now, bool copyPipelines = false, bool train = true)
    {
        var world = FeatureWorld.Create(fixture.GoldWarehouse, copyPipelines, now);
        var cancellationToken = TestContext.Current.CancellationToken;
        await world.Materializer().RunAsync(cancellationToken: cancellationToken);
        if (train)
        {
            await world.Trainer().RunAsync(cancellationToken: cancellationToken);
        }

        var sources = RetrievalServiceCollectionExtensions.Sources(new RetrievalOptions(), new Core.Configuration.OpenTraceOptions { PipelinesPath = world.Pipelines }, world.Warehouse);
        await new EmbeddingIndexer(world.Objects, FeatureWorld.LakeBucket, "olist", new HashingTextEmbedder(), sources, world.Time).RunAsync(cancellationToken: cancellationToken);
        return world;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await World.DisposeAsync();
    }
}
