using OpenTrace.Core.Contracts.Expressions;

namespace OpenTrace.Core.Tests.Contracts;

public sealed class ExpressionTests
{
    // Columns: 0 n (int), 1 price (decimal), 2 ratio (double), 3 status (text), 4 bought (timestamp), 5 delivered (timestamp), 6 day (date), 7 paid (bool)
    private static readonly Dictionary<string, ExpressionColumn> Columns = new(StringComparer.OrdinalIgnoreCase)
    {
        ["n"] = new(0, ValueKind.Int),
        ["price"] = new(1, ValueKind.Decimal),
        ["ratio"] = new(2, ValueKind.Double),
        ["status"] = new(3, ValueKind.String),
        ["bought"] = new(4, ValueKind.Timestamp),
        ["delivered"] = new(5, ValueKind.Timestamp),
        ["day"] = new(6, ValueKind.Date),
        ["paid"] = new(7, ValueKind.Bool),
    };

    private static readonly Row Sample = new(
        ExpressionValue.FromInt(3),
        ExpressionValue.FromDecimal(12.50m),
        ExpressionValue.FromDouble(0.25),
        ExpressionValue.FromString("Delivered "),
        ExpressionValue.FromTimestamp(Micros(2018, 1, 10, 12)),
        ExpressionValue.FromTimestamp(Micros(2018, 1, 14, 0)),
        ExpressionValue.FromDate(Days(2018, 1, 10)),
        ExpressionValue.FromBool(true));

    private static readonly Row Nulls = new(
        ExpressionValue.FromInt(3),
        ExpressionValue.Null,
        ExpressionValue.Null,
        ExpressionValue.Null,
        ExpressionValue.FromTimestamp(Micros(2018, 1, 10, 12)),
        ExpressionValue.Null,
        ExpressionValue.Null,
        ExpressionValue.Null);

    [Theory]
    [InlineData("delivered >= bought", true)]
    [InlineData("delivered < bought", false)]
    [InlineData("n = 3 and price > 12", true)]
    [InlineData("n = 3 and price > 13", false)]
    [InlineData("n <> 3 or price between 12 and 13", true)]
    [InlineData("not (n != 3)", true)]
    [InlineData("price * n = 37.5", true)]
    [InlineData("n / 2 = 1.5", true)]
    [InlineData("n % 2 = 1", true)]
    [InlineData("-n + 4 = 1", true)]
    [InlineData("ratio * 4 = 1", true)]
    [InlineData("price > ratio", true)]
    [InlineData("trim(lower(status)) = 'delivered'", true)]
    [InlineData("status in ('Delivered', 'Shipped')", false)]
    [InlineData("trim(status) in ('Delivered', 'Shipped')", true)]
    [InlineData("trim(status) not in ('Delivered')", false)]
    [InlineData("length(status) = 10", true)]
    [InlineData("starts_with(status, 'Del') and ends_with(status, ' ') and contains(status, 'live')", true)]
    [InlineData("bought >= '2018-01-10' and bought < '2018-01-11 00:00:00'", true)]
    [InlineData("day = '2018-01-10'", true)]
    [InlineData("bought > day", true)]
    [InlineData("days_between(bought, delivered) = 3.5", true)]
    [InlineData("hours_between(bought, delivered) = 84", true)]
    [InlineData("year(bought) = 2018 and month(bought) = 1 and day(day) = 10", true)]
    [InlineData("abs(n - 10) = 7", true)]
    [InlineData("paid", true)]
    [InlineData("paid = false", false)]
    [InlineData("coalesce(status, 'x') = 'Delivered '", true)]
    [InlineData("status is not null", true)]
    [InlineData("\"n\" = 3", true)]
    public void Evaluate_OnARow_GivesTheExpectedTruth(string text, bool expected)
    {
        var expression = Parse(text);

        var value = expression.Evaluate(Sample);

        Assert.Equal(ValueKind.Bool, value.Kind);
        Assert.Equal(expected, value.Bool);
    }

    [Theory]
    [InlineData("delivered >= bought", null)]
    [InlineData("price > 0 and n = 3", null)]
    [InlineData("price > 0 and n = 4", false)]
    [InlineData("price > 0 or n = 3", true)]
    [InlineData("not (price > 0)", null)]
    [InlineData("status is null", true)]
    [InlineData("coalesce(price, 0) = 0", true)]
    [InlineData("n / 0 = 1", null)]
    [InlineData("status in ('a', null)", null)]
    [InlineData("n in (1, null)", null)]
    [InlineData("n in (3, null)", true)]
    public void Evaluate_WithNulls_FollowsSqlThreeValuedLogic(string text, bool? expected)
    {
        var value = Parse(text).Evaluate(Nulls);

        Assert.Equal(expected, value.IsNull ? null : value.Bool);
    }

    [Fact]
    public void Holds_WhenTheExpressionIsUnknown_PassesAsACheckConstraintDoes()
    {
        var expression = Parse("delivered >= bought");

        Assert.True(expression.Holds(Nulls));
        Assert.False(Parse("delivered < bought").Holds(Sample));
        Assert.Equal(["delivered", "bought"], expression.Columns);
    }

    [Theory]
    [InlineData("", "the expression is empty", 0)]
    [InlineData("n >", "expected a value at 4 but found the end of the expression", 3)]
    [InlineData("n = 3 3", "unexpected '3' at 7", 6)]
    [InlineData("total > 3", "unknown column 'total' at 1", 0)]
    [InlineData("n > 'x'", "cannot compare a whole number with a text", 2)]
    [InlineData("status + 1 = 2", "'+' at 8 needs numbers, not a text", 7)]
    [InlineData("n and paid", "'and' at 3 needs true/false on both sides, not a whole number", 2)]
    [InlineData("n + 1", "gives a whole number, not true or false", 0)]
    [InlineData("bought > 'yesterday'", "'yesterday' near '>' at 10 is not a timestamp", 9)]
    [InlineData("status = 'open", "the text literal starting at 10 is not closed", 9)]
    [InlineData("n = 3 ; drop table x", "unexpected character ';' at 7", 6)]
    [InlineData("sqrt(n) = 2", "unknown function 'sqrt' at 1", 0)]
    [InlineData("length(n) = 1", "length needs a text, not a whole number", 7)]
    [InlineData("length(status, n) = 1", "length takes 1 argument, got 2", 0)]
    [InlineData("n not like 3", "expected 'in' or 'between' after 'not' at 3", 6)]
    public void Parse_Mistake_SaysWhatAndWhere(string text, string message, int position)
    {
        var error = Assert.Throws<ExpressionException>(() => Parse(text));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(position, error.Position);
    }

    private static ContractExpression Parse(string text) =>
        ExpressionParser.Parse(text, name => Columns.TryGetValue(name, out var column) ? column : null);

    private static long Micros(int year, int month, int day, int hour) =>
        (new DateTime(year, month, day, hour, 0, 0, DateTimeKind.Utc) - DateTime.UnixEpoch).Ticks / 10;

    private static long Days(int year, int month, int day) =>
        new DateOnly(year, month, day).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    private sealed class Row(params ExpressionValue[] values) : IExpressionRow
    {
        public ExpressionValue Get(int ordinal) => values[ordinal];
    }
}
