using OpenTrace.Core.Gold;

namespace OpenTrace.Core.Tests.Gold;

public sealed class SqlTemplateTests
{
    [Fact]
    public void Parse_NestedAndNamedArguments_KeepsEveryCallWithItsLine()
    {
        var template = SqlTemplate.Parse("m.sql", "SELECT 1\nFROM {{ ref('a') }}\nWHERE {{ changed('o', source('silver', \"t\")) }}\n  AND {{ string_agg('x', ', ', distinct=true) }}", firstLine: 10);

        var calls = template.Calls.ToList();

        Assert.Equal(["ref", "changed", "source", "string_agg"], calls.Select(c => c.Name));
        Assert.Equal([11, 12, 12, 13], calls.Select(c => c.Line));
        Assert.Equal("t", Assert.IsType<TemplateString>(calls[2].Arguments[1]).Value);
        Assert.True(calls[3].Bool("distinct", fallback: false));
    }

    [Fact]
    public void Render_ReplacesOnlyTheCalls()
    {
        var template = SqlTemplate.Parse("m.sql", "SELECT '{' AS brace FROM {{ ref('a') }} -- {{ ref('b') }}");

        var sql = template.Render(call => $"<{call.Name}:{((TemplateString)call.Arguments[0]).Value}>");

        Assert.Equal("SELECT '{' AS brace FROM <ref:a> -- <ref:b>", sql);
    }

    [Theory]
    [InlineData("SELECT *\nFROM {{ ref('a') ", 2, "'}}'")]
    [InlineData("SELECT *\n\nFROM {{ ref('a }}", 3, "not closed")]
    [InlineData("{{ ref 'a' }}", 1, "Expected '('")]
    [InlineData("SELECT\n{{ f(a=1, 2) }}", 2, "positional arguments must come before")]
    [InlineData("{{ f(1, 1, ) }}", 1, "arguments are quoted strings")]
    public void Parse_MalformedCall_NamesFileAndLine(string text, int line, string reason)
    {
        var error = Assert.Throws<OpenTraceException>(() => SqlTemplate.Parse("models/m.sql", text));

        Assert.Equal("models/m.sql", error.File);
        Assert.Equal(line, error.Row);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NumbersBooleansAndEscapes_AreTyped()
    {
        var call = SqlTemplate.ParseCall("m.sql", @"f(-1.5, true, 'it\'s')", 3);

        Assert.Equal(-1.5m, Assert.IsType<TemplateNumber>(call.Arguments[0]).Value);
        Assert.True(Assert.IsType<TemplateBool>(call.Arguments[1]).Value);
        Assert.Equal("it's", Assert.IsType<TemplateString>(call.Arguments[2]).Value);
    }
}
