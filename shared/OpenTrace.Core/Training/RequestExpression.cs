using System.Collections.Frozen;
using OpenTrace.Core.Samples;

namespace OpenTrace.Core.Training;

/// <summary>
/// The values of a prediction's request inputs, by input position (<see cref="PredictionTask.Inputs"/>, then the event
/// timestamp last). Reused across requests by the caller; <see cref="Clear"/> resets it.
/// </summary>
public sealed class RequestInputs
{
    private readonly double[] _numbers;
    private readonly string?[] _texts;
    private readonly DateTimeOffset?[] _times;

    /// <summary>Creates room for <paramref name="count"/> inputs.</summary>
    public RequestInputs(int count)
    {
        _numbers = new double[count];
        _texts = new string?[count];
        _times = new DateTimeOffset?[count];
        Clear();
    }

    /// <summary>Number of inputs.</summary>
    public int Count => _numbers.Length;

    /// <summary>Sets a number (NaN for missing).</summary>
    public void SetNumber(int index, double value) => _numbers[index] = value;

    /// <summary>Sets a text (null for missing).</summary>
    public void SetText(int index, string? value) => _texts[index] = value;

    /// <summary>Sets an instant (null for missing).</summary>
    public void SetTime(int index, DateTimeOffset? value) => _times[index] = value;

    /// <summary>A number input; NaN when missing.</summary>
    public double Number(int index) => _numbers[index];

    /// <summary>A text input; null when missing.</summary>
    public string? Text(int index) => _texts[index];

    /// <summary>An instant input; null when missing.</summary>
    public DateTimeOffset? Time(int index) => _times[index];

    /// <summary>Marks every input missing.</summary>
    public void Clear()
    {
        Array.Fill(_numbers, double.NaN);
        Array.Clear(_texts);
        Array.Clear(_times);
    }
}

/// <summary>
/// A request feature's expression: an input name (a number), or one of <c>same(a, b)</c> (1 when two texts are equal,
/// else 0), <c>state_distance_km(a, b)</c> (between two Brazilian states' capitals), <c>ratio(a, b)</c> (a / b, NaN
/// when b is 0), <c>month(t)</c> (1–12), <c>day_of_week(t)</c> (Monday 1 – Sunday 7), <c>days_between(a, b)</c>
/// (b − a in days). Evaluates to NaN when an input is missing or unusable. The same code runs in training and serving.
/// </summary>
public sealed class RequestExpression
{
    /// <summary>The functions an expression may call.</summary>
    public const string Functions = "same(a, b), state_distance_km(a, b), ratio(a, b), month(t), day_of_week(t), days_between(a, b)";

    private static readonly FrozenDictionary<string, (double Lat, double Lng)> Capitals =
        BrazilGeography.States.ToFrozenDictionary(s => s.Code, s => (s.LatE2 / 100.0, s.LngE2 / 100.0), StringComparer.Ordinal);

    private readonly Func<RequestInputs, IReadOnlyDictionary<string, int>, double> _evaluate;

