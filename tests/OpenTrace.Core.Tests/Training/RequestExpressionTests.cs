using OpenTrace.Core.Training;

namespace OpenTrace.Core.Tests.Training;

public sealed class RequestExpressionTests
{
    private static readonly Dictionary<string, InputType> Inputs = new(StringComparer.Ordinal)
    {
        ["a_state"] = InputType.String,
        ["b_state"] = InputType.String,
        ["price"] = InputType.Number,
        ["freight"] = InputType.Number,
        ["bought"] = InputType.Timestamp,
        ["promised"] = InputType.Timestamp,
    };

    private static readonly Dictionary<string, int> Positions = Inputs.Keys.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i, StringComparer.Ordinal);

    [Theory]
    [InlineData("same(a_state, b_state)", 0)]
    [InlineData("state_distance_km(a_state, b_state)", 2694.48)]
    [InlineData("ratio(freight, price)", 0.25)]
    [InlineData("price", 80)]
    [InlineData("month(bought)", 11)]
    [InlineData("day_of_week(bought)", 5)]
    [InlineData("days_between(bought, promised)", 20.5)]
    public void Functions_EvaluateTheSameForTrainingAndServing(string text, double expected)
    {
        var values = new RequestInputs(Inputs.Count);
        values.SetText(0, "AM");
        values.SetText(1, "SP");
        values.SetNumber(2, 80);
        values.SetNumber(3, 20);
        values.SetTime(4, new DateTimeOffset(2017, 11, 24, 12, 0, 0, TimeSpan.Zero)); // Black Friday, a Friday
        values.SetTime(5, new DateTimeOffset(2017, 12, 15, 0, 0, 0, TimeSpan.Zero));

        var value = RequestExpression.Parse(text, Inputs, m => new InvalidOperationException(m)).Evaluate(values, Positions);

        Assert.Equal(expected, value, 2);
    }

    [Fact]
    public void MissingInputsOrUnknownStates_GiveNaN()
    {
        var values = new RequestInputs(Inputs.Count);
        values.SetText(0, "XX");
        values.SetText(1, "SP");

        Assert.True(double.IsNaN(RequestExpression.Parse("state_distance_km(a_state, b_state)", Inputs, m => new InvalidOperationException(m)).Evaluate(values, Positions)));
        Assert.True(double.IsNaN(RequestExpression.Parse("ratio(freight, price)", Inputs, m => new InvalidOperationException(m)).Evaluate(values, Positions)));
        Assert.Equal(0, RequestExpression.StateDistanceKm("SP", "SP"));
    }

    [Theory]
    [InlineData("ratio(a_state, price)", "'a_state' in 'ratio(a_state, price)' is a string input; this place takes a number.")]
    [InlineData("month(price)", "is a number input; this place takes a timestamp")]
    [InlineData("log(price)", "Unknown function 'log'")]
    [InlineData("ratio(price)", "ratio(...) takes 2 input names")]
    [InlineData("weight", "'weight' in 'weight' is not an input of the task")]
    public void Mistakes_AreExplained(string text, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => RequestExpression.Parse(text, Inputs, m => new InvalidOperationException(m)));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
