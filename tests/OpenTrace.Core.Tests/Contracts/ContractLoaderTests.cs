using OpenTrace.Core.Contracts;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Samples;

namespace OpenTrace.Core.Tests.Contracts;

public sealed class ContractLoaderTests
{
    private static readonly TableRoute Orders = new("shop", "orders");

    public static TheoryData<string> OlistTables => new(OlistDataset.Files.Select(f => f.Table));

    [Theory]
    [MemberData(nameof(OlistTables))]
    public void Load_EveryOlistContract_DeclaresThePublishedColumnsKeyAndFileGlob(string table)
    {
        var file = OlistDataset.FindByTable(table)!;
        var path = Path.Combine(RepositoryPipelines(), "olist", "contracts", $"{table}.yaml");

        var contract = ContractLoader.Load(path, new TableRoute("olist", table));

        Assert.Equal(file.Columns, contract.Columns.Select(c => c.Source));
        Assert.Equal(file.Key.Count > 0 ? file.Key : ["geolocation_zip_code_prefix", "geolocation_lat", "geolocation_lng"], contract.PrimaryKey);
        Assert.Contains(contract.Match, glob => TableRouter.GlobToRegex(glob).IsMatch(file.FileName));
        Assert.All(contract.PrimaryKey, key => Assert.Contains(contract.Rules, r => r.Kind == RuleKind.NotNull && r.Column == key));
    }

    [Fact]
    public void Load_OlistCatalog_RoutesThePublishedFileNamesToTheirTables()
    {
        var catalog = PipelineCatalog.Load(RepositoryPipelines());

        var contracts = catalog.LoadAllContracts();

        Assert.Equal(9, contracts.Count(c => c.Route.Domain == "olist"));
        foreach (var file in OlistDataset.Files)
        {
            Assert.Equal(new TableRoute("olist", file.Table), catalog.Router.Route(file.FileName));
        }
    }

    [Fact]
    public void Parse_FullContract_ReadsEveryKey()
    {
        var contract = ContractLoader.Parse("""
            description: Orders.
            match: [orders*.csv]
            primary_key: [order_id]
            order_by: updated_at
            drift: { additive: ignore }
            ragged_rows: warn
            columns:
              - name: order_id
                source: Order ID
              - name: status
                case: upper
                trim: false
                empty_as_null: false
                map: { "x": "CANCELED" }
                default: CREATED
              - name: updated_at
                type: timestamp
                formats: ["dd/MM/yyyy HH:mm"]
                time_zone: America/Sao_Paulo
                invalid: warn
              - name: amount
                type: numeric(10, 3)
                required: false
              - name: email
                pii: mask
                mask_keep_last: 4
                description: Contact.
            rules:
              - rule: unique
                columns: [email, status]
                severity: fail
                threshold: "10"
              - rule: regex
                column: status
                pattern: '[A-Z]+'
                name: status_shape
            """, "orders.yaml", Orders);

        Assert.Equal("Orders.", contract.Description);
        Assert.Equal(["orders*.csv"], contract.Match);
        Assert.Equal("updated_at", contract.OrderBy);
        Assert.Equal(AdditiveColumnPolicy.Ignore, contract.AdditiveColumns);
        Assert.Equal(RuleSeverity.Warn, contract.RaggedRows);
        Assert.Equal("Order ID", contract.Columns[0].Source);
        var status = contract.Columns[1];
        Assert.Equal((TextCase.Upper, false, false, "CREATED", "CANCELED"), (status.Case, status.Trim, status.EmptyAsNull, status.Default, status.Map["x"]));
        var updated = contract.Columns[2].Type;
        Assert.Equal((ContractTypeKind.Timestamp, "dd/MM/yyyy HH:mm", "America/Sao_Paulo"), (updated.Kind, updated.Formats.Single(), updated.TimeZone!.Id));
        Assert.Equal(RuleSeverity.Warn, contract.Columns[2].Invalid);
        Assert.Equal((10, 3, false), (contract.Columns[3].Type.Precision, contract.Columns[3].Type.Scale, contract.Columns[3].Required));
        Assert.Equal((PiiPolicy.Mask, 4, "Contact."), (contract.Columns[4].Pii, contract.Columns[4].MaskKeepLast, contract.Columns[4].Description));
        var unique = contract.Rules.Single(r => r.Kind == RuleKind.Unique);
        Assert.Equal((RuleSeverity.Fail, 10L, "unique(email,status)"), (unique.Severity, unique.Threshold.Rows!.Value, unique.Name));
        Assert.Equal(["email", "status"], unique.Columns);
        Assert.Equal("status_shape", contract.Rules.Single(r => r.Kind == RuleKind.Regex).Name);
    }