    private RequestExpression(string text, IReadOnlyList<string> arguments, Func<RequestInputs, IReadOnlyDictionary<string, int>, double> evaluate)
    {
        Text = text;
        Arguments = arguments;
        _evaluate = evaluate;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>The input names it reads, in order.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>True for the two-letter codes <c>state_distance_km</c> knows.</summary>
    public static bool IsKnownState(string? code) => code is not null && Capitals.ContainsKey(code);

    /// <summary>
    /// Parses <paramref name="text"/> against the inputs' names and types; <paramref name="error"/> builds the exception
    /// for a mistake (it names the file and line).
    /// </summary>
    public static RequestExpression Parse(string text, IReadOnlyDictionary<string, InputType> inputs, Func<string, Exception> error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(error);
        var trimmed = text.Trim();
        var open = trimmed.IndexOf('(', StringComparison.Ordinal);
        if (open < 0)
        {
            Expect(trimmed, InputType.Number);
            return new RequestExpression(trimmed, [trimmed], (values, at) => values.Number(at[trimmed]));
        }

        if (!trimmed.EndsWith(')'))
        {
            throw error($"'{text}' is not an expression: write an input name or function(argument, ...). Functions: {Functions}.");
        }

        var function = trimmed[..open].Trim();
        var args = trimmed[(open + 1)..^1].Split(',', StringSplitOptions.TrimEntries);
        void Arity(int count)
        {
            if (args.Length != count || args.Any(a => a.Length == 0))
            {
                throw error($"{function}(...) takes {count} input name{(count == 1 ? string.Empty : "s")}: '{text}'.");
            }
        }

        switch (function)
        {
            case "same":
                Arity(2);
                Expect(args[0], InputType.String);
                Expect(args[1], InputType.String);
                return new(trimmed, args, (v, at) => v.Text(at[args[0]]) is { } a && v.Text(at[args[1]]) is { } b ? (a == b ? 1 : 0) : double.NaN);
            case "state_distance_km":
                Arity(2);
                Expect(args[0], InputType.String);
                Expect(args[1], InputType.String);
                return new(trimmed, args, (v, at) => StateDistanceKm(v.Text(at[args[0]]), v.Text(at[args[1]])));
            case "ratio":
                Arity(2);
                Expect(args[0], InputType.Number);
                Expect(args[1], InputType.Number);
                return new(trimmed, args, (v, at) => v.Number(at[args[1]]) is var d && d != 0 ? v.Number(at[args[0]]) / d : double.NaN);
            case "month":
                Arity(1);
                Expect(args[0], InputType.Timestamp);
                return new(trimmed, args, (v, at) => v.Time(at[args[0]]) is { } t ? t.UtcDateTime.Month : double.NaN);
            case "day_of_week":
                Arity(1);
                Expect(args[0], InputType.Timestamp);
                return new(trimmed, args, (v, at) => v.Time(at[args[0]]) is { } t ? ((int)t.UtcDateTime.DayOfWeek + 6) % 7 + 1 : double.NaN);
            case "days_between":
                Arity(2);
                Expect(args[0], InputType.Timestamp);
                Expect(args[1], InputType.Timestamp);
                return new(trimmed, args, (v, at) => v.Time(at[args[0]]) is { } a && v.Time(at[args[1]]) is { } b ? (b - a).TotalDays : double.NaN);
            default:
                throw error($"Unknown function '{function}' in '{text}'. Functions: {Functions}.");
        }

        void Expect(string name, InputType type)
        {
            if (!inputs.TryGetValue(name, out var actual))
            {
                throw error($"'{name}' in '{text}' is not an input of the task. Inputs: {string.Join(", ", inputs.Keys)}.");
            }

            if (actual != type)
            {
                throw error($"'{name}' in '{text}' is a {actual.ToString().ToLowerInvariant()} input; this place takes a {type.ToString().ToLowerInvariant()}.");
            }
        }
    }

    /// <summary>Evaluates the expression; <paramref name="positions"/> maps input names to their positions in <paramref name="values"/>.</summary>
    public double Evaluate(RequestInputs values, IReadOnlyDictionary<string, int> positions)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(positions);
        return _evaluate(values, positions);
    }

    /// <summary>Equirectangular distance between two state capitals in km; NaN for an unknown state.</summary>
    public static double StateDistanceKm(string? a, string? b)
    {
        if (a is null || b is null || !Capitals.TryGetValue(a, out var p) || !Capitals.TryGetValue(b, out var q))
        {
            return double.NaN;
        }

        const double KmPerDegree = 111.2;
        var meanLatitude = (p.Lat + q.Lat) * 0.5 * Math.PI / 180.0;
        var dLat = p.Lat - q.Lat;
        var dLng = (p.Lng - q.Lng) * Math.Cos(meanLatitude);
        return Math.Sqrt((dLat * dLat) + (dLng * dLng)) * KmPerDegree;
    }
}
