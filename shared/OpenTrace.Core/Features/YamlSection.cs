using System.Globalization;
using OpenTrace.Core.Gold;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpenTrace.Core.Features;

/// <summary>
/// One YAML map of a feature file with its file and line, so every error names where the problem is; keys nobody
/// reads are rejected by <see cref="RejectUnknown"/>.
/// </summary>
internal sealed class YamlSection
{
    private readonly YamlMappingNode _map;

    private YamlSection(string file, string what, YamlMappingNode map)
    {
        File = file;
        What = what;
        _map = map;
    }

    public string File { get; }

    /// <summary>What the map is, for messages ("the feature group", "feature 'x'").</summary>
    public string What { get; }

    public int Line => (int)_map.Start.Line;

    public static YamlSection Load(string file, string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new OpenTraceException($"Invalid YAML: {ex.InnerException?.Message ?? ex.Message}", file: file, row: (int)ex.Start.Line, rule: "yaml", inner: ex);
        }

        return stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode root
            ? new YamlSection(file, "the file", root)
            : throw new OpenTraceException("A feature file is a YAML map (key: value lines).", file: file, row: 1, rule: "yaml");
    }

    /// <summary>The same map described as <paramref name="what"/> in messages.</summary>
    public YamlSection As(string what) => new(File, what, _map);

    public bool Has(string key) => Node(key) is not null;

    public YamlNode? Node(string key) => _map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public void RejectUnknown(params string[] known)
    {
        foreach (var key in _map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value;
            if (name is null || !known.Contains(name, StringComparer.Ordinal))
            {
                throw Error(key, $"Unknown key '{name}' in {What}. Known keys: {string.Join(", ", known)}.");
            }
        }
    }

    public string? Text(string key)
    {
        var node = Node(key);
        if (node is null || node is YamlScalarNode { Value: null or "" or "~" or "null", Style: ScalarStyle.Plain })
        {
            return null;
        }

        return node is YamlScalarNode { Value: { } value } ? value.Trim() : throw Error(node, $"'{key}' of {What} is a single value.");
    }

    public string Required(string key) =>
        Text(key) is { Length: > 0 } value ? value : throw Error(Node(key) ?? _map, $"{Capitalised(What)} needs '{key}'.");

    public string Identifier(string key, string? fallback = null)
    {
        var value = fallback is null ? Required(key) : Text(key) ?? fallback;
        return ModelFileReader.IsIdentifier(value)
            ? value
            : throw Error(Node(key) ?? _map, $"'{value}' ({key} of {What}) is not a name: a letter or '_', then letters, digits or '_'.");
    }

    public TimeSpan Duration(string key, TimeSpan fallback, bool allowZero = false)
    {
        if (Text(key) is not { } text)
        {
            return fallback;
        }

        var value = text == "0" ? TimeSpan.Zero : ModelFileReader.TryParseDuration(text);
        return value is { } duration && (duration > TimeSpan.Zero || (allowZero && duration == TimeSpan.Zero))
            ? duration
            : throw Error(Node(key)!, $"'{key}' of {What} is a duration such as 30m, 12h or 90d{(allowZero ? " (or 0)" : string.Empty)}, not '{text}'.");
    }

    public double Number(string key, double fallback, double min, double max)
    {
        if (Text(key) is not { } text)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw Error(Node(key)!, string.Create(CultureInfo.InvariantCulture, $"'{key}' of {What} is a number from {min} to {max}, not '{text}'."));
    }

    public T Choice<T>(string key, T fallback, IReadOnlyDictionary<string, T> options)
    {
        if (Text(key) is not { } text)
        {
            return fallback;
        }

        return options.TryGetValue(text, out var value)
            ? value
            : throw Error(Node(key)!, $"'{key}' of {What} is one of {string.Join(", ", options.Keys)}, not '{text}'.");
    }

    public YamlSection Map(string key, string what) => Node(key) switch
    {
        YamlMappingNode map => new YamlSection(File, what, map),
        null => throw Error(_map, $"{Capitalised(What)} needs '{key}'."),
        var other => throw Error(other, $"'{key}' of {What} is a map (key: value lines)."),
    };

    /// <summary>The items of a list: each a map or a single value.</summary>
    public IReadOnlyList<(YamlNode Node, YamlSection? Map, string? Scalar)> Items(string key, bool required)
    {
        switch (Node(key))
        {
            case null when !required:
                return [];
            case null:
                throw Error(_map, $"{Capitalised(What)} needs '{key}': a list.");
            case YamlSequenceNode list:
                return list.Children.Select(item => item switch
                {
                    YamlMappingNode map => (item, new YamlSection(File, $"an entry of {key}", map), (string?)null),
                    YamlScalarNode { Value: { } value } => (item, (YamlSection?)null, value.Trim()),
                    _ => throw Error(item, $"Entries of '{key}' are maps or single values."),
                }).ToList();
            case var other:
                throw Error(other, $"'{key}' of {What} is a list (lines starting with '- ').");
        }
    }

    /// <summary>A block of SQL and the file line its first line is on.</summary>
    public (string Text, int Line) Sql(string key)
    {
        var node = Node(key) as YamlScalarNode ?? throw Error(Node(key) ?? _map, $"{Capitalised(What)} needs '{key}': the SQL, written as a block (key: |).");
        var line = (int)node.Start.Line + (node.Style is ScalarStyle.Literal or ScalarStyle.Folded ? 1 : 0);
        return string.IsNullOrWhiteSpace(node.Value) ? throw Error(node, $"'{key}' of {What} is empty.") : (node.Value, line);
    }

    public OpenTraceException Error(YamlNode node, string message) => new(message, file: File, row: (int)node.Start.Line, rule: "features");

    public OpenTraceException Error(string message) => new(message, file: File, row: Line, rule: "features");

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