    [Fact]
    public void Parse_ImpliedRules_CoverTypesKeysNonNullableColumnsAndRaggedRows()
    {
        var contract = ContractLoader.Parse("""
            primary_key: [id]
            columns:
              - name: id
              - name: n
                type: int64
                nullable: false
                invalid: fail
              - name: note
            """, "t.yaml", Orders);

        Assert.Equal(
            ["row_issue", "not_null(id)", "type(n)", "not_null(n)"],
            contract.Rules.Select(r => r.Name));
        Assert.Equal(RuleSeverity.Fail, contract.Rules.Single(r => r.Name == "type(n)").Severity);
        Assert.Equal(RuleSeverity.Drop, contract.Rules.Single(r => r.Name == "row_issue").Severity);
    }

    [Fact]
    public void Parse_DeclaredNotNull_ReplacesTheImpliedOne()
    {
        var contract = ContractLoader.Parse("""
            primary_key: [id]
            columns: [{ name: id }]
            rules:
              - { rule: not_null, column: id, severity: fail, threshold: 1% }
            """, "t.yaml", Orders);

        var rule = Assert.Single(contract.Rules, r => r.Kind == RuleKind.NotNull);
        Assert.Equal(RuleSeverity.Fail, rule.Severity);
        Assert.Equal(0.01, rule.Threshold.Fraction);
    }

    [Fact]
    public void Fingerprint_ChangesWithTheContractText()
    {
        const string Yaml = "columns: [{ name: id }]\n";

        var first = ContractLoader.Parse(Yaml, "t.yaml", Orders).Fingerprint;

        Assert.Equal(first, ContractLoader.Parse(Yaml, "other.yaml", Orders).Fingerprint);
        Assert.NotEqual(first, ContractLoader.Parse(Yaml + "description: x\n", "t.yaml", Orders).Fingerprint);
        Assert.Equal(16, first.Length);
    }

