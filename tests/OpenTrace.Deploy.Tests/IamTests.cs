using System.Text.RegularExpressions;
using OpenTrace.Deploy.Tests.Deployment;
using OpenTrace.Deploy.Tests.Hcl;

namespace OpenTrace.Deploy.Tests;

public sealed partial class IamTests
{
    private const string Member = "google_service_account.account[each.value.principal].member";

    // How each kind of grant is applied: resource type, the argument naming the target, and what that argument must be.
    private static readonly Dictionary<string, (string Type, string Argument, string Target)> GrantResources = new()
    {
        ["project"] = ("google_project_iam_member", "project", "var.project_id"),
        ["bucket"] = ("google_storage_bucket_iam_member", "bucket", "local.bucket_names[each.value.target]"),
        ["dataset"] = ("google_bigquery_dataset_iam_member", "dataset_id", "google_bigquery_dataset.dataset[each.value.target].dataset_id"),
        ["service"] = ("google_cloud_run_v2_service_iam_member", "name", "google_cloud_run_v2_service.function[each.value.target].name"),
        ["repository"] = ("google_artifact_registry_repository_iam_member", "repository", "google_artifact_registry_repository.images.name"),
        ["account"] = ("google_service_account_iam_member", "service_account_id", "google_service_account.account[each.value.target].name"),
        ["secret"] = ("google_secret_manager_secret_iam_member", "secret_id", "local.secret_ids[each.value.target]"),
    };

    private static TerraformConfig Terraform => TerraformConfig.FromRepository;

    [Fact]
    public void Grants_EqualTheLeastPrivilegeTable()
    {
        var granted = Grant.ReadTable(Terraform);
        var duplicates = granted.GroupBy(grant => grant).Where(group => group.Count() > 1).Select(group => group.Key.ToString());
        Assert.Empty(duplicates);

        var extra = granted.Except(LeastPrivilege.Expected).Select(grant => grant.ToString()).ToList();
        var missing = LeastPrivilege.Expected.Except(granted).Select(grant => grant.ToString()).ToList();
        Assert.True(extra.Count == 0 && missing.Count == 0,
            $"terraform/iam.tf differs from the least-privilege table.\nGranted but not in the table:\n  {string.Join("\n  ", extra)}\nIn the table but not granted:\n  {string.Join("\n  ", missing)}");
    }

    [Fact]
    public void Grants_NameAccountsAndTargetsTheDeploymentCreates()
    {
        var accounts = ServiceAccountKeys();
        var targets = new Dictionary<string, ISet<string>>
        {
            ["project"] = new HashSet<string> { string.Empty },
            ["repository"] = new HashSet<string> { string.Empty },
            ["bucket"] = Terraform.LocalObject("bucket_names").Keys.ToHashSet(),
            ["dataset"] = Terraform.LocalObject("datasets").Keys.ToHashSet(),
            ["service"] = Terraform.LocalObject("functions").Keys.ToHashSet(),
            ["account"] = Terraform.LocalObject("functions").Keys.ToHashSet(),
            ["secret"] = Terraform.LocalObject("secret_ids").Keys.ToHashSet(),
        };

        foreach (var grant in Grant.ReadTable(Terraform))
        {
            Assert.True(accounts.Contains(grant.Principal), $"{grant}: no service account '{grant.Principal}'");
            Assert.True(targets.TryGetValue(grant.Kind, out var known), $"{grant}: unknown kind '{grant.Kind}'");
            Assert.True(known.Contains(grant.Target), $"{grant}: no {grant.Kind} '{grant.Target}'");
        }
    }

    [Fact]
    public void GrantResources_ApplyEachKindOfTheTableWithItsOwnResourceType()
    {
        foreach (var kind in Grant.ReadTable(Terraform).Select(grant => grant.Kind).Distinct())
        {
            Assert.True(GrantResources.ContainsKey(kind), $"grants of kind '{kind}' have no resource applying them");
        }

        foreach (var (kind, (type, argument, target)) in GrantResources)
        {
            var resource = Terraform.Resource(type, "grant");
            var forEach = GrantFilter().Match(Source(resource, "for_each"));
            Assert.True(forEach.Success, $"{resource.Address}: for_each must select rows of local.grants by kind, keyed by all four fields");
            Assert.Equal(kind, forEach.Groups["kind"].Value);
            Assert.Equal("each.value.role", Source(resource, "role"));
            Assert.Equal(Member, Source(resource, "member"));
            Assert.Equal(target, Source(resource, argument));
            Assert.Null(resource.Body.Find("condition"));
        }
    }

