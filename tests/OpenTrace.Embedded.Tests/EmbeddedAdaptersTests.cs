using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Embedded.Documents;
using OpenTrace.Embedded.Storage;
using OpenTrace.Embedded.Warehouse;
using OpenTrace.Testing;

namespace OpenTrace.Embedded.Tests;

public sealed class EmbeddedAdaptersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AddEmbeddedAdapters_RegistersEachPortOnceOverTheHome()
    {
        using var home = new TempDirectory("opentrace-di");
        var root = home.Combine("state");
        await using var provider = new ServiceCollection().AddEmbeddedAdapters(root).BuildServiceProvider();

        var objects = provider.GetRequiredService<IObjectStore>();
        var warehouse = provider.GetRequiredService<IWarehouse>();
        var documents = provider.GetRequiredService<IDocumentStore>();

        Assert.False(Directory.Exists(root), "resolving the adapters touches no file");
        Assert.Same(provider.GetRequiredService<FolderObjectStore>(), objects);
        Assert.Same(warehouse, provider.GetRequiredService<IWarehouse>());
        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
        Assert.Equal(Path.Combine(root, "buckets"), ((FolderObjectStore)objects).Root);
        Assert.Equal(Path.Combine(root, "warehouse.duckdb"), ((DuckDbWarehouse)warehouse).DatabasePath);
        Assert.Equal(Path.Combine(root, "online.sqlite"), ((SqliteDocumentStore)documents).DatabasePath);
        Assert.Equal(root, provider.GetRequiredService<EmbeddedOptions>().Home);

        await objects.UploadAsync("bronze", "a.csv", new MemoryStream([1]), cancellationToken: Ct);
        Assert.True(File.Exists(Path.Combine(root, "buckets", "bronze", "a.csv")));
    }

    [Fact]
    public void AddEmbeddedAdapters_KeepsATimeProviderAlreadyRegistered_AndPassesTheWarehouseOptions()
    {
        using var home = new TempDirectory("opentrace-di");
        var clock = new ManualTimeProvider();
        using var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddEmbeddedAdapters(new EmbeddedOptions { Home = home.Path, WarehouseMemoryLimit = "300MB" })
            .BuildServiceProvider();

        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
        Assert.Equal("300MB", provider.GetRequiredService<EmbeddedOptions>().WarehouseMemoryLimit);
    }

    [Fact]
    public void DefaultHome_IsDotOpentraceInTheCurrentDirectory_UnlessOpentraceHomeIsSet()
    {
        var project = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "shop"));
        var elsewhere = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "state", "opentrace"));

        Assert.Equal(Path.Combine(project, ".opentrace"), EmbeddedOptions.DefaultHome(null, project));
        Assert.Equal(Path.Combine(project, ".opentrace"), EmbeddedOptions.DefaultHome("  ", project));
        Assert.Equal(elsewhere, EmbeddedOptions.DefaultHome(elsewhere, project));
        Assert.Equal(Path.Combine(project, "relative"), EmbeddedOptions.DefaultHome("relative", project));
    }

    [Fact]
    public void Options_DerivePathsFromTheHome()
    {
        var home = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "ot"));
        var options = new EmbeddedOptions { Home = home };

        Assert.Equal(Path.Combine(home, "buckets"), options.BucketsPath);
        Assert.Equal(Path.Combine(home, "warehouse.duckdb"), options.WarehousePath);
        Assert.Equal(Path.Combine(home, "online.sqlite"), options.DocumentStorePath);
    }
}
