namespace OpenTrace.Deploy.Tests.Deployment;

/// <summary>The checkout the tests run in: found by walking up to OpenTrace.sln.</summary>
internal static class Repository
{
    private const string FunctionPrefix = "OpenTrace.Functions.";

    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>
    /// Every deployable function folder under functions/ (all but the laptop host OpenTrace.Local).
    /// A folder that does not follow the OpenTrace.Functions.&lt;Name&gt; convention fails here rather than being skipped.
    /// </summary>
    public static IReadOnlyList<FunctionFolder> FunctionFolders()
    {
        var folders = new List<FunctionFolder>();
        foreach (var directory in Directory.GetDirectories(PathOf("functions")).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(directory);
            if (name == "OpenTrace.Local")
            {
                continue;
            }

            if (!name.StartsWith(FunctionPrefix, StringComparison.Ordinal) || name.Length == FunctionPrefix.Length)
            {
                throw new InvalidOperationException($"functions/{name} is not named OpenTrace.Functions.<Name>; the deployment cannot tell which function it is.");
            }

            folders.Add(new FunctionFolder(name, name[FunctionPrefix.Length..].ToLowerInvariant()));
        }

        return folders;
    }

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "OpenTrace.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new InvalidOperationException($"No OpenTrace.sln above {AppContext.BaseDirectory}; run the tests from the repository.");
    }
}

/// <summary>A function project folder (<c>OpenTrace.Functions.Bronze</c>) and its short name (<c>bronze</c>).</summary>
internal sealed record FunctionFolder(string Project, string Name)
{
    public string Directory => Repository.PathOf("functions", Project);

    public string ProjectFile => Path.Combine(Directory, Project + ".csproj");

    public string Dockerfile => Path.Combine(Directory, "Dockerfile");

    public override string ToString() => Project;
}
