using OpenTrace.Deploy.Tests.Hcl;

namespace OpenTrace.Deploy.Tests;

public sealed class HclReaderTests
{
    [Fact]
    public void Read_BlocksWithLabels_NestAttributesAndBlocks()
    {
        var body = HclReader.Read(
            """
            resource "google_storage_bucket" "raw" {
              name = "raw"
              lifecycle_rule {
                condition {
                  age = 30
                }
                action { type = "Delete" }
              }
              ttl_config {}
            }
            """,
            "main.tf");

        var bucket = Assert.Single(body.Blocks);
        Assert.Equal(["google_storage_bucket", "raw"], bucket.Labels);
        Assert.Equal("google_storage_bucket.raw", bucket.Address);
        Assert.Equal("raw", Assert.IsType<HclString>(bucket.Body.Find("name")).Value);
        var rule = Assert.Single(bucket.Body.BlocksOf("lifecycle_rule"));
        Assert.Equal(30m, Assert.IsType<HclNumber>(Assert.Single(rule.Body.BlocksOf("condition")).Body.Find("age")).Value);
        Assert.Equal("Delete", Assert.IsType<HclString>(Assert.Single(rule.Body.BlocksOf("action")).Body.Find("type")).Value);
        Assert.Empty(Assert.Single(bucket.Body.BlocksOf("ttl_config")).Body.Attributes);
    }

    [Fact]
    public void Read_TupleOfObjects_ParsesEveryLiteralAcrossLinesAndComments()
    {
        var body = HclReader.Read(
            """
            locals {
              grants = [
                # first
                { principal = "bronze", kind = "project", target = "", role = "roles/bigquery.jobUser" },

                { principal = "serve", enabled = true, count = 2, none = null }, // second
              ]
              settings = { min = var.min, "quoted key" = "v" }
            }
            """,
            "locals.tf");

        var locals = Assert.Single(body.Blocks).Body;
        var grants = Assert.IsType<HclTuple>(locals.Find("grants"));
        Assert.Equal(2, grants.Items.Count);
        var first = Assert.IsType<HclObject>(grants.Items[0]);
        Assert.Equal(["principal", "kind", "target", "role"], first.Keys);
        Assert.Equal(string.Empty, Assert.IsType<HclString>(first.Get("target")).Value);
        var second = Assert.IsType<HclObject>(grants.Items[1]);
        Assert.True(Assert.IsType<HclBool>(second.Get("enabled")).Value);
        Assert.Equal(2m, Assert.IsType<HclNumber>(second.Get("count")).Value);
        Assert.IsType<HclNull>(second.Get("none"));

        var settings = Assert.IsType<HclObject>(locals.Find("settings"));
        Assert.Equal("var.min", Assert.IsType<HclExpression>(settings.Get("min")).Source);
        Assert.Equal("v", Assert.IsType<HclString>(settings.Get("quoted key")).Value);
    }

    [Fact]
    public void Read_ReferencesCallsConditionalsAndForExpressions_KeepTheirSource()
    {
        var body = HclReader.Read(
            """
            a = google_service_account.account["${each.key}-trigger"].email
            b = var.serve_public ? 1 : 0 # trailing comment
            c = { for g in local.grants : "${g.principal} ${g.role}" => g if g.kind == "project" }
            d = [for name in var.names : upper(name)]
            e = join(" ", [
              "one",
              "two",
            ])
            f = "a" == var.x
            """,
            "expressions.tf");

        Assert.Equal("google_service_account.account[\"${each.key}-trigger\"].email", Assert.IsType<HclExpression>(body.Find("a")).Source);
        Assert.Equal("var.serve_public ? 1 : 0", Assert.IsType<HclExpression>(body.Find("b")).Source);
        Assert.StartsWith("{ for g in local.grants :", Assert.IsType<HclExpression>(body.Find("c")).Source, StringComparison.Ordinal);
        Assert.Equal("[for name in var.names : upper(name)]", Assert.IsType<HclExpression>(body.Find("d")).Source);
        Assert.Equal("join(\" \", [ \"one\", \"two\", ])", Assert.IsType<HclExpression>(body.Find("e")).Source);
        Assert.Equal("\"a\" == var.x", Assert.IsType<HclExpression>(body.Find("f")).Source);
    }

    [Fact]
    public void Read_StringWithEscapesAndTemplates_ResolvesEscapesAndKeepsTemplates()
    {
        var body = HclReader.Read("""name = "tab\there \"q\" ${var.project_id}-${lower("X}")}" """, "strings.tf");

        var name = Assert.IsType<HclString>(body.Find("name"));
        Assert.Equal("tab\there \"q\" ${var.project_id}-${lower(\"X}\")}", name.Value);
        Assert.True(name.IsTemplate);
    }

    [Fact]
    public void Read_UnclosedBlock_ThrowsNamingTheFileAndLineWhereItOpens()
    {
        var error = Assert.Throws<HclSyntaxException>(() => HclReader.Read("locals {\n  a = 1\n}\n\nresource \"x\" \"y\" {\n  b = 2\n", "broken.tf"));

        Assert.Equal(new HclLocation("broken.tf", 5, 1), error.Location);
        Assert.Contains("broken.tf:5:1", error.Message, StringComparison.Ordinal);
        Assert.Contains("not closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_Heredoc_IsRefusedWithItsLocation()
    {
        var error = Assert.Throws<HclSyntaxException>(() => HclReader.Read("a = 1\nb = <<EOT\ntext\nEOT\n", "heredoc.tf"));

        Assert.Equal(new HclLocation("heredoc.tf", 2, 5), error.Location);
        Assert.Contains("heredoc", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TwoArgumentsOnOneLine_IsRefused()
    {
        var error = Assert.Throws<HclSyntaxException>(() => HclReader.Read("block {\n  a = 1 b = 2\n}\n", "line.tf"));

        Assert.Equal(new HclLocation("line.tf", 2, 11), error.Location);
    }

    [Fact]
    public void Read_SameArgumentTwice_IsRefused()
    {
        var error = Assert.Throws<HclSyntaxException>(() => HclReader.Read("a = 1\na = 2\n", "twice.tf"));

        Assert.Contains("'a' is set twice", error.Message, StringComparison.Ordinal);
    }
}
