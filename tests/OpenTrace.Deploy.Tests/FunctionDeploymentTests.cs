using System.Globalization;
using System.Text.RegularExpressions;
using OpenTrace.Deploy.Tests.Deployment;
using OpenTrace.Deploy.Tests.Hcl;

namespace OpenTrace.Deploy.Tests;

/// <summary>Every function project has its Cloud Run service and the trigger its kind needs, under agreeing names.</summary>
public sealed partial class FunctionDeploymentTests
{
    // How each function is started. A new function project fails until it is added here and to terraform/.
    private static readonly Dictionary<string, string> ExpectedTriggers = new()
    {
        ["bronze"] = "eventarc on bucket bronze",
        ["silver"] = "eventarc on bucket lake",
        ["gold"] = "scheduler",
        ["features"] = "scheduler",
        ["train"] = "scheduler",
        ["serve"] = "http",
    };

    private static readonly string[] ServiceSettings = ["project", "cpu", "memory", "concurrency", "timeout", "min_instances", "max_instances"];

    private static TerraformConfig Terraform => TerraformConfig.FromRepository;

    public static TheoryData<string> FunctionProjects => new(Repository.FunctionFolders().Select(folder => folder.Project));

    [Theory]
    [MemberData(nameof(FunctionProjects))]
    public void Function_HasACloudRunServiceNamedAfterIt(string project)
    {
        var function = Folder(project);
        var entry = Terraform.LocalObject("functions").Find(function.Name);
        Assert.True(entry is HclObject, $"local.functions has no entry '{function.Name}' for functions/{project}");
        var settings = (HclObject)entry;
        Assert.Equal(project, Assert.IsType<HclString>(settings.Get("project")).Value);
        Assert.Equal(ServiceSettings.Order(StringComparer.Ordinal), settings.Keys.Order(StringComparer.Ordinal));

        var service = Terraform.Resource("google_cloud_run_v2_service", "function");
        Assert.Equal("local.functions", service.Body.Find("for_each")?.Source);
        Assert.Equal($"opentrace-{function.Name}", ResolveForFunction(service.Body.Find("name"), function.Name));
    }

