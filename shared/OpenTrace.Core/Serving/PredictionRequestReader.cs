using System.Globalization;
using System.Text.Json;
using OpenTrace.Core.Retrieval;
using OpenTrace.Core.Training;

namespace OpenTrace.Core.Serving;

/// <summary>A validated predict request.</summary>
/// <param name="Key">The example's key (e.g. the order id).</param>
/// <param name="EntityIds">Entity id per joined group, in the layout's order.</param>
/// <param name="Inputs">The request inputs, the event time last.</param>
/// <param name="EventTimestamp">When the prediction is for: the request's value, else the time of the request.</param>
public sealed record PredictionInput(string Key, string[] EntityIds, RequestInputs Inputs, DateTimeOffset EventTimestamp);

/// <summary>
/// Reads a predict request body, a JSON object whose fields are the task's key, its entity id columns, its inputs
/// and optionally its event timestamp (default: now), and checks every field: present, of the right type, within
/// bounds, a known state where a state is expected, no unknown or repeated field. Every problem is reported with its
/// field, so the API answers 400 with all of them at once.
/// </summary>
public sealed class PredictionRequestReader
{
    /// <summary>Longest id or text value accepted.</summary>
    public const int MaxTextLength = 200;

    private readonly FeatureLayout _layout;
    private readonly Dictionary<string, Field> _fields = new(StringComparer.Ordinal);
    private readonly HashSet<string> _states;

    /// <summary>Creates a reader for the task of <paramref name="layout"/>.</summary>
    public PredictionRequestReader(FeatureLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        var task = layout.Task;
        _fields[task.Key] = new Field(FieldKind.Key, -1);
        for (var i = 0; i < layout.Entities.Count; i++)
        {
            _fields[layout.Entities[i].EntityColumn] = new Field(FieldKind.Entity, i);
        }

        for (var i = 0; i < task.Inputs.Count; i++)
        {
            _fields[task.Inputs[i].Name] = new Field(FieldKind.Input, i);
        }

        _fields[task.EventTimestamp] = new Field(FieldKind.EventTimestamp, layout.EventTimestampInput);
        _states = task.RequestFeatures
            .Where(f => f.Expression.Text.StartsWith("state_distance_km(", StringComparison.Ordinal))
            .SelectMany(f => f.Expression.Arguments)
            .ToHashSet(StringComparer.Ordinal);
        Required = _fields.Where(f => f.Value.Kind != FieldKind.EventTimestamp).Select(f => f.Key).ToList();
    }

    /// <summary>Fields a request must have.</summary>
    public IReadOnlyList<string> Required { get; }

    /// <summary>Every field a request may have.</summary>
    public IEnumerable<string> Fields => _fields.Keys;

    /// <summary>Reads <paramref name="body"/>; <paramref name="now"/> is the event time when the request gives none.</summary>
    public Validated<PredictionInput> Read(ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        var errors = new List<FieldError>();
        var key = (string?)null;
        var entities = new string[_layout.Entities.Count];
        var inputs = new RequestInputs(_layout.InputCount);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? at = null;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 4 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Invalid("body", $"The body is a JSON object with the fields {string.Join(", ", Required)}.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read();
                if (!_fields.TryGetValue(name, out var field))
                {
                    errors.Add(new FieldError(name, $"Not a field of {_layout.Task.Name}. Fields: {string.Join(", ", _fields.Keys)}."));
                    reader.Skip();
                    continue;
                }

                if (!seen.Add(name))
                {
                    errors.Add(new FieldError(name, "Given twice."));
                    reader.Skip();
                    continue;
                }

                switch (field.Kind)
                {
                    case FieldKind.Key:
                        key = Text(ref reader, name, errors);
                        break;
                    case FieldKind.Entity:
                        entities[field.Index] = Text(ref reader, name, errors)!;
                        break;
                    case FieldKind.EventTimestamp:
                        at = Time(ref reader, name, errors);
                        break;
                    default:
                        ReadInput(ref reader, _layout.Task.Inputs[field.Index], field.Index, inputs, errors);
                        break;
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return Invalid("body", "The body must hold exactly one JSON object.");
            }
        }
        catch (JsonException ex)
        {
            return Invalid("body", $"The body is not valid JSON: {ex.Message}");
        }

        foreach (var name in Required)
        {
            if (!seen.Contains(name))
            {
                errors.Add(new FieldError(name, "Required."));
            }
        }

        if (errors.Count > 0)
        {
            return Validated<PredictionInput>.Invalid(errors);
        }

        var eventTimestamp = at ?? now;
        inputs.SetTime(_layout.EventTimestampInput, eventTimestamp);
        return Validated<PredictionInput>.Ok(new PredictionInput(key!, entities, inputs, eventTimestamp));
    }

    private void ReadInput(ref Utf8JsonReader reader, TaskInput input, int index, RequestInputs inputs, List<FieldError> errors)
    {
        switch (input.Type)
        {
            case InputType.String:
                var text = Text(ref reader, input.Name, errors);
                if (text is not null && _states.Contains(input.Name) && !RequestExpression.IsKnownState(text))
                {
                    errors.Add(new FieldError(input.Name, $"'{text}' is not a Brazilian state code (two upper-case letters, e.g. SP)."));
                }

                inputs.SetText(index, text);
                break;
            case InputType.Number:
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var number) || !double.IsFinite(number))
                {
                    errors.Add(new FieldError(input.Name, "Must be a number."));
                    reader.Skip();
                    return;
                }

                if ((input.Min is { } min && number < min) || (input.Max is { } max && number > max))
                {
                    errors.Add(new FieldError(input.Name, string.Create(CultureInfo.InvariantCulture, $"{number} is out of range: {input.Min?.ToString(CultureInfo.InvariantCulture) ?? "-∞"} to {input.Max?.ToString(CultureInfo.InvariantCulture) ?? "∞"}.")));
                }

                inputs.SetNumber(index, number);
                break;
            default:
                inputs.SetTime(index, Time(ref reader, input.Name, errors));
                break;
        }
    }

    private static string? Text(ref Utf8JsonReader reader, string name, List<FieldError> errors)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            errors.Add(new FieldError(name, "Must be a string."));
            reader.Skip();
            return null;
        }

        var text = reader.GetString()!;
        if (text.Length == 0 || text.Length > MaxTextLength || text.Any(char.IsControl))
        {
            errors.Add(new FieldError(name, $"Must be 1 to {MaxTextLength} printable characters."));
            return null;
        }

        return text;
    }

    private static DateTimeOffset? Time(ref Utf8JsonReader reader, string name, List<FieldError> errors)
    {
        if (reader.TokenType == JsonTokenType.String
            && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        errors.Add(new FieldError(name, "Must be an ISO 8601 date or time, e.g. 2018-03-01T14:30:00Z."));
        reader.Skip();
        return null;
    }

    private static Validated<PredictionInput> Invalid(string field, string message) => Validated<PredictionInput>.Invalid([new FieldError(field, message)]);

    private enum FieldKind
    {
        Key,
        Entity,
        Input,
        EventTimestamp,
    }

    private readonly record struct Field(FieldKind Kind, int Index);
}
