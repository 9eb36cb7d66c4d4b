using OpenTrace.Gcp.Http;

namespace OpenTrace.Gcp.Tests.Fakes;

/// <summary>Builds adapters over a handler, recording backoff delays instead of sleeping.</summary>
public sealed class TestClients
{
    public const string Token = "test-token";

    public List<TimeSpan> Delays { get; } = [];

    public static GcpOptions Options(Action<GcpOptions>? configure = null)
    {
        var options = new GcpOptions { ProjectId = "demo-project", Region = "europe-west1", BigQueryLocation = "EU", UploadChunkSize = 256 * 1024 };
        configure?.Invoke(options);
        return options;
    }

    internal GoogleRestClient Rest(HttpMessageHandler handler, GcpOptions options, string service, string? token = Token) =>
        new(new HttpClient(handler), new StaticTokenSource(token),
            new Backoff(options.MaxAttempts, options.InitialBackoff, options.MaxBackoff)
            {
                Sleep = (delay, _) =>
                {
                    lock (Delays)
                    {
                        Delays.Add(delay);
                    }

                    return Task.CompletedTask;
                },
            },
            service);
}
