using System.Diagnostics;
using System.Net;

namespace OpenTrace.Bench;

/// <summary>What one load phase measured.</summary>
/// <param name="Requests">Requests completed.</param>
/// <param name="Errors">Requests answered with an unexpected status.</param>
/// <param name="Seconds">Wall time of the phase.</param>
/// <param name="Latencies">Every request's latency in Stopwatch ticks.</param>
/// <param name="AllocatedBytes">Bytes the whole process allocated during the phase (server and load generator).</param>
internal sealed record LoadResult(long Requests, long Errors, double Seconds, long[] Latencies, long AllocatedBytes)
{
    public double RequestsPerSecond => Requests / Seconds;

    public double AllocatedPerRequest => (double)AllocatedBytes / Math.Max(1, Requests);
}

/// <summary>
/// A closed-loop HTTP load generator: <c>connections</c> workers, each with its own keep-alive connection, send the
/// next request as soon as the previous answer has been read in full, for a fixed time. Latency is measured per
/// request from send to the last byte read.
/// </summary>
internal sealed class LoadGenerator : IDisposable
{
    private readonly HttpClient _client;

    public LoadGenerator(Uri baseAddress, int connections)
    {
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        })
        { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task<LoadResult> RunAsync(Func<int, HttpRequestMessage> request, int connections, TimeSpan duration, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var workers = new Task<(List<long> Latencies, long Errors)>[connections];
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
        var clock = Stopwatch.StartNew();
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        for (var w = 0; w < connections; w++)
        {
            var worker = w;
            workers[w] = Task.Run(async () =>
            {
                var latencies = new List<long>(1 << 16);
                long errors = 0;
                var buffer = new byte[16 * 1024];
                var i = worker;
                while (Stopwatch.GetTimestamp() < end)
                {
                    var start = Stopwatch.GetTimestamp();
                    using var message = request(i);
                    using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
                    await using (var body = await response.Content.ReadAsStreamAsync())
                    {
                        while (await body.ReadAsync(buffer) > 0)
                        {
                        }
                    }

                    latencies.Add(Stopwatch.GetTimestamp() - start);
                    if (response.StatusCode != expected)
                    {
                        errors++;
                    }

                    i += connections;
                }

                return (latencies, errors);
            });
        }

        var results = await Task.WhenAll(workers);
        var seconds = clock.Elapsed.TotalSeconds;
        var all = results.SelectMany(r => r.Latencies).ToArray();
        return new LoadResult(all.Length, results.Sum(r => r.Errors), seconds, all, GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore);
    }

    public void Dispose() => _client.Dispose();
}