    [Fact]
    public void IamResources_GrantNothingOutsideTheTable()
    {
        foreach (var resource in Terraform.Resources.Where(IsIam))
        {
            var (type, name) = (resource.Labels[0], resource.Labels[1]);
            Assert.False(type.EndsWith("_iam_binding", StringComparison.Ordinal) || type.EndsWith("_iam_policy", StringComparison.Ordinal),
                $"{resource.Address} is authoritative and would remove roles granted elsewhere; use *_iam_member");

            switch (name)
            {
                case "grant":
                    Assert.Contains(GrantResources.Values, applied => applied.Type == type);
                    break;
                case "storage_agent_publishes_events":
                    // Cloud Storage's own service agent publishes object events for Eventarc.
                    Assert.Equal("google_project_iam_member", type);
                    Assert.Equal("roles/pubsub.publisher", Literal(resource, "role"));
                    Assert.Equal("serviceAccount:${data.google_storage_project_service_account.storage_agent.email_address}", Literal(resource, "member"));
                    break;
                case "serve_public":
                case "serve_invoker":
                    Assert.Equal("google_cloud_run_v2_service_iam_member", type);
                    Assert.Equal("roles/run.invoker", Literal(resource, "role"));
                    Assert.Equal("google_cloud_run_v2_service.function[\"serve\"].name", Source(resource, "name"));
                    break;
                default:
                    Assert.Fail($"{resource.Address} grants a role outside the least-privilege table (local.grants)");
                    break;
            }
        }
    }

    [Fact]
    public void NoPrimitiveRole_AppearsInTheDeploymentOrTheTable()
    {
        var files = Directory.GetFiles(Repository.PathOf("terraform"))
            .Append(Repository.PathOf("cloudbuild.yaml"));
        foreach (var file in files)
        {
            var match = PrimitiveRole().Match(File.ReadAllText(file));
            Assert.False(match.Success, $"{Path.GetFileName(file)} names the primitive role {match.Value}");
        }

        Assert.DoesNotContain(LeastPrivilege.Expected, grant => PrimitiveRole().IsMatch(grant.Role));
    }

    [Fact]
    public void ServeApi_IsPublicOnlyWhenServePublicIsTrue()
    {
        Assert.False(Assert.IsType<HclBool>(Terraform.VariableDefault("serve_public")).Value);

        var publicMembers = Terraform.Resources
            .Where(resource => resource.Body.AllValues().Any(value => value.Source.Contains("allUsers", StringComparison.Ordinal)
                || value.Source.Contains("allAuthenticatedUsers", StringComparison.Ordinal)))
            .Select(resource => resource.Address)
            .ToList();
        Assert.Equal(["google_cloud_run_v2_service_iam_member.serve_public"], publicMembers);

        var servePublic = Terraform.Resource("google_cloud_run_v2_service_iam_member", "serve_public");
        Assert.Equal("var.serve_public ? 1 : 0", Source(servePublic, "count"));
        Assert.Equal("allUsers", Literal(servePublic, "member"));
        Assert.Equal("toset(var.serve_invokers)", Source(Terraform.Resource("google_cloud_run_v2_service_iam_member", "serve_invoker"), "for_each"));
    }

    [Fact]
    public void CloudRunServices_RequireIamAndRunAsTheirFunctionsOwnAccount()
    {
        var service = Terraform.Resource("google_cloud_run_v2_service", "function");
        Assert.Null(service.Body.Find("invoker_iam_disabled"));
        Assert.Equal("local.functions", Source(service, "for_each"));
        var template = Assert.Single(service.Body.BlocksOf("template"));
        Assert.Equal("google_service_account.account[each.key].email", Source(template, "service_account"));
    }

    [Fact]
    public void ServiceAccounts_AreOnePerFunctionPerTriggerForTheSchedulerAndTheDeployer()
    {
        string[] callers = [.. Terraform.LocalObject("eventarc_sources").Keys.Select(function => $"{function}-trigger"), "scheduler", "deployer"];
        var expected = Terraform.LocalObject("functions").Keys.Concat(callers).Order(StringComparer.Ordinal);
        Assert.Equal(expected, ServiceAccountKeys().Order(StringComparer.Ordinal));
    }

    private static IReadOnlySet<string> ServiceAccountKeys() =>
        Assert.IsType<HclObject>(Terraform.Resource("google_service_account", "account").Body.Find("for_each")).Keys.ToHashSet();

    private static bool IsIam(HclBlock resource) =>
        resource.Labels[0].EndsWith("_iam_member", StringComparison.Ordinal)
        || resource.Labels[0].EndsWith("_iam_binding", StringComparison.Ordinal)
        || resource.Labels[0].EndsWith("_iam_policy", StringComparison.Ordinal);

    private static string Source(HclBlock block, string argument) =>
        block.Body.Find(argument)?.Source ?? throw new KeyNotFoundException($"{block.Address} has no {argument}");

    private static string Literal(HclBlock block, string argument) =>
        block.Body.Find(argument) is HclString value ? value.Value : throw new InvalidOperationException($"{block.Address}.{argument} is not a string");

    [GeneratedRegex("""^\{ for (?<row>\w+) in local\.grants : "\$\{\k<row>\.principal\} \$\{\k<row>\.kind\} \$\{\k<row>\.target\} \$\{\k<row>\.role\}" => \k<row> if \k<row>\.kind == "(?<kind>\w+)" \}$""")]
    private static partial Regex GrantFilter();

    [GeneratedRegex(@"roles/(owner|editor|viewer)\b")]
    private static partial Regex PrimitiveRole();
}
