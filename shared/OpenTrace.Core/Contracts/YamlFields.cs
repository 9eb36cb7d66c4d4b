using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace OpenTrace.Core.Contracts;

/// <summary>
/// Reads one YAML mapping of a contract with positions: every accessor knows the field path and line of what it
/// reads, so errors point at the exact spot, and keys nobody asked for are rejected (with a suggestion).
/// </summary>
internal sealed class YamlFields
{
    private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public YamlFields(string file, string path, YamlNode node)
    {
        File = file;
        Path = path;
        Node = node;
        if (node is not YamlMappingNode mapping)
        {
            throw Error(node, path, $"expected a mapping of 'key: value' lines, found {Describe(node)}.");
        }

        foreach (var (key, value) in mapping.Children)
        {
            var name = key is YamlScalarNode scalar ? scalar.Value ?? string.Empty : string.Empty;
            if (name.Length == 0)
            {
                throw Error(key, path, "every key must be a plain name.");
            }

            _entries[name] = (key, value);
        }
    }

    public string File { get; }

    public string Path { get; }

    public YamlNode Node { get; }

    public bool Has(string key) => _entries.ContainsKey(key);

    public string FieldPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>The raw node of a key, or null when absent.</summary>
    public YamlNode? Raw(string key)
    {
        _read.Add(key);
        return _entries.TryGetValue(key, out var entry) ? entry.Value : null;
    }

    /// <summary>A scalar as text; null when absent or written as null (<c>~</c>, <c>null</c> or nothing).</summary>
    public string? String(string key)
    {
        var node = Raw(key);
        return node is null ? null : ScalarText(node, FieldPath(key));
    }

    public string RequiredString(string key)
    {
        var value = String(key);
        return string.IsNullOrWhiteSpace(value)
            ? throw Error(_entries.TryGetValue(key, out var e) ? e.Value : Node, FieldPath(key), $"'{key}' is required.")
            : value;
    }

    public bool Bool(string key, bool fallback)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        return text.ToLowerInvariant() switch
        {
            "true" or "yes" or "on" => true,
            "false" or "no" or "off" => false,
            _ => throw Error(_entries[key].Value, FieldPath(key), $"'{text}' is not true or false."),
        };
    }

    public int Int(string key, int fallback, int min)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min
            ? value
            : throw Error(_entries[key].Value, FieldPath(key), string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a whole number of at least {min}."));
    }

    /// <summary>A choice among <paramref name="options"/> (case-insensitive).</summary>
    public T Choice<T>(string key, T fallback, IReadOnlyDictionary<string, T> options)
    {
        var text = String(key);
        if (text is null)
        {
            return fallback;
        }

        return options.TryGetValue(text.Trim().ToLowerInvariant(), out var value)
            ? value
            : throw Error(_entries[key].Value, FieldPath(key), $"'{text}' is not one of {string.Join(", ", options.Keys)}.");
    }

    /// <summary>A sequence of scalars; a single scalar counts as a one-item list. Empty when absent.</summary>
    public IReadOnlyList<(string Text, YamlNode Node)> Strings(string key)
    {
        var node = Raw(key);
        switch (node)
        {
            case null:
                return [];
            case YamlSequenceNode sequence:
                {
                    var list = new List<(string, YamlNode)>();
                    var i = 0;
                    foreach (var child in sequence.Children)
                    {
                        var text = ScalarText(child, $"{FieldPath(key)}[{i}]")
                            ?? throw Error(child, $"{FieldPath(key)}[{i}]", "a list item cannot be null.");
                        list.Add((text, child));
                        i++;
                    }

                    return list;
                }

            default:
                {
                    var text = ScalarText(node, FieldPath(key));
                    return text is null ? [] : [(text, node)];
                }
        }
    }

    /// <summary>A sequence of mappings; empty when absent.</summary>
    public IReadOnlyList<YamlFields> Mappings(string key)
    {
        var node = Raw(key);
        if (node is null)
        {
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw Error(node, FieldPath(key), $"expected a list (lines starting with '- '), found {Describe(node)}.");
        }

        return sequence.Children.Select((child, i) => new YamlFields(File, $"{FieldPath(key)}[{i}]", child)).ToList();
    }

    /// <summary>A nested mapping, or null when absent.</summary>
    public YamlFields? Mapping(string key)
    {
        var node = Raw(key);
        return node is null ? null : new YamlFields(File, FieldPath(key), node);
    }

    /// <summary>The node of a key (for error positions), or the mapping itself when absent.</summary>
    public YamlNode At(string key) => _entries.TryGetValue(key, out var entry) ? entry.Value : Node;

    /// <summary>Rejects keys that no accessor read, suggesting the closest known one.</summary>
    public void RejectUnknown(IReadOnlyCollection<string> known)
    {
        foreach (var (name, (keyNode, _)) in _entries)
        {
            if (_read.Contains(name) || known.Contains(name))
            {
                continue;
            }

            var closest = known.Concat(_read).Distinct(StringComparer.Ordinal)
                .Select(k => (Key: k, Distance: Distance(k, name)))
                .Where(k => k.Distance <= Math.Max(2, name.Length / 3))
                .OrderBy(k => k.Distance)
                .Select(k => k.Key)
                .FirstOrDefault();
            var hint = closest is null
                ? $" Known keys here: {string.Join(", ", known.Concat(_read).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))}."
                : $" Did you mean '{closest}'?";
            throw Error(keyNode, FieldPath(name), $"unknown key '{name}'.{hint}");
        }
    }

    public ContractException Error(string key, string message) => Error(At(key), FieldPath(key), message);

    public ContractException Error(YamlNode node, string field, string message) =>
        new(message, File, (int)node.Start.Line, (int)node.Start.Column, field);

    public string? ScalarText(YamlNode node, string field)
    {
        if (node is not YamlScalarNode scalar)
        {
            throw Error(node, field, $"expected a single value, found {Describe(node)}.");
        }

        if (scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL"))
        {
            return null;
        }

        return scalar.Value;
    }

    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"the value '{s.Value}'",
        _ => "something else",
    };

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
