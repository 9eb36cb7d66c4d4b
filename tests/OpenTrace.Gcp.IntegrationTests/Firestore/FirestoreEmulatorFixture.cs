using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpenTrace.Gcp.IntegrationTests.Firestore;

/// <summary>
/// Starts Google's Firestore emulator (<c>gcloud emulators firestore start</c>) once per test run on a free loopback
/// port and stops it afterwards. The gcloud launcher does not pass signals on to the emulator's Java process, so the
/// launcher is started in its own process group (via <c>setsid</c>) and the whole group is stopped; any survivor of
/// the tree is killed too. Where gcloud (or its emulator component, or Java) is missing, <see cref="SkipReason"/> says
/// what is missing and the tests skip.
/// </summary>
public sealed class FirestoreEmulatorFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly StringBuilder _output = new();
    private Process? _process;
    private bool _ownGroup;

    /// <summary><c>host:port</c> for FIRESTORE_EMULATOR_HOST, once started.</summary>
    public string HostPort { get; private set; } = string.Empty;

    /// <summary>Why the emulator cannot run here, or null when it runs.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Skips the calling test when the emulator is unavailable.</summary>
    public void SkipIfUnavailable()
    {
        if (SkipReason is not null)
        {
            Assert.Skip(SkipReason);
        }
    }

    public async ValueTask InitializeAsync()
    {
        var gcloud = FindOnPath("gcloud");
        if (gcloud is null)
        {
            SkipReason = "The Google Cloud CLI (gcloud) is not on PATH, so the Firestore emulator cannot start; install it with its cloud-firestore-emulator component and a Java runtime to run these tests.";
            return;
        }

        var port = FreePort();
        HostPort = $"127.0.0.1:{port}";
        var setsid = FindOnPath("setsid");
        _ownGroup = setsid is not null;
        var start = new ProcessStartInfo(setsid ?? gcloud)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (setsid is not null)
        {
            start.ArgumentList.Add(gcloud);
        }

        foreach (var argument in new[] { "emulators", "firestore", "start", $"--host-port={HostPort}", "--quiet" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CLOUDSDK_CORE_DISABLE_PROMPTS"] = "1";
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start gcloud.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                var output = Output();
                if (output.Contains("component", StringComparison.OrdinalIgnoreCase) || output.Contains("java", StringComparison.OrdinalIgnoreCase))
                {
                    SkipReason = $"The Firestore emulator could not start (missing gcloud component cloud-firestore-emulator or a Java runtime): {output}";
                    return;
                }

                throw new InvalidOperationException($"The Firestore emulator exited with code {_process.ExitCode} before answering: {output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://{HostPort}/"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        await DisposeAsync();
        throw new TimeoutException($"The Firestore emulator did not answer on {HostPort} within {StartTimeout}: {Output()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        var process = _process;
        _process = null;
        if (_ownGroup)
        {
            await SignalGroupAsync(process.Id, "TERM");
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await SignalGroupAsync(process.Id, "KILL"); // the Java child may outlive its launcher
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static async Task SignalGroupAsync(int groupId, string signal)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, "--", "-" + groupId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            {
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (kill is not null)
            {
                await kill.WaitForExitAsync(); // a group already gone is fine
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no kill(1): the process-tree kill below still stops what is left
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}

/// <summary>Tests in this collection share one emulator for the whole run.</summary>
[CollectionDefinition(Name)]
public sealed class FirestoreEmulatorCollection : ICollectionFixture<FirestoreEmulatorFixture>
{
    public const string Name = "Firestore emulator";
}
