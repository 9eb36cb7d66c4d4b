using System.Xml.Linq;
using OpenTrace.Deploy.Tests.Deployment;

namespace OpenTrace.Deploy.Tests;

/// <summary>Each function's Dockerfile: multi-stage, ReadyToRun for linux-x64, non-root, and no embedded engines.</summary>
public sealed class DockerfileTests
{
    // Files outside the project folders that decide how a project builds.
    private static readonly string[] BuildSettings =
        ["global.json", ".editorconfig", "Directory.Build.props", "Directory.Packages.props", "shared/Directory.Build.props", "functions/Directory.Build.props"];

    // What a function project references before it is written (the design: Core, Hosting and Gcp).
    private static readonly string[] DefaultReferences = ["shared/OpenTrace.Core", "shared/OpenTrace.Gcp", "shared/OpenTrace.Hosting"];

    private static readonly string[] EmbeddedEngines = ["DuckDB.NET", "Microsoft.Data.Sqlite", "SQLitePCLRaw"];

    public static TheoryData<string> FunctionProjects => FunctionDeploymentTests.FunctionProjects;

    [Theory]
    [MemberData(nameof(FunctionProjects))]
    public void Dockerfile_BuildsWithTheSdkAndRunsOnTheAspNetRuntimeAsNonRoot(string project)
    {
        var dockerfile = Load(project);
        Assert.Equal(2, dockerfile.StageCount);
        var from = dockerfile.All("FROM").Select(instruction => instruction.Arguments).ToList();
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", from[0], StringComparison.Ordinal);
        Assert.EndsWith(" AS build", from[0], StringComparison.Ordinal);
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0", from[1]);

        var final = dockerfile.InStage(1).ToList();
        Assert.Equal("--from=build /app ./", Assert.Single(final, instruction => instruction.Keyword == "COPY").Arguments);
        Assert.Empty(dockerfile.ContextSources(1));
        var user = Assert.Single(final, instruction => instruction.Keyword == "USER").Arguments;
        Assert.Equal("$APP_UID", user);
        Assert.Equal($"[\"dotnet\", \"{project}.dll\"]", Assert.Single(final, instruction => instruction.Keyword == "ENTRYPOINT").Arguments);
        Assert.True(final.FindIndex(instruction => instruction.Keyword == "USER") < final.FindIndex(instruction => instruction.Keyword == "ENTRYPOINT"));
    }

    [Theory]
    [MemberData(nameof(FunctionProjects))]
    public void Dockerfile_PublishesTheFunctionReadyToRunForLinux(string project)
    {
        var runs = Load(project).InStage(0).Where(instruction => instruction.Keyword == "RUN").Select(instruction => instruction.Arguments).ToList();
        var projectFile = $"functions/{project}/{project}.csproj";
        var restore = Assert.Single(runs, run => run.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.Contains($"dotnet restore {projectFile} -r linux-x64 -p:PublishReadyToRun=true", restore, StringComparison.Ordinal);
        var publish = Assert.Single(runs, run => run.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.Contains($"dotnet publish {projectFile} -c Release -r linux-x64 --self-contained false", publish, StringComparison.Ordinal);
        Assert.Contains("-p:PublishReadyToRun=true", publish, StringComparison.Ordinal);
        Assert.EndsWith("-o /app", publish, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(FunctionProjects))]
    public void Dockerfile_CopiesTheBuildSettingsPipelinesAndOnlyTheProjectsTheFunctionReferences(string project)
    {
        var function = Repository.FunctionFolders().Single(folder => folder.Project == project);
        var sources = Load(project).ContextSources(0);
        Assert.Superset(BuildSettings.ToHashSet(), sources.ToHashSet());
        Assert.Contains("pipelines/", sources);

        var referenced = File.Exists(function.ProjectFile) ? ReferencedProjects(function.ProjectFile) : DefaultReferences;
        string[] expected = [.. referenced.Select(directory => directory + "/"), $"functions/{project}/"];
        var copiedFolders = sources.Where(source => source.EndsWith('/') && source != "pipelines/").Order(StringComparer.Ordinal);
        Assert.Equal(expected.Order(StringComparer.Ordinal), copiedFolders);
        Assert.DoesNotContain(sources, source => source.Contains("OpenTrace.Embedded", StringComparison.Ordinal) || source.Contains("OpenTrace.Local", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(FunctionProjects))]
    public void FunctionProject_DoesNotReferenceTheEmbeddedEngines(string project)
    {
        var function = Repository.FunctionFolders().Single(folder => folder.Project == project);
        if (!File.Exists(function.ProjectFile))
        {
            Assert.Skip($"functions/{project} has no project file yet");
        }

        var projects = ReferencedProjects(function.ProjectFile).Select(directory => Repository.PathOf(directory, Path.GetFileName(directory) + ".csproj")).Append(function.ProjectFile);
        foreach (var file in projects)
        {
            var packages = XDocument.Load(file).Descendants("PackageReference").Select(reference => (string?)reference.Attribute("Include") ?? string.Empty);
            Assert.DoesNotContain(packages, package => EmbeddedEngines.Any(engine => package.StartsWith(engine, StringComparison.Ordinal)));
        }

        Assert.DoesNotContain("shared/OpenTrace.Embedded", ReferencedProjects(function.ProjectFile));
    }

    private static Dockerfile Load(string project)
    {
        var path = Repository.PathOf("functions", project, "Dockerfile");
        Assert.True(File.Exists(path), $"functions/{project} has no Dockerfile");
        return Dockerfile.Load(path);
    }

    /// <summary>Every project the given one references, directly or not, as repository-relative folders.</summary>
    private static IReadOnlyList<string> ReferencedProjects(string projectFile)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([projectFile]);
        while (pending.TryPop(out var file))
        {
            foreach (var reference in XDocument.Load(file).Descendants("ProjectReference"))
            {
                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, ((string?)reference.Attribute("Include") ?? string.Empty).Replace('\\', '/')));
                var folder = Path.GetRelativePath(Repository.Root, Path.GetDirectoryName(path)!).Replace('\\', '/');
                if (found.Add(folder))
                {
                    pending.Push(path);
                }
            }
        }

        return [.. found];
    }
}
