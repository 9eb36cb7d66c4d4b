namespace OpenTrace.Embedded;

/// <summary>Where the embedded adapters keep their state on a laptop.</summary>
public sealed class EmbeddedOptions
{
    /// <summary>The environment variable that overrides the default home.</summary>
    public const string HomeVariable = "OPENTRACE_HOME";

    /// <summary>The default home folder's name, under the current directory.</summary>
    public const string DefaultHomeFolder = ".opentrace";

    /// <summary>
    /// The state folder. Default: <c>OPENTRACE_HOME</c> when set, otherwise <c>.opentrace</c> in the current directory.
    /// Always a full path.
    /// </summary>
    public string Home { get; set; } = DefaultHome();

    /// <summary>
    /// The <see cref="WarehouseMemoryLimit"/> for processes that only load files (the CLI's <c>ingest</c> and
    /// <c>replay</c>, and the ingest bench, which measures them): their statements are scans, appends and merges, so a
    /// small limit keeps a large load's process small; DuckDB spills to disk past it. With <see cref="LoadThreads"/>
    /// (one thread) the replay of a 1M-row table, the largest statement these commands run, still fits in 48 MB.
    /// </summary>
    public const string LoadMemoryLimit = "64MB";

    /// <summary>
    /// DuckDB's <c>memory_limit</c> for the warehouse, for example <c>256MB</c>. Default null: DuckDB's own default
    /// (80% of RAM), which lets its buffer pool grow to a few hundred MB during large loads.
    /// </summary>
    public string? WarehouseMemoryLimit { get; set; }

    /// <summary>
    /// The <see cref="WarehouseThreads"/> for processes that only load files (see <see cref="LoadMemoryLimit"/>): one
    /// thread holds one set of DuckDB's per-thread buffers (a large load's peak is about 20 MB lower) and, with the
    /// functions converting files on the other cores, costs no wall time.
    /// </summary>
    public const int LoadThreads = 1;

    /// <summary>DuckDB's <c>threads</c> for the warehouse. Default null: DuckDB's own default (one per core).</summary>
    public int? WarehouseThreads { get; set; }

    /// <summary>The folder holding one folder per bucket: <c>&lt;home&gt;/buckets</c>.</summary>
    public string BucketsPath => Path.Combine(Path.GetFullPath(Home), "buckets");

    /// <summary>The DuckDB warehouse file: <c>&lt;home&gt;/warehouse.duckdb</c>.</summary>
    public string WarehousePath => Path.Combine(Path.GetFullPath(Home), "warehouse.duckdb");

    /// <summary>The SQLite document store file: <c>&lt;home&gt;/online.sqlite</c>.</summary>
    public string DocumentStorePath => Path.Combine(Path.GetFullPath(Home), "online.sqlite");

    /// <summary>The default home: <c>OPENTRACE_HOME</c> when set, otherwise <c>./.opentrace</c>, as a full path.</summary>
    public static string DefaultHome() =>
        DefaultHome(Environment.GetEnvironmentVariable(HomeVariable), Directory.GetCurrentDirectory());

    internal static string DefaultHome(string? environmentValue, string currentDirectory) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(environmentValue) ? Path.Combine(currentDirectory, DefaultHomeFolder) : environmentValue, currentDirectory);
}
