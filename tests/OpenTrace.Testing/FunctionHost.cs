using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTrace.Hosting;

namespace OpenTrace.Testing;

/// <summary>A function as Cloud Run hosts it (its real startup, Kestrel on 127.0.0.1), with an HttpClient pointed at it.</summary>
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

    /// <summary>
    /// Starts <paramref name="functionType"/> with <paramref name="settings"/> as <c>--key=value</c> arguments and
    /// plain logs; <paramref name="configureServices"/> adds the test's adapters over the startup's.
    /// </summary>
    public static async Task<FunctionHost> StartAsync(Type functionType, IEnumerable<string> settings, Action<IServiceCollection> configureServices)
    {
        var app = FunctionsHost.Build(
            [.. settings],
            new FunctionsHostOptions
            {
                FunctionType = functionType,
                Address = IPAddress.Loopback,
                Port = 0,
                LogFormat = FunctionsLogFormat.Plain,
                ConfigureBuilder = builder => configureServices(builder.Services),
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
