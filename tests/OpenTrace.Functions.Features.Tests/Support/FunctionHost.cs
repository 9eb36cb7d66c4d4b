using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Core.Documents;
using OpenTrace.Core.Storage;
using OpenTrace.Core.Warehouse;
using OpenTrace.Hosting;

namespace OpenTrace.Functions.Features.Tests.Support;

/// <summary>A function as Cloud Run hosts it (its real startup, Kestrel on 127.0.0.1), over a world's embedded adapters and clock.</summary>
public sealed class FunctionHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FunctionHost(WebApplication app)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromMinutes(2) };
    }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts <paramref name="functionType"/> over <paramref name="world"/>; <paramref name="settings"/> are extra <c>--key=value</c> arguments.</summary>
    public static async Task<FunctionHost> StartAsync(Type functionType, FeatureWorld world, IEnumerable<string>? settings = null, IWarehouse? warehouse = null)
    {
        var app = FunctionsHost.Build(
            [
                $"--OpenTrace:LakeBucket={FeatureWorld.LakeBucket}",
                $"--OpenTrace:ModelsBucket={FeatureWorld.ModelsBucket}",
                $"--OpenTrace:PipelinesPath={world.Pipelines}",
                .. settings ?? [],
            ],
            new FunctionsHostOptions
            {
                FunctionType = functionType,
                Address = IPAddress.Loopback,
                Port = 0,
                LogFormat = FunctionsLogFormat.Plain,
                ConfigureBuilder = builder =>
                {
                    builder.Services.AddSingleton(warehouse ?? world.Warehouse);
                    builder.Services.AddSingleton<IObjectStore>(world.Objects);
                    builder.Services.AddSingleton<IDocumentStore>(world.Documents);
                    builder.Services.AddSingleton<TimeProvider>(world.Time);
                },
            });
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new FunctionHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
