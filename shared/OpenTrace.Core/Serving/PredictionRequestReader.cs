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
    private readonly Dictionary<string, Field>.AlternateLookup<ReadOnlySpan<char>> _fieldsBySpan;
    private readonly string[] _names;
    private readonly HashSet<string> _states;

    /// <summary>Creates a reader for the task of <paramref name="layout"/>.</summary>
    public PredictionRequestReader(FeatureLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _layout = layout;
        var task = layout.Task;
        var fields = new List<(string Name, FieldKind Kind, int Index)> { (task.Key, FieldKind.Key, -1) };
        fields.AddRange(layout.Entities.Select((e, i) => (e.EntityColumn, FieldKind.Entity, i)));
        fields.AddRange(task.Inputs.Select((input, i) => (input.Name, FieldKind.Input, i)));
        fields.Add((task.EventTimestamp, FieldKind.EventTimestamp, layout.EventTimestampInput));
        for (var ordinal = 0; ordinal < fields.Count; ordinal++)
        {
            _fields[fields[ordinal].Name] = new Field(fields[ordinal].Kind, fields[ordinal].Index, ordinal);
        }

        _names = fields.Select(f => f.Name).ToArray();
        _fieldsBySpan = _fields.GetAlternateLookup<ReadOnlySpan<char>>();
        _states = task.RequestFeatures
            .Where(f => f.Expression.Text.StartsWith("state_distance_km(", StringComparison.Ordinal))
            .SelectMany(f => f.Expression.Arguments)
            .ToHashSet(StringComparer.Ordinal);
        Required = fields.Where(f => f.Kind != FieldKind.EventTimestamp).Select(f => f.Name).ToList();
    }

    /// <summary>Fields a request must have.</summary>
    public IReadOnlyList<string> Required { get; }

    /// <summary>Every field a request may have.</summary>
    public IEnumerable<string> Fields => _fields.Keys;

    /// <summary>Reads <paramref name="body"/>; <paramref name="now"/> is the event time when the request gives none.</summary>
    public Validated<PredictionInput> Read(ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        List<FieldError>? errors = null;
        var key = (string?)null;
        var entities = new string[_layout.Entities.Count];
        var inputs = new RequestInputs(_layout.InputCount);
        Span<bool> seen = stackalloc bool[_names.Length];
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
                var found = TryField(ref reader, out var field);
                var name = found ? _names[field.Ordinal] : reader.GetString()!;
                reader.Read();
                if (!found)
                {
                    (errors ??= []).Add(new FieldError(name, $"Not a field of {_layout.Task.Name}. Fields: {string.Join(", ", _names)}."));
                    reader.Skip();
                    continue;
                }

                if (seen[field.Ordinal])
                {
                    (errors ??= []).Add(new FieldError(name, "Given twice."));
                    reader.Skip();
                    continue;
                }

                seen[field.Ordinal] = true;

                switch (field.Kind)
                {
                    case FieldKind.Key:
                        key = Text(ref reader, name, ref errors);
                        break;
                    case FieldKind.Entity:
                        entities[field.Index] = Text(ref reader, name, ref errors)!;
                        break;
                    case FieldKind.EventTimestamp:
                        at = Time(ref reader, name, ref errors);
                        break;
                    default:
                        ReadInput(ref reader, _layout.Task.Inputs[field.Index], field.Index, inputs, ref errors);
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

        for (var ordinal = 0; ordinal < _names.Length; ordinal++)
        {
            if (!seen[ordinal] && _fields[_names[ordinal]].Kind != FieldKind.EventTimestamp)
            {
                (errors ??= []).Add(new FieldError(_names[ordinal], "Required."));
            }
        }

        if (errors is not null)
        {
            return Validated<PredictionInput>.Invalid(errors);
        }

        var eventTimestamp = at ?? now;
        inputs.SetTime(_layout.EventTimestampInput, eventTimestamp);
        return Validated<PredictionInput>.Ok(new PredictionInput(key!, entities, inputs, eventTimestamp));
    }

    private void ReadInput(ref Utf8JsonReader reader, TaskInput input, int index, RequestInputs inputs, ref List<FieldError>? errors)
    {
        switch (input.Type)
        {
            case InputType.String:
                var text = Text(ref reader, input.Name, ref errors);
                if (text is not null && _states.Contains(input.Name) && !RequestExpression.IsKnownState(text))
                {
                    (errors ??= []).Add(new FieldError(input.Name, $"'{text}' is not a Brazilian state code (two upper-case letters, e.g. SP)."));
                }

                inputs.SetText(index, text);
                break;
            case InputType.Number:
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var number) || !double.IsFinite(number))
                {
                    (errors ??= []).Add(new FieldError(input.Name, "Must be a number."));
                    reader.Skip();
                    return;
                }

                if ((input.Min is { } min && number < min) || (input.Max is { } max && number > max))
                {
                    (errors ??= []).Add(new FieldError(input.Name, string.Create(CultureInfo.InvariantCulture, $"{number} is out of range: {input.Min?.ToString(CultureInfo.InvariantCulture) ?? "-∞"} to {input.Max?.ToString(CultureInfo.InvariantCulture) ?? "∞"}.")));
                }

                inputs.SetNumber(index, number);
                break;
            default:
                inputs.SetTime(index, Time(ref reader, input.Name, ref errors));
                break;
        }
    }

    private static string? Text(ref Utf8JsonReader reader, string name, ref List<FieldError>? errors)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            (errors ??= []).Add(new FieldError(name, "Must be a string."));
            reader.Skip();
            return null;
        }

        var text = reader.GetString()!;
        if (text.Length == 0 || text.Length > MaxTextLength || text.AsSpan().ContainsAnyInRange('\u0000', '\u001f') || text.AsSpan().ContainsAnyInRange('\u007f', '\u009f'))
        {
            (errors ??= []).Add(new FieldError(name, $"Must be 1 to {MaxTextLength} printable characters."));
            return null;
        }

        return text;
    }

    private static DateTimeOffset? Time(ref Utf8JsonReader reader, string name, ref List<FieldError>? errors)
    {
        if (reader.TokenType == JsonTokenType.String
            && DateTimeOffset.TryParse(reader.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        (errors ??= []).Add(new FieldError(name, "Must be an ISO 8601 date or time, e.g. 2018-03-01T14:30:00Z."));
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

    /// <summary>The field the current property names, found without allocating its name.</summary>
    private bool TryField(ref Utf8JsonReader reader, out Field field)
    {
        field = default;
        if (reader.ValueIsEscaped || reader.ValueSpan.Length > 128)
        {
            return _fields.TryGetValue(reader.GetString()!, out field);
        }

        Span<char> name = stackalloc char[128];
        var length = System.Text.Encoding.UTF8.GetChars(reader.ValueSpan, name);
        return _fieldsBySpan.TryGetValue(name[..length], out field);
    }

    private readonly record struct Field(FieldKind Kind, int Index, int Ordinal);
}
