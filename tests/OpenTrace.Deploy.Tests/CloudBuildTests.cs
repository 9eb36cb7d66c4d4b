using OpenTrace.Deploy.Tests.Deployment;

namespace OpenTrace.Deploy.Tests;

/// <summary>cloudbuild.yaml builds every function image, pushes it tagged with the commit and deploys that same tag.</summary>
public sealed class CloudBuildTests
{
    private const string Tag = "$COMMIT_SHA";

    private static CloudBuildConfig CloudBuild => CloudBuildConfig.FromRepository;

    private static TerraformConfig Terraform => TerraformConfig.FromRepository;

    public static TheoryData<string> FunctionProjects => FunctionDeploymentTests.FunctionProjects;

    [Theory]
    [MemberData(nameof(FunctionProjects))]
    public void FunctionImage_IsBuiltPushedAndDeployedWithTheCommitTag(string project)
    {
        var function = Repository.FunctionFolders().Single(folder => folder.Project == project);
        var image = $"${{_REGION}}-docker.pkg.dev/$PROJECT_ID/${{_REPOSITORY}}/{function.Name}:{Tag}";

        var build = Assert.Single(DockerSteps("build"), step => step.ArgumentAfter("-f") == $"functions/{project}/Dockerfile");
        Assert.Equal(image, build.ArgumentAfter("-t"));
        Assert.Equal(".", build.Args[^1]);

        var push = Assert.Single(DockerSteps("push"), step => step.Args[1] == image);
        Assert.True(CloudBuild.RunsAfter(push, build), $"{push} must wait for {build}");

        var deploy = Assert.Single(DeploySteps(), step => step.Args[3] == $"${{_PREFIX}}-{function.Name}");
        Assert.Equal(image, deploy.ArgumentAfter("--image"));
        Assert.Equal("${_REGION}", deploy.ArgumentAfter("--region"));
        Assert.True(CloudBuild.RunsAfter(deploy, push), $"{deploy} must wait for {push}");

        Assert.Contains(image, CloudBuild.Images);
    }

    [Fact]
    public void Deploys_StartOnlyAfterEveryImageIsPushed()
    {
        var pushes = DockerSteps("push").ToList();
        Assert.Equal(Repository.FunctionFolders().Count, pushes.Count);
        foreach (var deploy in DeploySteps())
        {
            Assert.All(pushes, push => Assert.True(CloudBuild.RunsAfter(deploy, push), $"{deploy} must wait for {push}"));
        }
    }

    [Fact]
    public void ImageBuilds_StartOnlyAfterTheRestoredSolutionsTestsPass()
    {
        var restore = CloudBuild.Step("restore");
        Assert.Equal(["dotnet", "restore", "OpenTrace.sln"], restore.CommandLine);
        var test = CloudBuild.Step("test");
        Assert.Contains("dotnet test", string.Join(' ', test.CommandLine), StringComparison.Ordinal);
        Assert.True(CloudBuild.RunsAfter(test, restore));

        var builds = DockerSteps("build").ToList();
        Assert.Equal(Repository.FunctionFolders().Count, builds.Count);
        Assert.All(builds, build => Assert.True(CloudBuild.RunsAfter(build, test), $"{build} must wait for the tests"));
    }

    [Fact]
    public void EveryImageStep_BelongsToADeployedFunctionAndUsesTheCommitTag()
    {
        var functions = Terraform.LocalObject("functions").Keys.ToHashSet();
        var references = DockerSteps("build").Select(step => step.ArgumentAfter("-t"))
            .Concat(DockerSteps("push").Select(step => step.Args[1]))
            .Concat(DeploySteps().Select(step => step.ArgumentAfter("--image")))
            .Concat(CloudBuild.Images);
        foreach (var reference in references)
        {
            Assert.NotNull(reference);
            Assert.EndsWith(":" + Tag, reference, StringComparison.Ordinal);
            var name = reference[(reference.LastIndexOf('/') + 1)..reference.LastIndexOf(':')];
            Assert.Contains(name, functions);
        }
    }

    [Fact]
    public void Substitutions_AgreeWithTheTerraformDefaultsAndImagePaths()
    {
        Assert.Equal(Terraform.VariableDefaultString("region"), CloudBuild.Substitutions["_REGION"]);
        Assert.Equal(Terraform.VariableDefaultString("repository"), CloudBuild.Substitutions["_REPOSITORY"]);
        Assert.Equal(Terraform.VariableDefaultString("prefix"), CloudBuild.Substitutions["_PREFIX"]);

        // The image Terraform would run for a tag is the image Cloud Build pushes for that commit.
        var terraformImage = Terraform.Resolve("${local.image_repository}/${each.key}:${var.image_tag}", new Dictionary<string, string>
        {
            ["var.project_id"] = "my-project",
            ["var.image_tag"] = "abc123",
            ["each.key"] = "bronze",
        });
        var cloudBuildImage = CloudBuild.Step("push-bronze").Args[1]
            .Replace("${_REGION}", CloudBuild.Substitutions["_REGION"], StringComparison.Ordinal)
            .Replace("${_REPOSITORY}", CloudBuild.Substitutions["_REPOSITORY"], StringComparison.Ordinal)
            .Replace("$PROJECT_ID", "my-project", StringComparison.Ordinal)
            .Replace(Tag, "abc123", StringComparison.Ordinal);
        Assert.Equal(terraformImage, cloudBuildImage);
    }

    private static IEnumerable<CloudBuildStep> DockerSteps(string command) =>
        CloudBuild.Steps.Where(step => step.Image == "gcr.io/cloud-builders/docker" && step.Args.Count > 0 && step.Args[0] == command);

    private static IEnumerable<CloudBuildStep> DeploySteps() =>
        CloudBuild.Steps.Where(step => step.CommandLine.Take(4).SequenceEqual(["gcloud", "run", "services", "update"]));
}
