namespace OpenTrace.Core.Tests.Gold;

/// <summary>Paths in the repository checkout the tests run from.</summary>
internal static class RepositoryFiles
{
    /// <summary>Set to 1 to rewrite the golden files from the current rendering instead of comparing.</summary>
    public const string UpdateGoldenVariable = "OPENTRACE_UPDATE_GOLDEN";

    public static string Root { get; } = FindRoot();

    public static string Pipelines => Path.Combine(Root, "pipelines");

    /// <summary>The golden files in the source tree (where an update writes them).</summary>
    public static string GoldenSource => Path.Combine(Root, "tests", "OpenTrace.Core.Tests", "data", "gold");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenTrace.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside a checkout: no OpenTrace.sln above " + AppContext.BaseDirectory);
    }
}
