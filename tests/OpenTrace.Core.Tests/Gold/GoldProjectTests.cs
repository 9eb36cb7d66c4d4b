using OpenTrace.Core.Gold;

namespace OpenTrace.Core.Tests.Gold;

public sealed class GoldProjectTests
{
    [Fact]
    public void Load_OlistModels_OrdersEveryModelAfterWhatItReads()
    {
        var project = GoldProject.Load(RepositoryFiles.Pipelines);
        var position = project.Models.Select((m, i) => (m.Name, i)).ToDictionary(p => p.Name, p => p.i);

        Assert.Equal(13, project.Models.Count);
        foreach (var model in project.Models)
        {
            Assert.All(model.DependsOnModels, parent => Assert.True(position[parent] < position[model.Name], $"{parent} must come before {model.Name}"));
        }

        Assert.Contains("silver.olist__geolocation", project.Sources.Select(s => s.Key));
        Assert.Equal(["dim_customers", "dim_date", "dim_products", "dim_states", "fct_order_items", "fct_orders"], project.Find("kpi_daily_sales")!.DependsOnModels.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Create_UnknownRef_NamesFileLineAndSuggestion()
    {
        var model = ModelText.Simple("b", "SELECT id\nFROM {{ ref('orders') }}");
        var error = Assert.Throws<OpenTraceException>(() => ModelText.Project(ModelText.Simple("orders_v2", "SELECT 'x' AS id"), model));

        Assert.Equal("models/b.sql", error.File);
        Assert.Equal(10, error.Row);
        Assert.Contains("ref('orders') names a model that does not exist (did you mean 'orders_v2'?)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_UndeclaredSource_NamesFileAndLine()
    {
        var error = Assert.Throws<OpenTraceException>(() => ModelText.Project(ModelText.Simple("a", "SELECT id FROM {{ source('silver', 'shop__nope') }}")));

        Assert.Equal(9, error.Row);
        Assert.Equal("source", error.Rule);
        Assert.Contains("source('silver', 'shop__nope') is not declared", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_Cycle_NamesTheCycleAndTheReferenceClosingIt()
    {
        var a = ModelText.Simple("a", "SELECT id FROM {{ ref('b') }}");
        var b = ModelText.Simple("b", "SELECT id FROM {{ ref('c') }}");
        var c = ModelText.Simple("c", "SELECT id\nFROM\n{{ ref('a') }}");

        var error = Assert.Throws<OpenTraceException>(() => ModelText.Project(a, b, c));

        Assert.Equal("cycle", error.Rule);
        Assert.Contains("a -> b -> c -> a", error.Message, StringComparison.Ordinal);
        Assert.Equal("models/c.sql", error.File);
        Assert.Equal(11, error.Row);
    }

    [Fact]
    public void Create_CycleThroughATest_IsRejected()
    {
        var a = ModelText.Simple("a", "SELECT id FROM {{ ref('b') }}");
        var b = ModelText.Model("b", """
            /*
            description: b.
            columns:
              - name: id
                type: string
                description: Key.
                tests:
                  - relationships: {to: "ref('a')", field: id}
            */
            SELECT 'x' AS id
            """);

        var error = Assert.Throws<OpenTraceException>(() => ModelText.Project(a, b));

        Assert.Equal("models/b.sql", error.File);
        Assert.Equal(8, error.Row);
    }

    [Theory]
    [InlineData("SELECT {{ median('x') }} AS id", "Unknown macro 'median'")]
    [InlineData("SELECT {{ date_trunc('fortnight', 'd') }} AS id", "takes the part week, month, quarter, year")]
    [InlineData("SELECT {{ cast('x', 'text') }} AS id", "'text' is not a type")]
    [InlineData("SELECT {{ format_date('%H', 'd') }} AS id", "format_date supports")]
    [InlineData("SELECT id FROM {{ this() }}", "this() is the table under test")]
    [InlineData("SELECT id FROM {{ source('silver', 'shop__orders') }} AS o WHERE {{ changed('o', source('silver', 'shop__orders')) }}", "materialized as a table")]
    public void Create_BadMacroUse_FailsAtLoadWithTheLine(string body, string reason)
    {
        var error = Assert.Throws<OpenTraceException>(() => ModelText.Project(ModelText.Simple("a", "\n" + body)));

        Assert.Equal("models/a.sql", error.File);
        Assert.Equal(10, error.Row);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_SameModelNameInTwoDomains_IsRejected()
    {
        var first = ModelText.Simple("a", "SELECT 'x' AS id");
        var second = first with { Domain = "other", Path = "other/models/a.sql" };

        var error = Assert.Throws<OpenTraceException>(() => ModelText.Project(first, second));

        Assert.Contains("defined more than once", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "a b c d")]
    [InlineData("b", "b")]
    [InlineData("b+", "b c d")]
    [InlineData("+c", "a b c")]
    [InlineData("+c+", "a b c d")]
    [InlineData("a, d", "a d")]
    public void Select_Terms_PickModelsInDependencyOrder(string? selector, string expected)
    {
        var project = ModelText.Project(
            ModelText.Simple("d", "SELECT id FROM {{ ref('c') }}"),
            ModelText.Simple("c", "SELECT id FROM {{ ref('b') }}"),
            ModelText.Simple("b", "SELECT id FROM {{ ref('a') }}"),
            ModelText.Simple("a", "SELECT 'x' AS id"));

        Assert.Equal(expected, string.Join(' ', project.Select(selector).Select(m => m.Name)));
    }

    [Fact]
    public void Select_UnknownModel_ListsTheModels()
    {
        var project = ModelText.Project(ModelText.Simple("a", "SELECT 'x' AS id"));

        var error = Assert.Throws<OpenTraceException>(() => project.Select("nope+"));

        Assert.Contains("'nope', which is not a model. Models: a.", error.Message, StringComparison.Ordinal);
    }
}
