namespace OpenTrace.Local.Runtime;

/// <summary>
/// The local state folder: <c>buckets/&lt;name&gt;/</c>, <c>warehouse.duckdb</c> with the <c>warehouse.files/</c> its
/// in-place tables read, <c>online.sqlite</c>.
/// Chosen by <c>--home</c>, else <c>OPENTRACE_HOME</c>, else <c>./.opentrace</c>.
/// </summary>
internal sealed class LocalHome
{
    public const string EnvironmentVariable = "OPENTRACE_HOME";
    public const string DefaultFolder = ".opentrace";

    /// <summary>Local bucket names; the cloud uses <c>&lt;project&gt;-bronze</c> and so on.</summary>
    public const string BronzeBucket = "bronze";
    public const string LakeBucket = "lake";
    public const string ModelsBucket = "models";

    public LocalHome(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    public string BucketsPath => System.IO.Path.Combine(Path, "buckets");

    public string BronzeBucketPath => System.IO.Path.Combine(BucketsPath, BronzeBucket);

    public string WarehousePath => System.IO.Path.Combine(Path, "warehouse.duckdb");

    /// <summary>Written by <c>opentrace up</c> while it runs, so other commands can find it.</summary>
    public string HostFilePath => System.IO.Path.Combine(Path, "host.json");

    public static LocalHome Resolve(string? option, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var path = option ?? environment(EnvironmentVariable);
        return new LocalHome(string.IsNullOrWhiteSpace(path) ? System.IO.Path.Combine(Directory.GetCurrentDirectory(), DefaultFolder) : path);
    }

    public void EnsureCreated()
    {
        Directory.CreateDirectory(Path);
        foreach (var bucket in new[] { BronzeBucket, LakeBucket, ModelsBucket })
        {
            Directory.CreateDirectory(System.IO.Path.Combine(BucketsPath, bucket));
        }
    }

    /// <summary>
    /// The repository's <c>pipelines</c> folder when run from a checkout (so edits to contracts apply without a
    /// rebuild), else the copy shipped beside the binary.
    /// </summary>
    public static string ResolvePipelinesPath()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "OpenTrace.sln")) && Directory.Exists(System.IO.Path.Combine(dir.FullName, "pipelines")))
            {
                return System.IO.Path.Combine(dir.FullName, "pipelines");
            }
        }

        return System.IO.Path.Combine(AppContext.BaseDirectory, "pipelines");
    }
}
