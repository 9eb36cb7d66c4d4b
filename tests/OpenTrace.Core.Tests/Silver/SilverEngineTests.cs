using System.Text.Json;
using OpenTrace.Testing;

namespace OpenTrace.Core.Tests.Silver;

public sealed class SilverEngineTests : IDisposable
{
    private const string Orders = """
        primary_key: [order_id]
        order_by: updated_at
        columns:
          - name: order_id
          - name: status
            case: lower
          - name: updated_at
            type: timestamp
            formats: ["yyyy-MM-dd HH:mm:ss"]
          - name: amount
            type: decimal(12,2)
          - name: email
            pii: pseudonymize
          - name: note
            pii: scrub
        rules:
          - rule: accepted_values
            column: status
            values: [open, closed]
          - rule: range
            column: amount
            min: 0
        """;

    private static readonly string[] Header = ["order_id", "status", "updated_at", "amount", "email", "note"];

    private readonly TempDirectory _dir = new("silver-engine");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Process_CleanRows_TypesNormalisesAndKeepsLineage()
    {
        var (result, silver, quarantine) = await BronzeFiles.RunAsync(_dir, Orders, Header,
        [
            [" a1 ", "OPEN", "2024-01-01 10:00:00", "12.5", "Ana@Example.com", "call me at (11) 98765-4321"],
            ["a2", "closed", "2024-01-02 11:30:00", "0", null, null],
        ]);

        Assert.False(result.IsRejected, result.RejectedReason);
        Assert.Equal(new Core.Silver.Reconciliation(2, 2, 0, 0), result.Counts);
        Assert.Null(quarantine);
        Assert.Equal(["order_id", "status", "updated_at", "amount", "email", "note", "_lineage_id", "_source_uri", "_source_generation", "_row_number", "_ingested_at"], silver.Columns);
        Assert.Equal(["a1", "a2"], silver.Values("order_id"));
        Assert.Equal(["open", "closed"], silver.Values("status"));
        Assert.Equal(new DateTime(2024, 1, 1, 10, 0, 0, DateTimeKind.Utc), silver.Value(0, "updated_at"));
        Assert.Equal(12.50m, silver.Value(0, "amount"));
        Assert.Equal(BronzeFiles.Pii.Pseudonymize("Ana@Example.com"), silver.Value(0, "email"));
        Assert.Null(silver.Value(1, "email"));
        Assert.Equal("call me at [phone]", silver.Value(0, "note"));
        Assert.Equal(BronzeFiles.LineageId, silver.Value(0, "_lineage_id"));
        Assert.Equal(BronzeFiles.SourceUri, silver.Value(1, "_source_uri"));
        Assert.Equal(2L, silver.Value(1, "_row_number"));
        Assert.Equal(BronzeFiles.IngestedAt, silver.Value(1, "_ingested_at"));
    }

    [Fact]
    public async Task Process_BadRows_QuarantinesThemWithRuleReasonAndOriginalValues()
    {
        var (result, silver, quarantine) = await BronzeFiles.RunAsync(_dir, Orders, Header,
        [
            ["a1", "open", "2024-01-01 10:00:00", "1", null, null],
            ["a2", "lost", "2024-01-01 10:00:00", "1", "x@y.com", null],
            ["a3", "open", "2018-02-29 10:15:00", "1", null, null],
            ["a4", "open", "2024-01-01 10:00:00", "-5", null, null],
            [null, "open", "2024-01-01 10:00:00", "1", null, null],
        ]);

        Assert.Equal(new Core.Silver.Reconciliation(5, 1, 4, 0), result.Counts);
        Assert.Equal(["a1"], silver.Values("order_id"));
        Assert.NotNull(quarantine);
        var rules = quarantine.Values("rule").Cast<string>().ToList();
        Assert.Equal(["accepted_values(status)", "type(updated_at)", "range(amount)", "not_null(order_id)"], rules);
        var reasons = quarantine.Values("reason").Cast<string>().ToList();
        Assert.Contains("'lost' is not one of the accepted values (open, closed)", reasons[0], StringComparison.Ordinal);
        Assert.Contains("'2018-02-29 10:15:00' is not a valid timestamp", reasons[1], StringComparison.Ordinal);
        var record = JsonDocument.Parse((string)quarantine.Value(0, "record")!).RootElement;
        Assert.Equal("lost", record.GetProperty("status").GetString());
        Assert.Equal(BronzeFiles.Pii.Pseudonymize("x@y.com"), record.GetProperty("email").GetString());
        Assert.Equal([2L, 3L, 4L, 5L], quarantine.Values("row_number").Cast<long?>().Select(v => v!.Value));
        Assert.All(quarantine.Values("layer"), v => Assert.Equal("silver", v));
    }

    [Fact]
    public async Task Process_DuplicateKeys_LatestByOrderingWinsAcrossRowGroups()
    {
        var (result, silver, _) = await BronzeFiles.RunAsync(_dir, Orders, Header,
        [
            ["k1", "open", "2024-01-03 00:00:00", "3", null, null],
            ["k2", "open", "2024-01-01 00:00:00", "1", null, null],
            ["k1", "closed", "2024-01-01 00:00:00", "1", null, null],
            ["k2", "closed", "2024-01-05 00:00:00", "5", null, null],
            ["k3", "open", "2024-01-01 00:00:00", "1", null, null],
            ["K3 ", "closed", "2024-01-01 00:00:00", "2", null, null],
        ], rowsPerGroup: 2);

        Assert.Equal(new Core.Silver.Reconciliation(6, 4, 0, 2), result.Counts);
        var byKey = silver.Rows.ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal("open", byKey["k1"]);
        Assert.Equal("closed", byKey["k2"]);
        Assert.Equal("open", byKey["k3"]);
        Assert.Equal("closed", byKey["K3"]);
    }
}
