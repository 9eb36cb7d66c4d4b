using System.Text.Json;
using OpenTrace.Core.Silver;
using OpenTrace.Testing;

namespace OpenTrace.Core.Tests.Silver;

/// <summary>Every rule kind and every severity, on real bronze Parquet through the engine.</summary>
public sealed class SilverRuleTests : IDisposable
{
    private static readonly string[] Header = ["id", "status", "amount", "zip", "opened", "closed"];

    private readonly TempDirectory _dir = new("silver-rules");

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string, string, string> RuleViolations => new()
    {
        // rule yaml, the row that violates it (status, amount, zip, opened, closed), the rule name
        { "{ rule: not_null, column: status }", ",1,01310,2024-01-01,2024-01-02", "not_null(status)" },
        { "{ rule: accepted_values, column: status, values: [open, closed] }", "lost,1,01310,2024-01-01,2024-01-02", "accepted_values(status)" },
        { "{ rule: range, column: amount, min: 0, min_exclusive: true }", "open,0,01310,2024-01-01,2024-01-02", "range(amount)" },
        { "{ rule: range, column: amount, max: 100 }", "open,100.01,01310,2024-01-01,2024-01-02", "range(amount)" },
        { "{ rule: regex, column: zip, pattern: '[0-9]{5}' }", "open,1,1310,2024-01-01,2024-01-02", "regex(zip)" },
        { "{ rule: expression, name: closed_after_opened, expression: closed >= opened }", "open,1,01310,2024-01-03,2024-01-02", "closed_after_opened" },
        { "{ rule: unique, column: zip }", "open,1,99999,2024-01-01,2024-01-02", "unique(zip)" },
    };

    [Theory]
    [MemberData(nameof(RuleViolations))]
    public async Task Drop_QuarantinesTheViolatingRowAndPublishesTheRest(string rule, string bad, string name)
    {
        var (result, silver, quarantine) = await RunAsync(WithSeverity(rule, "drop"), bad);

        Assert.False(result.IsRejected);
        Assert.Equal(new Reconciliation(4, 3, 1, 0), result.Counts);
        Assert.DoesNotContain("k4", silver.Values("id"));
        Assert.Equal(name, Assert.Single(quarantine!.Values("rule")));
        Assert.Equal(4L, Assert.Single(quarantine.Values("row_number")));
        Assert.Equal(Outcome(result, name), ("dropped", 1L));
    }

    [Theory]
    [MemberData(nameof(RuleViolations))]
    public async Task Warn_KeepsTheRowAndRecordsTheViolation(string rule, string bad, string name)
    {
        var (result, silver, quarantine) = await RunAsync(WithSeverity(rule, "warn"), bad);

        Assert.Equal(new Reconciliation(4, 4, 0, 0), result.Counts);
        Assert.Contains("k4", silver.Values("id"));
        Assert.Null(quarantine);
        Assert.Equal(Outcome(result, name), ("warned", 1L));
    }

    [Theory]
    [MemberData(nameof(RuleViolations))]
    public async Task Fail_RejectsTheWholeFile(string rule, string bad, string name)
    {
        var (result, _, _) = await RunAsync(WithSeverity(rule, "fail"), bad);

        Assert.True(result.IsRejected);
        Assert.Equal(name, result.RejectedRule);
        Assert.Contains("1 of 4 rows (25%) violate it", result.RejectedReason, StringComparison.Ordinal);
        Assert.Equal(Outcome(result, name), ("failed", 1L));
    }

    [Fact]
    public async Task Fail_WithinItsThreshold_DropsTheRowsAndPublishesTheFile()
    {
        var (result, _, quarantine) = await RunAsync("{ rule: accepted_values, column: status, values: [open, closed], severity: fail, threshold: 25% }", "lost,1,01310,2024-01-01,2024-01-02");
        var (over, _, _) = await RunAsync("{ rule: accepted_values, column: status, values: [open, closed], severity: fail, threshold: 20% }", "lost,1,01310,2024-01-01,2024-01-02");
        var (byCount, _, _) = await RunAsync("{ rule: accepted_values, column: status, values: [open, closed], severity: fail, threshold: 1 }", "lost,1,01310,2024-01-01,2024-01-02");

        Assert.False(result.IsRejected);
        Assert.Equal(new Reconciliation(4, 3, 1, 0), result.Counts);
        Assert.Single(quarantine!.Rows);
        Assert.Equal(Outcome(result, "accepted_values(status)"), ("dropped", 1L));
        Assert.True(over.IsRejected);
        Assert.False(byCount.IsRejected);
    }

