using System.Diagnostics;
using System.Runtime;

namespace OpenTrace.Bench;

/// <summary>
/// The runtime a suite is measured under. The bench binary itself runs with workstation GC and tiered compilation off,
/// as the ingest sides need (see the project file); a suite that measures under other settings runs in a child process
/// of the same binary with those settings given as <c>DOTNET_*</c> variables, which take precedence over the
/// runtimeconfig.json the project file writes.
/// </summary>
/// <param name="ServerGc">Server GC (as the serve function runs on Cloud Run) rather than workstation GC.</param>
/// <param name="TieredCompilation">Tiered compilation with dynamic PGO (the runtime's default) rather than optimised code at once.</param>
internal sealed record SuiteRuntime(bool ServerGc, bool TieredCompilation)
{
    private const string ChildVariable = "OPENTRACE_BENCH_SUITE_PROCESS";

    /// <summary>Workstation GC, tiered compilation: one query at a time on one thread, as a request is served.</summary>
    public static SuiteRuntime Search { get; } = new(ServerGc: false, TieredCompilation: true);

    /// <summary>Server GC, tiered compilation: the serve function's settings on Cloud Run (the Web SDK's defaults).</summary>
    public static SuiteRuntime Serve { get; } = new(ServerGc: true, TieredCompilation: true);

    /// <summary>How this process runs, for the result files: e.g. <c>server GC, tiered compilation on</c>.</summary>
    public static string Current
    {
        get
        {
            var tiered = Environment.GetEnvironmentVariable("DOTNET_TieredCompilation") ?? AppContext.GetData("System.Runtime.TieredCompilation")?.ToString();
            return $"{(GCSettings.IsServerGC ? "server" : "workstation")} GC, tiered compilation {(tiered is "0" or "false" or "False" ? "off" : "on")}";
        }
    }

    /// <summary>Runs <paramref name="suite"/> here when this process already has the settings, else in a child process that has them.</summary>
    public async Task<int> RunAsync(string[] args, Func<Task<int>> suite)
    {
        if (Environment.GetEnvironmentVariable(ChildVariable) == "1")
        {
            return await suite();
        }

        var start = new ProcessStartInfo(Environment.ProcessPath!) { WorkingDirectory = Directory.GetCurrentDirectory() };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[ChildVariable] = "1";
        start.Environment["DOTNET_gcServer"] = ServerGc ? "1" : "0";
        start.Environment["DOTNET_TieredCompilation"] = TieredCompilation ? "1" : "0";
        using var child = Process.Start(start) ?? throw new BenchException($"Could not start {Environment.ProcessPath}.");
        await child.WaitForExitAsync();
        return child.ExitCode;
    }
}
