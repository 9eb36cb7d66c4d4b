using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace OpenTrace.Bench;

/// <summary>A wrong command line or a missing repository; the message says what to do.</summary>
internal sealed class BenchException(string message) : Exception(message);

/// <summary>Options shared by the suites.</summary>
internal sealed record BenchArguments(long Rows, int Repeat, long Seed)
{
    public static BenchArguments Parse(IEnumerable<string> args)
    {
        var list = args.ToList();
        long rows = 1_000_000, seed = 42;
        var repeat = 3;
        for (var i = 0; i < list.Count; i++)
        {
            var value = i + 1 < list.Count ? list[i + 1] : throw new BenchException($"{list[i]} needs a value.");
            switch (list[i])
            {
                case "--rows":
                    rows = ParseLong(list[i], value, min: 1000);
                    break;
                case "--repeat":
                    repeat = (int)ParseLong(list[i], value, min: 1);
                    break;
                case "--seed":
                    seed = ParseLong(list[i], value, min: 0);
                    break;
                default:
                    throw new BenchException($"Unknown option {list[i]}.");
            }

            i++;
        }

        return new BenchArguments(rows, repeat, seed);
    }

    private static long ParseLong(string option, string value, long min) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new BenchException($"{option} must be a whole number of at least {min}, got '{value}'.");
}

/// <summary>Where the repository is, and what the machine is.</summary>
internal static class BenchEnvironment
{
    /// <summary>The repository root: the nearest folder above the current one (or the binary) holding OpenTrace.sln.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string ResultsPath => Path.Combine(RepositoryRoot, "bench", "results");

    public static string PipelinesPath => Path.Combine(RepositoryRoot, "pipelines");

    public static string BenchmarksFile => Path.Combine(RepositoryRoot, "BENCHMARKS.md");

    /// <summary>Peak resident set size of this process so far (VmHWM on Linux).</summary>
    public static long PeakRssBytes()
    {
        if (File.Exists("/proc/self/status"))
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                    return kb * 1024;
                }
            }
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }

    public static Dictionary<string, object?> Machine() => new()
    {
        ["os"] = RuntimeInformation.OSDescription,
        ["architecture"] = RuntimeInformation.OSArchitecture.ToString(),
        ["cpu"] = CpuModel(),
        ["logical_cores"] = Environment.ProcessorCount,
        ["memory_bytes"] = MemoryBytes(),
        ["dotnet"] = RuntimeInformation.FrameworkDescription,
        ["commit"] = Git("rev-parse", "--short", "HEAD"),
        ["load_average"] = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null,
    };

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OpenTrace.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new BenchException("Run the bench from inside the repository (no OpenTrace.sln above the current folder).");
    }

    private static string CpuModel()
    {
        if (File.Exists("/proc/cpuinfo"))
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    private static long MemoryBytes()
    {
        if (File.Exists("/proc/meminfo"))
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            return long.Parse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    private static string? Git(params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepositoryRoot };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using var git = Process.Start(start)!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