    [Theory]
    [InlineData("primary_keys: [id]\ncolumns: [{ name: id }]\n", 1, "primary_keys", "unknown key 'primary_keys'. Did you mean 'primary_key'?")]
    [InlineData("columns:\n  - name: id\n    type: strng\n", 3, "columns[0].type", "unknown type 'strng'; expected string, int64, float64, decimal(p,s), bool, date or timestamp.")]
    [InlineData("columns:\n  - name: id\n    type: decimal(40,2)\n", 3, "columns[0].type", "precision must be 1 to 38")]
    [InlineData("columns:\n  - name: id\n    type: decimal\n", 3, "columns[0].type", "needs a precision and scale")]
    [InlineData("columns:\n  - name: id\n    formats: [yyyy]\n", 3, "columns[0].formats", "formats apply to date and timestamp columns")]
    [InlineData("columns:\n  - name: id\n    type: timestamp\n    time_zone: Mars/Olympus\n", 4, "columns[0].time_zone", "unknown time zone 'Mars/Olympus'")]
    [InlineData("columns:\n  - name: id\n    type: int64\n    pii: pseudonymize\n", 4, "columns[0].pii", "needs a string column")]
    [InlineData("columns:\n  - name: id\n    type: int64\n    default: abc\n", 4, "columns[0].default", "default 'abc' is not a valid int64")]
    [InlineData("columns:\n  - name: id\n  - name: ID\n", 3, "columns[1].name", "column 'ID' is declared twice")]
    [InlineData("columns:\n  - name: 1id\n", 2, "columns[0].name", "'1id' is not a valid column name")]
    [InlineData("columns:\n  - nme: id\n", 2, "columns[0].name", "'name' is required")]
    [InlineData("primary_key: [code]\ncolumns: [{ name: id }]\n", 1, "primary_key", "'code' is not a declared column; declared: id.")]
    [InlineData("order_by: id\ncolumns: [{ name: id }]\n", 1, "order_by", "needs a primary_key")]
    [InlineData("columns: [{ name: id }]\nrules:\n  - rule: not_empty\n    column: id\n", 3, "rules[0].rule", "unknown rule 'not_empty'")]
    [InlineData("columns: [{ name: id, type: int64 }]\nrules:\n  - rule: accepted_values\n    column: id\n    values: [1, two]\n", 5, "rules[0].values", "'two' is not a valid int64")]
    [InlineData("columns: [{ name: id }]\nrules:\n  - rule: range\n    column: id\n    min: 1\n", 4, "rules[0].column", "range needs a number, date or timestamp column")]
    [InlineData("columns: [{ name: n, type: int64 }]\nrules:\n  - rule: range\n    column: n\n    min: 5\n    max: 1\n", 6, "rules[0].max", "max 1 is below min 5")]
    [InlineData("columns: [{ name: id }]\nrules:\n  - rule: regex\n    column: id\n    pattern: '(a)\\1'\n", 5, "rules[0].pattern", "is not a usable regular expression")]
    [InlineData("columns: [{ name: id }]\nrules:\n  - rule: expression\n    expression: idd = 'x'\n", 4, "rules[0].expression", "unknown column 'idd' at 1")]
    [InlineData("columns: [{ name: id }]\nrules:\n  - rule: relationships\n    column: id\n    to: customers\n    severity: drop\n", 6, "rules[0].severity", "severity can only be warn")]
    [InlineData("columns: [{ name: id }]\nrules:\n  - rule: not_null\n    column: id\n    threshold: 5%\n", 5, "rules[0].threshold", "a threshold applies to severity fail")]
    [InlineData("columns: [{ name: id }]\nrules:\n  - rule: not_null\n    column: id\n    severity: fail\n    threshold: lots\n", 6, "rules[0].threshold", "'lots' is not a threshold")]
    [InlineData("columns: [{ name: id }]\nrules:\n  - { rule: not_null, column: id }\n  - { rule: not_null, column: id }\n", 4, "rules[1]", "two rules are named 'not_null(id)'")]
    [InlineData("columns:\n  - name: id\n     type: int64\n", 3, null, "invalid YAML")]
    [InlineData("description: nothing else\n", 1, "columns", "the contract needs 'columns'")]
    public void Parse_Mistake_NamesTheFileLineAndField(string yaml, int line, string? field, string message)
    {
        var error = Assert.Throws<ContractException>(() => ContractLoader.Parse(yaml, "pipelines/shop/contracts/orders.yaml", Orders));

        Assert.Equal(line, error.Line);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("pipelines/shop/contracts/orders.yaml, row ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExpressionMistake_PointsAtTheColumnOfTheProblem()
    {
        var error = Assert.Throws<ContractException>(() => ContractLoader.Parse(
            "columns: [{ name: a, type: int64 }, { name: b }]\nrules:\n  - rule: expression\n    expression: a > b\n",
            "t.yaml",
            Orders));

        Assert.Contains("cannot compare a whole number with a text", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.Line);
        Assert.Equal(19, error.Column); // the operator
    }

    /// <summary>The repository's pipelines folder, found from the test binary.</summary>
    internal static string RepositoryPipelines()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenTrace.sln")))
            {
                return Path.Combine(dir.FullName, "pipelines");
            }
        }

        throw new DirectoryNotFoundException("The repository root (OpenTrace.sln) is not above the test binary.");
    }
}
