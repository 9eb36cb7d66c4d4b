using System.Reflection;
using OpenTrace.Core;
using OpenTrace.Core.Configuration;
using OpenTrace.Deploy.Tests.Deployment;
using OpenTrace.Deploy.Tests.Hcl;

namespace OpenTrace.Deploy.Tests;

/// <summary>Buckets, datasets, the online store, settings and APIs agree with what the code expects.</summary>
public sealed class PlatformResourceTests
{
    private static TerraformConfig Terraform => TerraformConfig.FromRepository;

    [Fact]
    public void Buckets_UseUniformAccessAndEnforcePublicAccessPrevention()
    {
        var buckets = Terraform.ResourcesOfType("google_storage_bucket").ToList();
        Assert.Equal(["bronze", "build", "lake", "models"], buckets.Select(bucket => bucket.Labels[1]).Order(StringComparer.Ordinal));
        foreach (var bucket in buckets)
        {
            Assert.True(Assert.IsType<HclBool>(bucket.Body.Find("uniform_bucket_level_access")).Value, $"{bucket.Address} must use uniform bucket-level access");
            Assert.Equal("enforced", Assert.IsType<HclString>(bucket.Body.Find("public_access_prevention")).Value);
        }
    }

    [Fact]
    public void BronzeBucket_KeepsVersionsAndMovesOldFilesToAColderClass()
    {
        var bronze = Terraform.Resource("google_storage_bucket", "bronze");
        Assert.Equal("${var.project_id}-bronze", Assert.IsType<HclString>(bronze.Body.Find("name")).Value);
        Assert.True(Assert.IsType<HclBool>(Assert.Single(bronze.Body.BlocksOf("versioning")).Body.Find("enabled")).Value);

        var rules = bronze.Body.BlocksOf("lifecycle_rule").ToList();
        var colder = rules.Single(rule => Action(rule).Find("type") is HclString { Value: "SetStorageClass" });
        Assert.Equal("NEARLINE", Assert.IsType<HclString>(Action(colder).Find("storage_class")).Value);
        Assert.Equal("var.bronze_nearline_after_days", Condition(colder).Find("age")?.Source);

        var noncurrent = rules.Single(rule => Condition(rule).Find("days_since_noncurrent_time") is not null);
        Assert.Equal("Delete", Assert.IsType<HclString>(Action(noncurrent).Find("type")).Value);
        Assert.Equal("ARCHIVED", Assert.IsType<HclString>(Condition(noncurrent).Find("with_state")).Value);
    }

    [Fact]
    public void Datasets_AreTheOnesTheCodeWritesTo()
    {
        Assert.Equal(Datasets.All.Order(StringComparer.Ordinal), Terraform.LocalObject("datasets").Keys.Order(StringComparer.Ordinal));
        var dataset = Terraform.Resource("google_bigquery_dataset", "dataset");
        Assert.Equal("local.datasets", dataset.Body.Find("for_each")?.Source);
        Assert.Equal("each.key", dataset.Body.Find("dataset_id")?.Source);
    }

    [Fact]
    public void OnlineStore_ExpiresOnlineFeaturesDocumentsAtExpireAt()
    {
        Assert.Equal("online_features", Assert.IsType<HclString>(Terraform.Local("online_collection")).Value);
        Assert.Equal("expire_at", Assert.IsType<HclString>(Terraform.Local("online_ttl_field")).Value);

        var ttl = Terraform.Resource("google_firestore_field", "online_ttl");
        Assert.Equal("local.online_collection", ttl.Body.Find("collection")?.Source);
        Assert.Equal("local.online_ttl_field", ttl.Body.Find("field")?.Source);
        Assert.Single(ttl.Body.BlocksOf("ttl_config"));
        Assert.Equal("google_firestore_database.main.name", ttl.Body.Find("database")?.Source);
        Assert.Equal("FIRESTORE_NATIVE", Assert.IsType<HclString>(Terraform.Resource("google_firestore_database", "main").Body.Find("type")).Value);
    }

    [Fact]
    public void Environment_SetsTheSettingsTheFunctionsBindToTheDeployedResources()
    {
        var environment = Terraform.LocalObject("environment");
        Assert.Equal("var.project_id", environment.Get("GOOGLE_CLOUD_PROJECT").Source);
        var section = OpenTraceOptions.SectionName;
        Assert.Equal("google_storage_bucket.bronze.name", environment.Get($"{section}__{nameof(OpenTraceOptions.BronzeBucket)}").Source);
        Assert.Equal("google_storage_bucket.lake.name", environment.Get($"{section}__{nameof(OpenTraceOptions.LakeBucket)}").Source);
        Assert.Equal("google_storage_bucket.models.name", environment.Get($"{section}__{nameof(OpenTraceOptions.ModelsBucket)}").Source);
        Assert.All(environment.Keys.Where(key => key != "GOOGLE_CLOUD_PROJECT"),
            key => Assert.StartsWith($"{section}__", key, StringComparison.Ordinal));

        var container = Assert.Single(Assert.Single(Terraform.Resource("google_cloud_run_v2_service", "function").Body.BlocksOf("template")).Body.BlocksOf("containers"));
        var envs = container.Body.BlocksOf("dynamic").ToList();
        Assert.All(envs, env => Assert.Equal(["env"], env.Labels));
        Assert.Equal(["local.environment", "lookup(local.secret_environment, each.key, {})"], envs.Select(env => env.Body.Find("for_each")?.Source));
    }

