namespace OpenTrace.Deploy.Tests.Hcl;

/// <summary>Where something stands in a file, for messages.</summary>
internal readonly record struct HclLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>
/// An expression. Literals (strings, numbers, booleans, null, tuples and objects of literals) are parsed into values;
/// anything else (references, calls, conditionals, for expressions) is kept as <see cref="HclExpression"/> source text.
/// </summary>
internal abstract record HclValue(string Source, HclLocation Location);

/// <summary>A quoted string; escapes resolved, template sequences (<c>${...}</c>) kept as written.</summary>
internal sealed record HclString(string Source, HclLocation Location, string Value) : HclValue(Source, Location)
{
    public bool IsTemplate => Value.Contains("${", StringComparison.Ordinal);
}

internal sealed record HclNumber(string Source, HclLocation Location, decimal Value) : HclValue(Source, Location);

internal sealed record HclBool(string Source, HclLocation Location, bool Value) : HclValue(Source, Location);

internal sealed record HclNull(string Source, HclLocation Location) : HclValue(Source, Location);

internal sealed record HclTuple(string Source, HclLocation Location, IReadOnlyList<HclValue> Items) : HclValue(Source, Location);

internal sealed record HclObject(string Source, HclLocation Location, IReadOnlyList<KeyValuePair<string, HclValue>> Items)
    : HclValue(Source, Location)
{
    public IEnumerable<string> Keys => Items.Select(item => item.Key);

    public HclValue? Find(string key) => Items.FirstOrDefault(item => item.Key == key).Value;

    public HclValue Get(string key) =>
        Find(key) ?? throw new KeyNotFoundException($"{Location}: object has no key '{key}'");
}

/// <summary>Any other expression, as written (white space runs folded to one space).</summary>
internal sealed record HclExpression(string Source, HclLocation Location) : HclValue(Source, Location);

internal sealed record HclAttribute(string Name, HclValue Value, HclLocation Location);

internal sealed record HclBlock(string Type, IReadOnlyList<string> Labels, HclBody Body, HclLocation Location)
{
    /// <summary><c>type.name</c> for a resource, <c>block.label...</c> otherwise; for messages.</summary>
    public string Address => Type == "resource" ? string.Join('.', Labels) : string.Join('.', [Type, .. Labels]);
}

internal sealed class HclBody(IReadOnlyList<HclAttribute> attributes, IReadOnlyList<HclBlock> blocks)
{
    public IReadOnlyList<HclAttribute> Attributes { get; } = attributes;

    public IReadOnlyList<HclBlock> Blocks { get; } = blocks;

    public HclValue? Find(string name) => Attributes.FirstOrDefault(attribute => attribute.Name == name)?.Value;

    public IEnumerable<HclBlock> BlocksOf(string type) => Blocks.Where(block => block.Type == type);

    /// <summary>Every value in this body and its nested blocks, with the items of tuples and objects.</summary>
    public IEnumerable<HclValue> AllValues()
    {
        foreach (var attribute in Attributes)
        {
            foreach (var value in Flatten(attribute.Value))
            {
                yield return value;
            }
        }

        foreach (var value in Blocks.SelectMany(block => block.Body.AllValues()))
        {
            yield return value;
        }
    }

    private static IEnumerable<HclValue> Flatten(HclValue value)
    {
        yield return value;
        var children = value switch
        {
            HclTuple tuple => tuple.Items,
            HclObject obj => obj.Items.Select(item => item.Value),
            _ => [],
        };
        foreach (var nested in children.SelectMany(Flatten))
        {
            yield return nested;
        }
    }
}

/// <summary>The file is not in the subset of HCL this reader understands.</summary>
internal sealed class HclSyntaxException(HclLocation location, string message) : Exception($"{location}: {message}")
{
    public HclLocation Location { get; } = location;
}
