using YamlDotNet.RepresentationModel;

namespace OpenTrace.Deploy.Tests.Deployment;

/// <summary>One step of cloudbuild.yaml. <see cref="WaitFor"/> null means "after every earlier step" (Cloud Build's default).</summary>
internal sealed record CloudBuildStep(int Index, string Id, string Image, string? Entrypoint, IReadOnlyList<string> Args, IReadOnlyList<string>? WaitFor)
{
    /// <summary>The command line the step runs: entrypoint (if any) then arguments.</summary>
    public IReadOnlyList<string> CommandLine => Entrypoint is null ? Args : [Entrypoint, .. Args];

    /// <summary>The value after <paramref name="flag"/> in the arguments, or null.</summary>
    public string? ArgumentAfter(string flag)
    {
        var index = Args.ToList().IndexOf(flag);
        return index >= 0 && index + 1 < Args.Count ? Args[index + 1] : null;
    }

    public override string ToString() => Id;
}

/// <summary>cloudbuild.yaml: its steps, substitutions and images.</summary>
internal sealed class CloudBuildConfig
{
    private static readonly Lazy<CloudBuildConfig> LazyRepository = new(() => Load(Repository.PathOf("cloudbuild.yaml")));

    private CloudBuildConfig(IReadOnlyList<CloudBuildStep> steps, IReadOnlyDictionary<string, string> substitutions, IReadOnlyList<string> images)
    {
        Steps = steps;
        Substitutions = substitutions;
        Images = images;
    }

    public static CloudBuildConfig FromRepository => LazyRepository.Value;

    public IReadOnlyList<CloudBuildStep> Steps { get; }

    public IReadOnlyDictionary<string, string> Substitutions { get; }

    public IReadOnlyList<string> Images { get; }

    public static CloudBuildConfig Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var steps = Sequence(root, "steps")
            .Select((node, index) => ReadStep((YamlMappingNode)node, index, path))
            .ToList();
        var duplicate = steps.GroupBy(step => step.Id).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"{path}: step id '{duplicate.Key}' is used twice");
        }

        var substitutions = Child(root, "substitutions") is YamlMappingNode mapping
            ? mapping.Children.ToDictionary(pair => Scalar(pair.Key), pair => Scalar(pair.Value))
            : [];
        var images = Sequence(root, "images").Select(Scalar).ToList();
        return new CloudBuildConfig(steps, substitutions, images);
    }

    public CloudBuildStep Step(string id) =>
        Steps.FirstOrDefault(step => step.Id == id) ?? throw new KeyNotFoundException($"cloudbuild.yaml has no step '{id}'");

    /// <summary>Whether <paramref name="later"/> starts only after <paramref name="earlier"/> has finished, directly or through other steps.</summary>
    public bool RunsAfter(CloudBuildStep later, CloudBuildStep earlier)
    {
        var seen = new HashSet<int>();
        var pending = new Stack<CloudBuildStep>(DirectPredecessors(later));
        while (pending.TryPop(out var step))
        {
            if (step.Index == earlier.Index)
            {
                return true;
            }

            if (seen.Add(step.Index))
            {
                foreach (var predecessor in DirectPredecessors(step))
                {
                    pending.Push(predecessor);
                }
            }
        }

        return false;
    }

    private IEnumerable<CloudBuildStep> DirectPredecessors(CloudBuildStep step) => step.WaitFor switch
    {
        null => Steps.Take(step.Index),
        ["-"] => [],
        var ids => ids.Select(Step),
    };

    private static CloudBuildStep ReadStep(YamlMappingNode node, int index, string path)
    {
        var id = Child(node, "id") is { } idNode ? Scalar(idNode) : throw new InvalidDataException($"{path}: step {index + 1} has no id");
        var image = Child(node, "name") is { } nameNode ? Scalar(nameNode) : throw new InvalidDataException($"{path}: step '{id}' has no name (image)");
        var entrypoint = Child(node, "entrypoint") is { } entrypointNode ? Scalar(entrypointNode) : null;
        var args = Sequence(node, "args").Select(Scalar).ToList();
        var waitFor = Child(node, "waitFor") is YamlSequenceNode waits ? waits.Children.Select(Scalar).ToList() : null;
        return new CloudBuildStep(index, id, image, entrypoint, args, waitFor);
    }

    private static YamlNode? Child(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static IEnumerable<YamlNode> Sequence(YamlMappingNode node, string key) =>
        Child(node, key) is YamlSequenceNode sequence ? sequence.Children : [];

    private static string Scalar(YamlNode node) =>
        node is YamlScalarNode { Value: var value } ? value ?? string.Empty : throw new InvalidDataException($"expected a scalar at {node.Start}");
}
