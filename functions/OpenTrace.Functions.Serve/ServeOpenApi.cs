using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTrace.Core.Features;
using OpenTrace.Core.Training;

namespace OpenTrace.Functions.Serve;

/// <summary>
/// The OpenAPI 3 document of the serve API: the hand-written <c>openapi.json</c> (every route, response and schema)
/// completed from the feature catalog — the groups and tasks that exist, and each task's predict request (its key,
/// entity ids and inputs with their types and bounds), so the document always matches the YAML definitions.
/// </summary>
internal static class ServeOpenApi
{
    private const string ResourceName = "OpenTrace.Functions.Serve.openapi.json";

    /// <summary>Builds the document as UTF-8 JSON.</summary>
    public static byte[] Build(FeatureCatalog catalog, int maxRequestBytes)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        using var resource = typeof(ServeOpenApi).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The serve function was built without its {ResourceName} resource.");
        var document = JsonNode.Parse(resource)!.AsObject();
        var info = document["info"]!.AsObject();
        info["description"] = string.Create(CultureInfo.InvariantCulture, $"{(string?)info["description"]} Request bodies: at most {maxRequestBytes:N0} bytes.");

        var paths = document["paths"]!.AsObject();
        Enum(paths["/v1/features/{group}/{entityId}"]!["get"]!["parameters"]![0]!["schema"]!.AsObject(), catalog.Groups.Select(g => g.Name));
        Enum(paths["/v1/predict/{task}"]!["post"]!["parameters"]![0]!["schema"]!.AsObject(), catalog.Tasks.Select(t => t.Name));

        var schemas = document["components"]!["schemas"]!.AsObject();
        var requests = new JsonArray();
        foreach (var task in catalog.Tasks)
        {
            var name = "PredictRequest_" + task.Name;
            schemas[name] = RequestSchema(task);
            requests.Add(new JsonObject { ["$ref"] = "#/components/schemas/" + name });
        }

        schemas["PredictRequest"] = new JsonObject
        {
            ["description"] = "The fields of the task's predict request: its key, the entity ids of the feature groups it joins, and its inputs.",
            ["oneOf"] = requests,
        };
        return JsonSerializer.SerializeToUtf8Bytes(document, new JsonSerializerOptions { WriteIndented = true });
    }

    private static void Enum(JsonObject schema, IEnumerable<string> values) =>
        schema["enum"] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static JsonObject RequestSchema(PredictionTask task)
    {
        var properties = new JsonObject
        {
            [task.Key] = Text($"Key of the event ({task.Key}); echoed in the answer."),
        };
        foreach (var entity in task.Entities)
        {
            properties[entity.Column] = Text($"Entity id looked up in feature group {entity.Group}.");
        }

        foreach (var input in task.Inputs)
        {
            properties[input.Name] = input.Type switch
            {
                InputType.String => Text(input.Description),
                InputType.Timestamp => new JsonObject { ["type"] = "string", ["format"] = "date-time", ["description"] = input.Description },
                _ => Number(input),
            };
        }

        properties[task.EventTimestamp] = new JsonObject
        {
            ["type"] = "string",
            ["format"] = "date-time",
            ["description"] = "The time the prediction is for; default: the time of the request.",
        };
        return new JsonObject
        {
            ["type"] = "object",
            ["description"] = task.Description,
            ["required"] = new JsonArray(task.Entities.Select(e => e.Column).Prepend(task.Key).Concat(task.Inputs.Select(i => i.Name)).Select(n => (JsonNode)JsonValue.Create(n)).ToArray()),
            ["additionalProperties"] = false,
            ["properties"] = properties,
        };
    }

    private static JsonObject Text(string description) => new()
    {
        ["type"] = "string",
        ["minLength"] = 1,
        ["maxLength"] = Core.Serving.PredictionRequestReader.MaxTextLength,
        ["description"] = description,
    };

    private static JsonObject Number(TaskInput input)
    {
        var schema = new JsonObject { ["type"] = "number", ["description"] = input.Description };
        if (input.Min is { } min)
        {
            schema["minimum"] = min;
        }

        if (input.Max is { } max)
        {
            schema["maximum"] = max;
        }

        return schema;
    }
}
