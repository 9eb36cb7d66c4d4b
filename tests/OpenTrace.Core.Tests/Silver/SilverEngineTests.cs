using System.Text.Json;
using OpenTrace.Core.Samples;
using OpenTrace.Core.Silver;
using OpenTrace.Testing;
using ParquetSharp;

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

    [Fact]
    public async Task Process_MissingRequiredColumn_RejectsTheFileNamingTheColumn()
    {
        var (result, silver, quarantine) = await BronzeFiles.RunAsync(_dir, Orders, ["order_id", "updated_at", "amount", "email", "note"], [["a1", "2024-01-01 00:00:00", "1", null, null]]);

        Assert.True(result.IsRejected);
        Assert.Equal("schema_drift(status)", result.RejectedRule);
        Assert.Contains("required column 'status' is missing from the file (it has order_id, updated_at, amount, email, note)", result.RejectedReason, StringComparison.Ordinal);
        Assert.Empty(silver.Rows);
        Assert.Null(quarantine);
    }

    [Fact]
    public async Task Process_OptionalColumnMissing_IsNullOrItsDefault()
    {
        var yaml = Orders.Replace("  - name: note\n    pii: scrub", "  - name: note\n    pii: scrub\n    required: false\n    default: none", StringComparison.Ordinal);

        var (result, silver, _) = await BronzeFiles.RunAsync(_dir, yaml, ["order_id", "status", "updated_at", "amount", "email"], [["a1", "open", "2024-01-01 00:00:00", "1", null]]);

        Assert.False(result.IsRejected, result.RejectedReason);
        Assert.Equal("none", silver.Value(0, "note"));
    }

    [Theory]
    [InlineData("carry", false, true)]
    [InlineData("ignore", false, false)]
    [InlineData("fail", true, false)]
    public async Task Process_AdditiveColumn_FollowsTheDriftPolicy(string policy, bool rejected, bool carried)
    {
        var (result, silver, _) = await BronzeFiles.RunAsync(_dir, Orders + $"\ndrift:\n  additive: {policy}\n", [.. Header, "Gift Note"],
            [["a1", "open", "2024-01-01 00:00:00", "1", null, null, "call (11) 98765-4321"]]);

        Assert.Equal(rejected, result.IsRejected);
        Assert.Equal(["Gift Note"], result.AddedColumns);
        if (rejected)
        {
            Assert.Contains("'Gift Note' that the contract does not declare", result.RejectedReason, StringComparison.Ordinal);
            return;
        }

        Assert.Equal(carried, silver.Columns.Contains("Gift_Note"));
        if (carried)
        {
            Assert.Equal("call [phone]", silver.Value(0, "Gift_Note"));
            Assert.Contains(result.Columns, c => c.Name == "Gift_Note" && c.Type == Core.Warehouse.ColumnType.String);
        }
    }

    [Fact]
    public async Task Process_ColumnWhoseValuesMostlyDoNotParse_IsTypeDriftNamingTheColumn()
    {
        var (result, _, _) = await BronzeFiles.RunAsync(_dir, Orders, Header,
        [
            ["a1", "open", "2024-01-01 00:00:00", "R$ 1,00", null, null],
            ["a2", "open", "2024-01-01 00:00:00", "R$ 2,50", null, null],
            ["a3", "open", "2024-01-01 00:00:00", "3.00", null, null],
        ]);

        Assert.Equal("schema_drift(amount)", result.RejectedRule);
        Assert.Contains("column 'amount' is incompatible with decimal(12,2): 2 of 3 values do not parse (e.g. 'R$ 1,00')", result.RejectedReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_BronzeColumnStoredAsANumber_IsTypeDriftNamingTheColumn()
    {
        var bronze = _dir.Combine("typed.parquet");
        Column[] columns =
        [
            new Column<string>("order_id"), new Column<string>("status"), new Column<string>("updated_at"), new Column<long>("amount"),
            new Column<string>("email"), new Column<string>("note"),
            new Column<string>(Lineage.LineageId), new Column<string>(Lineage.SourceUri), new Column<long>(Lineage.SourceGeneration),
            new Column<long>(Lineage.RowNumber), new Column<DateTime>(Lineage.IngestedAt, LogicalType.Timestamp(true, TimeUnit.Micros)),
        ];
        using (var file = new ParquetFileWriter(bronze, columns))
        {
            using var group = file.AppendRowGroup();
            foreach (var values in new object[] { new[] { "a1" }, new[] { "open" }, new[] { "2024-01-01" }, new[] { 1L }, new string?[] { null }, new string?[] { null }, new[] { "l" }, new[] { "u" }, new[] { 1L }, new[] { 1L }, new[] { DateTime.UnixEpoch } })
            {
                using var column = group.NextColumn();
                switch (values)
                {
                    case string?[] text:
                        using (var w = column.LogicalWriter<string?>())
                        {
                            w.WriteBatch(text);
                        }

                        break;
                    case long[] numbers:
                        using (var w = column.LogicalWriter<long>())
                        {
                            w.WriteBatch(numbers);
                        }

                        break;
                    case DateTime[] times:
                        using (var w = column.LogicalWriter<DateTime>())
                        {
                            w.WriteBatch(times);
                        }

                        break;
                }
            }

            file.Close();
        }

        var result = await SilverEngine.ProcessAsync(new SilverEngineRequest
        {
            BronzePath = bronze,
            BronzeUri = "gs://lake/bronze/x.parquet",
            Contract = BronzeFiles.Contract(Orders),
            SilverPath = _dir.Combine("typed-silver.parquet"),
            QuarantinePath = _dir.Combine("typed-quarantine.parquet"),
            RunId = "r",
            RecordedAt = DateTimeOffset.UnixEpoch,
        }, BronzeFiles.Pii, TestContext.Current.CancellationToken);

        Assert.Equal("schema_drift(amount)", result.RejectedRule);
        Assert.Contains("column 'amount' is stored as Int64 in bronze", result.RejectedReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_PersonalData_IsProtectedInSilverAndInQuarantine()
    {
        const string Yaml = """
            primary_key: [id]
            columns:
              - name: id
              - name: status
              - name: email
                pii: pseudonymize
              - name: card
                pii: mask
                mask_keep_last: 4
              - name: cpf
                pii: drop
              - name: comment
                pii: scrub
            rules:
              - { rule: accepted_values, column: status, values: [ok] }
            """;
        string[] header = ["id", "status", "email", "card", "cpf", "comment"];

        var (result, silver, quarantine) = await BronzeFiles.RunAsync(_dir, Yaml, header,
        [
            ["p1", "ok", "ana@x.com", "4111 1111 1111 1234", "123.456.789-09", "ligue (11) 98765-4321 ou ana@x.com"],
            ["p2", "bad", "bia@y.com", "5500 0000 0000 0004", "987.654.321-00", "meu cpf 123.456.789-09"],
        ]);

        Assert.Equal(new Core.Silver.Reconciliation(2, 1, 1, 0), result.Counts);
        Assert.DoesNotContain("cpf", silver.Columns);
        Assert.Equal(BronzeFiles.Pii.Pseudonymize("ana@x.com"), silver.Value(0, "email"));
        Assert.Equal("**** **** **** 1234", silver.Value(0, "card"));
        Assert.Equal("ligue [phone] ou [email]", silver.Value(0, "comment"));

        var record = JsonDocument.Parse((string)quarantine!.Value(0, "record")!).RootElement;
        Assert.Equal(BronzeFiles.Pii.Pseudonymize("bia@y.com"), record.GetProperty("email").GetString());
        Assert.Equal("**** **** **** 0004", record.GetProperty("card").GetString());
        Assert.False(record.TryGetProperty("cpf", out _));
        Assert.Equal("meu cpf [cpf]", record.GetProperty("comment").GetString());
        Assert.Equal("bad", record.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Process_Normalisation_TrimsCasesMapsDefaultsAndTreatsEmptyAsNull()
    {
        const string Yaml = """
            primary_key: [id]
            columns:
              - name: id
              - name: state
                case: upper
                map: { "SAO PAULO": SP }
              - name: kind
                case: lower
                default: unknown
              - name: raw
                trim: false
                empty_as_null: false
            """;

        var (_, silver, _) = await BronzeFiles.RunAsync(_dir, Yaml, ["id", "state", "kind", "raw"],
        [
            ["n1", " sao paulo ", "  ", "  x "],
            ["n2", "rj", "Mixed_Case", ""],
            ["n3", "são paulo", null, null],
        ]);

        Assert.Equal(["SP", "RJ", "SÃO PAULO"], silver.Values("state"));
        Assert.Equal(["unknown", "mixed_case", "unknown"], silver.Values("kind"));
        Assert.Equal(["  x ", "", null], silver.Values("raw"));
    }

    [Fact]
    public async Task Process_LatestWins_NullOrderingIsOldestAndTiesGoToTheLaterRow()
    {
        var (result, silver, _) = await BronzeFiles.RunAsync(_dir, Orders, Header,
        [
            ["k1", "open", null, "1", null, null],
            ["k1", "closed", "2024-01-01 00:00:00", "2", null, null],
            ["k1", "open", null, "3", null, null],
            ["k2", "open", "2024-01-01 00:00:00", "4", null, null],
            ["k2", "closed", "2024-01-01 00:00:00", "5", null, null],
        ]);

        Assert.Equal(3, result.Counts.Duplicates);
        var byKey = silver.Rows.ToDictionary(r => (string)r[0]!, r => (decimal)r[3]!);
        Assert.Equal(2m, byKey["k1"]);
        Assert.Equal(5m, byKey["k2"]);
    }

    [Fact]
    public async Task Process_ManySlicesAndRowGroups_GivesTheSameOutputWhateverTheParallelism()
    {
        var rows = Enumerable.Range(0, 10_000)
            .Select(i => new string?[] { $"k{i % 9_000}", i % 97 == 0 ? "LOST" : "Open", $"2024-01-01 00:{i / 600 % 60:00}:{i % 60:00}", (i % 500).ToString(System.Globalization.CultureInfo.InvariantCulture), $"u{i}@mail.com", null })
            .ToList();

        var (serial, serialRows, serialQuarantine) = await BronzeFiles.RunAsync(_dir, Orders, Header, rows, rowsPerGroup: 3_000, parallelism: 1);
        var (parallel, parallelRows, parallelQuarantine) = await BronzeFiles.RunAsync(_dir, Orders, Header, rows, rowsPerGroup: 3_000, parallelism: 3);

        Assert.Equal(serial.Counts, parallel.Counts);
        Assert.Equal(1_000, serial.Counts.Duplicates);
        Assert.True(serial.Counts.Balanced);
        Assert.Equal(Flatten(serialRows), Flatten(parallelRows));
        Assert.Equal(Flatten(serialQuarantine!), Flatten(parallelQuarantine!));
        Assert.Equal(serial.Counts.Published, serialRows.Rows.Count);
    }

    [Fact]
    public async Task Process_EmptyFile_PublishesNothingAndReconciles()
    {
        var (result, silver, quarantine) = await BronzeFiles.RunAsync(_dir, Orders, Header, []);

        Assert.False(result.IsRejected);
        Assert.Equal(new Core.Silver.Reconciliation(0, 0, 0, 0), result.Counts);
        Assert.Empty(silver.Rows);
        Assert.Null(quarantine);
    }

    [Fact]
    public async Task Process_GeneratedOlistOrders_QuarantinesTheImpossibleDates()
    {
        var files = new Dictionary<string, MemoryStream>();
        await new OlistGenerator(new OlistGeneratorOptions { Scale = 0.02, Seed = 3, Dirty = true }).WriteAsync(name => files[name] = new MemoryStream(), cancellationToken: TestContext.Current.CancellationToken);
        var lines = System.Text.Encoding.UTF8.GetString(files[OlistDataset.Orders.FileName].ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',').Select(v => v.Length == 0 ? null : v.Trim('"')).ToArray()).ToList();
        var contract = File.ReadAllText(Path.Combine(Contracts.ContractLoaderTests.RepositoryPipelines(), "olist", "contracts", "orders.yaml"));

        var (result, silver, quarantine) = await BronzeFiles.RunAsync(_dir, contract, header, rows);

        Assert.True(result.Counts.Balanced);
        Assert.True(result.Counts.Duplicates > 0);
        Assert.Equal(
            ["delivered_after_purchase", "range(order_estimated_delivery_date)", "type(order_purchase_timestamp)"],
            quarantine!.Values("rule").Cast<string>().Distinct().Order(StringComparer.Ordinal));
        Assert.All(silver.Values("order_status"), s => Assert.Contains((string)s!, new[] { "delivered", "shipped", "canceled", "unavailable", "invoiced", "processing", "created", "approved" }));
    }

    private static List<string> Flatten(ParquetTable table) =>
        table.Rows.Select(r => string.Join("|", r.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)))).ToList();
}