    [Fact]
    public void SecretSettings_ComeFromSecretManagerAndOnlyTheFunctionsThatReadThemMayAccessThem()
    {
        var secrets = Terraform.LocalObject("secret_environment");
        Assert.Equal(["silver"], secrets.Keys);
        Assert.Contains("google_secret_manager_secret.pii_key.secret_id", secrets.Get("silver").Source, StringComparison.Ordinal);
        Assert.Contains($"{OpenTraceOptions.SectionName}__PiiKey", secrets.Get("silver").Source, StringComparison.Ordinal);
        Assert.DoesNotContain(Terraform.LocalObject("environment").Keys, key => key.EndsWith("PiiKey", StringComparison.Ordinal));

        var readers = LeastPrivilege.Expected.Where(grant => grant.Kind == "secret").Select(grant => grant.Principal);
        Assert.Equal(secrets.Keys, readers);
    }

    [Fact]
    public void Environment_SetsOnlySettingsTheOptionsClassesBind()
    {
        // GcpOptions arrives with the Google adapters; until then only the core settings can be checked by name.
        var gcpOptions = Assembly.Load("OpenTrace.Gcp").GetType("OpenTrace.Gcp.GcpOptions");
        if (gcpOptions is null)
        {
            Assert.Skip("OpenTrace.Gcp.GcpOptions is not in this build yet");
        }

        var bound = typeof(OpenTraceOptions).GetProperties().Concat(gcpOptions.GetProperties())
            .Where(property => property.CanWrite)
            .Select(property => $"{OpenTraceOptions.SectionName}__{property.Name}")
            .ToHashSet();
        var unbound = Terraform.LocalObject("environment").Keys.Where(key => key != "GOOGLE_CLOUD_PROJECT" && !bound.Contains(key));
        Assert.Empty(unbound);
    }

    [Fact]
    public void ProjectServices_EnableTheApiOfEveryResourceTypeUsed()
    {
        var apiByPrefix = new Dictionary<string, string>
        {
            ["google_cloud_run_"] = "run.googleapis.com",
            ["google_eventarc_"] = "eventarc.googleapis.com",
            ["google_cloud_scheduler_"] = "cloudscheduler.googleapis.com",
            ["google_artifact_registry_"] = "artifactregistry.googleapis.com",
            ["google_bigquery_"] = "bigquery.googleapis.com",
            ["google_firestore_"] = "firestore.googleapis.com",
            ["google_storage_"] = "storage.googleapis.com",
            ["google_service_account"] = "iam.googleapis.com",
            ["google_project_iam_"] = "cloudresourcemanager.googleapis.com",
        };
        var forEach = Terraform.Resource("google_project_service", "api").Body.Find("for_each")?.Source ?? string.Empty;

        var needed = Terraform.Resources
            .SelectMany(resource => apiByPrefix.Where(pair => resource.Labels[0].StartsWith(pair.Key, StringComparison.Ordinal)).Select(pair => pair.Value))
            // Eventarc carries events over Pub/Sub; embeddings and answers come from Vertex AI; images are built by Cloud Build.
            .Concat(["pubsub.googleapis.com", "aiplatform.googleapis.com", "cloudbuild.googleapis.com"])
            .Distinct();
        Assert.All(needed, api => Assert.Contains($"\"{api}\"", forEach, StringComparison.Ordinal));
    }

    [Fact]
    public void Outputs_NameTheBucketsTheServeUrlTheAccountsAndTheRepository()
    {
        var outputs = Terraform.Blocks.Where(block => block.Type == "output").Select(block => block.Labels[0]).ToHashSet();
        Assert.Superset(new HashSet<string> { "bronze_bucket", "lake_bucket", "models_bucket", "serve_url", "service_accounts", "image_repository", "online_store" }, outputs);
        Assert.Equal("google_cloud_run_v2_service.function[\"serve\"].uri",
            Terraform.Blocks.Single(block => block.Type == "output" && block.Labels[0] == "serve_url").Body.Find("value")?.Source);
    }

    private static HclBody Action(HclBlock rule) => Assert.Single(rule.Body.BlocksOf("action")).Body;

    private static HclBody Condition(HclBlock rule) => Assert.Single(rule.Body.BlocksOf("condition")).Body;
}