    [Fact]
    public async Task TypeRule_FollowsTheColumnsInvalidSetting()
    {
        const string Bad = "open,abc,01310,2024-01-01,2024-01-02";

        var (dropped, _, quarantine) = await RunAsync(null, Bad);
        var (warned, silver, _) = await RunAsync(null, Bad, amount: "invalid: warn");
        var (failed, _, _) = await RunAsync(null, Bad, amount: "invalid: fail");

        Assert.Equal(new Reconciliation(4, 3, 1, 0), dropped.Counts);
        Assert.Equal("type(amount)", Assert.Single(quarantine!.Values("rule")));
        Assert.Contains("amount 'abc' is not a valid decimal(12,2)", (string)quarantine.Value(0, "reason")!, StringComparison.Ordinal);
        Assert.Equal(new Reconciliation(4, 4, 0, 0), warned.Counts);
        Assert.Null(silver.Rows.Single(r => (string?)r[0] == "k4")[2]);
        Assert.Equal(("warned", 1L), Outcome(warned, "type(amount)"));
        Assert.True(failed.IsRejected);
        Assert.Equal("type(amount)", failed.RejectedRule);
    }

    [Fact]
    public async Task RowIssue_RaggedRowsFollowTheContract()
    {
        string?[] issues = [null, null, null, "row has 7 fields; the header has 6"];

        var (dropped, _, quarantine) = await RunAsync(null, "open,1,01310,2024-01-01,2024-01-02", issues: issues);
        var (kept, _, _) = await RunAsync(null, "open,1,01310,2024-01-01,2024-01-02", issues: issues, top: "ragged_rows: warn");

        Assert.Equal(new Reconciliation(4, 3, 1, 0), dropped.Counts);
        Assert.Equal("row_issue", Assert.Single(quarantine!.Values("rule")));
        Assert.Contains("bronze flagged the row: row has 7 fields", (string)quarantine.Value(0, "reason")!, StringComparison.Ordinal);
        Assert.Equal(new Reconciliation(4, 4, 0, 0), kept.Counts);
    }

    [Fact]
    public async Task SeveralRulesBroken_QuarantineNamesTheFirstAndGivesEveryReason()
    {
        var (result, _, quarantine) = await RunAsync(
            "{ rule: accepted_values, column: status, values: [open, closed] }\n  - { rule: regex, column: zip, pattern: '[0-9]{5}' }",
            "lost,1,1310,2024-01-01,2024-01-02");

        Assert.Equal(new Reconciliation(4, 3, 1, 0), result.Counts);
        Assert.Equal("accepted_values(status)", quarantine!.Value(0, "rule"));
        var reason = (string)quarantine.Value(0, "reason")!;
        Assert.Contains("'lost' is not one of the accepted values", reason, StringComparison.Ordinal);
        Assert.Contains("zip '1310' does not match the pattern [0-9]{5}", reason, StringComparison.Ordinal);
        var record = JsonDocument.Parse((string)quarantine.Value(0, "record")!).RootElement;
        Assert.Equal("1310", record.GetProperty("zip").GetString());
    }

    private static string WithSeverity(string rule, string severity) => $"{rule.TrimEnd().TrimEnd('}')}, severity: {severity} }}";

    private static (string Outcome, long Violations) Outcome(SilverFileResult result, string rule)
    {
        var found = result.Rules.Single(r => r.Rule == rule);
        return (found.Outcome, found.Violations);
    }

    /// <summary>Three good rows k1..k3 (zip 99999 once among them) and one row k4 made from <paramref name="bad"/>.</summary>
    private async Task<(SilverFileResult Result, ParquetTable Silver, ParquetTable? Quarantine)> RunAsync(
        string? rule, string bad, string? amount = null, IReadOnlyList<string?>? issues = null, string? top = null)
    {
        var yaml = $$"""
            primary_key: [id]
            {{top}}
            columns:
              - name: id
              - name: status
              - name: amount
                type: decimal(12,2)
                {{amount}}
              - name: zip
              - name: opened
                type: date
              - name: closed
                type: date
            {{(rule is null ? string.Empty : "rules:\n  - " + rule)}}
            """;
        var rows = new List<string?[]>
        {
            Row("k1,open,1.50,01310,2024-01-01,2024-01-02"),
            Row("k2,closed,2,99999,2024-01-01,2024-01-02"),
            Row("k3,open,3,22041,2024-01-01,2024-01-01"),
            Row("k4," + bad),
        };
        return await BronzeFiles.RunAsync(_dir, yaml, Header, rows, rowsPerGroup: 2, issues: issues);
    }

    private static string?[] Row(string csv) => csv.Split(',').Select(v => v.Length == 0 ? null : v).ToArray();
}
