using System.Text;
using OpenTrace.Core.Gold;
using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Tests.Gold;

/// <summary>
/// Every Olist model's BigQuery statements (build, tests, publish) against hand-reviewed golden files in
/// data/gold/bigquery. After a deliberate change, regenerate with OPENTRACE_UPDATE_GOLDEN=1 and review the diff.
/// </summary>
public sealed class GoldenRenderingTests
{
    private static readonly GoldProject Project = GoldProject.Load(RepositoryFiles.Pipelines);

    public static TheoryData<string> Models() => new(Project.Models.Select(m => m.Name));

    [Theory]
    [MemberData(nameof(Models))]
    public void BigQueryRendering_MatchesGoldenFile(string model)
    {
        var actual = RenderScript(Project.Find(model)!, new GoldSql(Project, SqlDialect.BigQuery));
        var relative = Path.Combine("bigquery", model + ".sql");
        if (Environment.GetEnvironmentVariable(RepositoryFiles.UpdateGoldenVariable) == "1")
        {
            var target = Path.Combine(RepositoryFiles.GoldenSource, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, actual);
            return;
        }

        var golden = Path.Combine(AppContext.BaseDirectory, "data", "gold", relative);
        Assert.True(File.Exists(golden), $"No golden file {relative}; run the tests with {RepositoryFiles.UpdateGoldenVariable}=1 and review it.");
        Assert.Equal(File.ReadAllText(golden), actual);
    }

    [Fact]
    public void GoldenFiles_ExistOnlyForModels()
    {
        var files = Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "data", "gold", "bigquery"), "*.sql")
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal);

        Assert.Equal(Project.Models.Select(m => m.Name).Order(StringComparer.Ordinal), files);
    }

    /// <summary>The statements a run issues for a model, as one script with a comment before each.</summary>
    internal static string RenderScript(GoldModel model, GoldSql sql)
    {
        var script = new StringBuilder();
        script.Append("-- ").Append(model.Name).Append(": statements a gold run issues on BigQuery, in order.\n\n");
        script.Append("-- before building: a staging table left by a failed build\n").Append(sql.DropStaging(model)).Append(";\n\n");
        script.Append("-- build: full, into ").Append(GoldSql.StagingDataset).Append('\n').Append(sql.Build(model)).Append(";\n\n");
        var incremental = model.Materialization == Materialization.Incremental;
        if (incremental)
        {
            var changes = new IncrementalChanges(model.DependsOnSources.ToDictionary(
                s => s,
                s => (IReadOnlyList<string>)["0123456789abcdef0123456789abcdef"],
                StringComparer.Ordinal));
            script.Append("-- build: incremental, with one changed lineage id per source\n").Append(sql.Build(model, changes)).Append(";\n\n");
        }

        foreach (var statement in sql.DescribeStaging(model))
        {
            script.Append(statement).Append(";\n");
        }

        foreach (var audited in incremental ? new[] { false, true } : [false])
        {
            foreach (var test in model.Tests)
            {
                script.Append("-- test").Append(incremental ? audited ? " (incremental build)" : " (full build)" : string.Empty)
                    .Append(": ").Append(test.Name).Append(test.Severity == TestSeverity.Warn ? " [warn]" : string.Empty).Append('\n')
                    .Append(sql.SampledTestQuery(model, test, sql.Audited(model, audited))).Append(";\n\n");
            }
        }

        script.Append("-- publish: full\n").Append(sql.Publish(model, incremental: false)).Append(";\n");
        if (incremental)
        {
            script.Append("\n-- publish: incremental\n").Append(sql.Publish(model, incremental: true)).Append('\n');
        }

        script.Append("\n-- after publishing\n").Append(sql.DropStaging(model)).Append(";\n");
        return script.ToString();
    }
}
