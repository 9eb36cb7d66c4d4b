using System.Text.RegularExpressions;
using OpenTrace.Deploy.Tests.Hcl;

namespace OpenTrace.Deploy.Tests.Deployment;

/// <summary>The root module in terraform/: its resources, data sources, variables and locals, read with <see cref="HclReader"/>.</summary>
internal sealed partial class TerraformConfig
{
    private static readonly Lazy<TerraformConfig> LazyRepository = new(() => Load(Repository.PathOf("terraform")));

    private TerraformConfig(IReadOnlyList<HclBlock> blocks)
    {
        Blocks = blocks;
        Locals = blocks.Where(block => block.Type == "locals")
            .SelectMany(block => block.Body.Attributes)
            .ToDictionary(attribute => attribute.Name, attribute => attribute.Value);
    }

    /// <summary>The repository's terraform/ folder, read once.</summary>
    public static TerraformConfig FromRepository => LazyRepository.Value;

    /// <summary>Every top-level block of every .tf file.</summary>
    public IReadOnlyList<HclBlock> Blocks { get; }

    public IReadOnlyDictionary<string, HclValue> Locals { get; }

    public IEnumerable<HclBlock> Resources => Blocks.Where(block => block.Type == "resource");

    public static TerraformConfig Load(string directory)
    {
        var files = Directory.GetFiles(directory, "*.tf").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"No .tf files in {directory}.");
        }

        return new TerraformConfig(files.SelectMany(file => HclReader.ReadFile(file).Blocks).ToList());
    }

    public IEnumerable<HclBlock> ResourcesOfType(string type) => Resources.Where(block => block.Labels[0] == type);

    public HclBlock? FindResource(string type, string name) =>
        Resources.FirstOrDefault(block => block.Labels[0] == type && block.Labels[1] == name);

    public HclBlock Resource(string type, string name) =>
        FindResource(type, name) ?? throw new KeyNotFoundException($"terraform/ has no resource {type}.{name}");

    public HclValue Local(string name) =>
        Locals.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"terraform/ has no local.{name}");

    public HclObject LocalObject(string name) =>
        Local(name) as HclObject ?? throw new InvalidOperationException($"local.{name} is not an object literal");

    public HclBlock Variable(string name) =>
        Blocks.FirstOrDefault(block => block.Type == "variable" && block.Labels[0] == name)
        ?? throw new KeyNotFoundException($"terraform/ has no variable {name}");

    public HclValue VariableDefault(string name) =>
        Variable(name).Body.Find("default") ?? throw new InvalidOperationException($"variable {name} has no default");

    public string VariableDefaultString(string name) =>
        VariableDefault(name) is HclString { IsTemplate: false } value
            ? value.Value
            : throw new InvalidOperationException($"variable {name}'s default is not a plain string");

    /// <summary>
    /// Resolves a string template whose sequences are <c>var.x</c> (the variable's default), <c>local.x</c> (a plain
    /// string local), a key of <paramref name="bindings"/> (for example <c>each.key</c>) or an attribute of a resource
    /// whose value is a plain string (<c>google_artifact_registry_repository.images.repository_id</c>).
    /// </summary>
    public string Resolve(string template, IReadOnlyDictionary<string, string>? bindings = null) =>
        TemplateSequence().Replace(template, match => ResolveReference(match.Groups[1].Value.Trim(), bindings));

    private string ResolveReference(string reference, IReadOnlyDictionary<string, string>? bindings)
    {
        if (bindings is not null && bindings.TryGetValue(reference, out var bound))
        {
            return bound;
        }

        var parts = reference.Split('.');
        return parts switch
        {
            ["var", var name] => Resolve(VariableDefaultString(name), bindings),
            ["local", var name] when Local(name) is HclString local => Resolve(local.Value, bindings),
            [var type, var name, var attribute] when FindResource(type, name)?.Body.Find(attribute) is HclString value =>
                Resolve(value.Value, bindings),
            [var type, var name, var attribute] when FindResource(type, name)?.Body.Find(attribute) is HclExpression { Source: var source }
                && source.StartsWith("var.", StringComparison.Ordinal) => VariableDefaultString(source["var.".Length..]),
            _ => throw new InvalidOperationException($"cannot resolve ${{{reference}}}"),
        };
    }

    [GeneratedRegex(@"\$\{([^}]*)\}")]
    private static partial Regex TemplateSequence();
}
