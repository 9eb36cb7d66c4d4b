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
    /// small limit keeps a large load's process small; DuckDB spills to disk past it. The replay of a 1M-row table,
    /// the largest statement these commands run, fits.
    /// </summary>
    public const string LoadMemoryLimit = "64MB";

    /// <summary>
    /// DuckDB's <c>memory_limit</c> for the warehouse, for example <c>256MB</c>. Default null: DuckDB's own default
    /// (80% of RAM), which lets its buffer pool grow to a few hundred MB during large loads.
    /// </summary>
    public string? WarehouseMemoryLimit { get; set; }

    /// <summary>
    /// The <see cref="WarehouseThreads"/> for processes that only load files (see <see cref="LoadMemoryLimit"/>): two.
    /// Bronze tables are read in place, so the largest statement left is silver's MERGE, which runs after the file is
    /// converted, when both cores are free; a second thread takes about a third off it for some 15 MB more memory.
    /// </summary>
    public const int LoadThreads = 2;

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