    [Theory]
    [MemberData(nameof(FunctionProjects))]
    public void Function_IsStartedByTheTriggerItsKindNeeds(string project)
    {
        var function = Folder(project);
        Assert.True(ExpectedTriggers.TryGetValue(function.Name, out var expected),
            $"functions/{project} is not in the trigger table of {nameof(FunctionDeploymentTests)}: decide how it is started (Eventarc, Scheduler or HTTP)");

        var eventarc = Terraform.LocalObject("eventarc_sources").Find(function.Name);
        var scheduled = ScheduledFunctions().Contains(function.Name);
        Assert.False(eventarc is not null && scheduled, $"{function.Name} is both event-driven and scheduled");
        var actual = eventarc is HclString bucket ? $"eventarc on bucket {bucket.Value}" : scheduled ? "scheduler" : "http";
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Terraform_DeploysExactlyTheFunctionProjects()
    {
        var folders = Repository.FunctionFolders().Select(folder => folder.Name).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(folders, Terraform.LocalObject("functions").Keys.Order(StringComparer.Ordinal));
        Assert.Subset(folders.ToHashSet(), Terraform.LocalObject("eventarc_sources").Keys.ToHashSet());
        Assert.Subset(folders.ToHashSet(), ScheduledFunctions());
    }

    [Fact]
    public void ServiceSettings_AreWithinCloudRunLimits()
    {
        foreach (var (name, value) in Terraform.LocalObject("functions").Items)
        {
            var settings = Assert.IsType<HclObject>(value);
            var timeout = Seconds().Match(Assert.IsType<HclString>(settings.Get("timeout")).Value);
            Assert.True(timeout.Success, $"{name}: timeout must be whole seconds such as \"3600s\"");
            Assert.InRange(int.Parse(timeout.Groups[1].Value, CultureInfo.InvariantCulture), 1, 3600);
            Assert.Matches(Memory(), Assert.IsType<HclString>(settings.Get("memory")).Value);
            Assert.InRange(Assert.IsType<HclNumber>(settings.Get("concurrency")).Value, 1, 1000);
            var max = Assert.IsType<HclNumber>(settings.Get("max_instances")).Value;
            if (settings.Get("min_instances") is HclNumber min)
            {
                Assert.InRange(min.Value, 0, max);
            }
        }

        // Streaming functions take few requests at a time; the serve API takes many.
        Assert.InRange(Concurrency("bronze"), 1, 4);
        Assert.InRange(Concurrency("silver"), 1, 4);
        Assert.True(Concurrency("serve") > Concurrency("bronze"));
    }

    [Fact]
    public void ServiceImage_IsTheFunctionsImageAtTheRequestedTagUntilCloudBuildOwnsIt()
    {
        var service = Terraform.Resource("google_cloud_run_v2_service", "function");
        var container = Assert.Single(Assert.Single(service.Body.BlocksOf("template")).Body.BlocksOf("containers"));
        var image = container.Body.Find("image")?.Source ?? string.Empty;
        Assert.Contains("\"${local.image_repository}/${each.key}:${var.image_tag}\"", image, StringComparison.Ordinal);

        var ignored = Assert.Single(service.Body.BlocksOf("lifecycle")).Body.Find("ignore_changes")?.Source ?? string.Empty;
        Assert.Contains("template[0].containers[0].image", ignored, StringComparison.Ordinal);
    }

    [Fact]
    public void EventarcTriggers_DeliverFinalizedObjectsOfTheirBucketToTheirFunction()
    {
        Assert.Equal(
            [KeyValuePair.Create("bronze", "bronze"), KeyValuePair.Create("silver", "lake")],
            Terraform.LocalObject("eventarc_sources").Items.Select(item => KeyValuePair.Create(item.Key, Assert.IsType<HclString>(item.Value).Value)));

        var trigger = Terraform.Resource("google_eventarc_trigger", "storage");
        Assert.Equal("local.eventarc_sources", trigger.Body.Find("for_each")?.Source);
        Assert.Equal("var.region", trigger.Body.Find("location")?.Source);
        Assert.Equal("google_service_account.account[\"${each.key}-trigger\"].email", trigger.Body.Find("service_account")?.Source);

        var criteria = trigger.Body.BlocksOf("matching_criteria")
            .Select(block => $"{Assert.IsType<HclString>(block.Body.Find("attribute")).Value} = {block.Body.Find("value")?.Source}")
            .Order(StringComparer.Ordinal);
        Assert.Equal(["bucket = local.bucket_names[each.value]", "type = \"google.cloud.storage.object.v1.finalized\""], criteria);

        var destination = Assert.Single(Assert.Single(trigger.Body.BlocksOf("destination")).Body.BlocksOf("cloud_run_service"));
        Assert.Equal("google_cloud_run_v2_service.function[each.key].name", destination.Body.Find("service")?.Source);
        Assert.Equal("var.region", destination.Body.Find("region")?.Source);

        // Direct Cloud Storage events need the trigger in the bucket's region.
        foreach (var bucket in Terraform.ResourcesOfType("google_storage_bucket"))
        {
            Assert.Equal("upper(var.region)", bucket.Body.Find("location")?.Source);
        }
    }

    [Fact]
    public void EventarcTriggerAccounts_ReceiveEventsAndInvokeOnlyTheirFunction()
    {
        var grants = Grant.ReadTable(Terraform);
        foreach (var function in Terraform.LocalObject("eventarc_sources").Keys)
        {
            var account = $"{function}-trigger";
            Assert.Equal(
                [new Grant(account, "project", string.Empty, "roles/eventarc.eventReceiver"), new Grant(account, "service", function, "roles/run.invoker")],
                grants.Where(grant => grant.Principal == account));
        }

        var publisher = Terraform.Resource("google_project_iam_member", "storage_agent_publishes_events");
        Assert.Equal("roles/pubsub.publisher", Assert.IsType<HclString>(publisher.Body.Find("role")).Value);
    }

    [Fact]
    public void SchedulerJobs_CallTheirFunctionWithAnOidcTokenForItsUrl()
    {
        var job = Terraform.Resource("google_cloud_scheduler_job", "function");
        Assert.Equal("toset(local.scheduled_functions)", job.Body.Find("for_each")?.Source);
        Assert.Equal("var.schedules[each.key]", job.Body.Find("schedule")?.Source);
        Assert.Equal(ScheduledFunctions(), Assert.IsType<HclObject>(Terraform.VariableDefault("schedules")).Keys.ToHashSet());

        var target = Assert.Single(job.Body.BlocksOf("http_target"));
        Assert.Equal("google_cloud_run_v2_service.function[each.key].uri", target.Body.Find("uri")?.Source);
        var token = Assert.Single(target.Body.BlocksOf("oidc_token"));
        Assert.Equal("google_cloud_run_v2_service.function[each.key].uri", token.Body.Find("audience")?.Source);
        Assert.Equal("google_service_account.account[\"scheduler\"].email", token.Body.Find("service_account_email")?.Source);

        var invoked = Grant.ReadTable(Terraform).Where(grant => grant.Principal == "scheduler").ToList();
        Assert.All(invoked, grant => Assert.Equal(("service", "roles/run.invoker"), (grant.Kind, grant.Role)));
        Assert.Equal(ScheduledFunctions(), invoked.Select(grant => grant.Target).ToHashSet());
    }

    private static FunctionFolder Folder(string project) => Repository.FunctionFolders().Single(folder => folder.Project == project);

    private static HashSet<string> ScheduledFunctions() =>
        Assert.IsType<HclTuple>(Terraform.Local("scheduled_functions")).Items
            .Select(item => Assert.IsType<HclString>(item).Value)
            .ToHashSet();

    private static decimal Concurrency(string function) =>
        Assert.IsType<HclNumber>(Assert.IsType<HclObject>(Terraform.LocalObject("functions").Get(function)).Get("concurrency")).Value;

    private static string ResolveForFunction(HclValue? template, string function) =>
        Terraform.Resolve(Assert.IsType<HclString>(template).Value, new Dictionary<string, string> { ["each.key"] = function });

    [GeneratedRegex(@"^([0-9]+)s$")]
    private static partial Regex Seconds();

    [GeneratedRegex(@"^[0-9]+(Mi|Gi)$")]
    private static partial Regex Memory();
}
