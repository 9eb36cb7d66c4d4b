using OpenTrace.Core.Gold;
using OpenTrace.Core.Training;

namespace OpenTrace.Core.Features;

/// <summary>
/// Every feature group and prediction task of the pipelines folder (<c>&lt;root&gt;/&lt;domain&gt;/features/*.yaml</c>,
/// each with <c>kind: feature_group</c> or <c>kind: prediction</c>), checked: names unique across domains, queries
/// reading only gold models and declared sources, tasks joining groups that exist. Loading reads only those files.
/// </summary>
public sealed class FeatureCatalog
{
    private readonly Dictionary<string, FeatureGroup> _groups;
    private readonly Dictionary<string, PredictionTask> _tasks;

    private FeatureCatalog(IReadOnlyList<FeatureGroup> groups, IReadOnlyList<PredictionTask> tasks)
    {
        Groups = groups;
        Tasks = tasks;
        _groups = groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        _tasks = tasks.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Feature groups by domain, then name.</summary>
    public IReadOnlyList<FeatureGroup> Groups { get; }

    /// <summary>Prediction tasks by domain, then name.</summary>
    public IReadOnlyList<PredictionTask> Tasks { get; }

    /// <summary>A catalog with nothing in it.</summary>
    public static FeatureCatalog Empty { get; } = new([], []);

    /// <summary>
    /// Loads the features folders under <paramref name="pipelinesRoot"/> (none gives <see cref="Empty"/>). When
    /// <paramref name="gold"/> is given, every <c>ref</c> must name one of its models and every <c>source</c> one of its
    /// sources. Throws <see cref="OpenTraceException"/> naming the file and line of the first problem.
    /// </summary>
    public static FeatureCatalog Load(string pipelinesRoot, GoldProject? gold = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelinesRoot);
        var groups = new List<FeatureGroup>();
        var tasks = new List<PredictionTask>();
        if (!Directory.Exists(pipelinesRoot))
        {
            return Empty;
        }

        foreach (var domainDir in Directory.EnumerateDirectories(pipelinesRoot).Order(StringComparer.Ordinal))
        {
            var folder = Path.Combine(domainDir, "features");
            if (!Directory.Exists(folder))
            {
                continue;
            }

            var domain = Path.GetFileName(domainDir);
            foreach (var file in Directory.EnumerateFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
            {
                var root = YamlSection.Load(file, File.ReadAllText(file));
                switch (root.Text("kind"))
                {
                    case FeatureGroupReader.Kind:
                        groups.Add(FeatureGroupReader.Read(file, domain, root));
                        break;
                    case PredictionTaskReader.Kind:
                        tasks.Add(PredictionTaskReader.Read(file, domain, root));
                        break;
                    case var kind:
                        var message = $"A features file starts with 'kind: {FeatureGroupReader.Kind}' or 'kind: {PredictionTaskReader.Kind}'{(kind is null ? string.Empty : $", not '{kind}'")}.";
                        throw root.Node("kind") is { } node ? root.Error(node, message) : root.Error(message);
                }
            }
        }

        return Create(groups, tasks, gold);
    }

    /// <summary>Builds a catalog from parsed groups and tasks with the checks of <see cref="Load"/>.</summary>
    public static FeatureCatalog Create(IEnumerable<FeatureGroup> groups, IEnumerable<PredictionTask> tasks, GoldProject? gold = null)
    {
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(tasks);
        var groupList = groups.ToList();
        var taskList = tasks.ToList();
        var duplicate = groupList.Select(g => (g.Name, g.Path)).Concat(taskList.Select(t => (t.Name, t.Path)))
            .GroupBy(x => x.Name, StringComparer.OrdinalIgnoreCase)
            .FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new OpenTraceException(
                $"'{duplicate.Key}' is declared more than once ({string.Join(", ", duplicate.Select(d => d.Path))}); feature group and prediction names are shared by every domain.",
                file: duplicate.Last().Path,
                rule: "features");
        }

        if (gold is not null)
        {
            foreach (var reference in groupList.SelectMany(g => g.References).Concat(taskList.SelectMany(t => t.References)))
            {
                var known = reference.IsModel ? gold.Find(reference.Name) is not null : gold.FindSource(reference.Key) is not null;
                if (!known)
                {
                    throw new OpenTraceException(
                        reference.IsModel
                            ? $"{reference} names no gold model; feature queries read gold models and the sources in sources.yaml."
                            : $"{reference} is not declared in a {ModelFileReader.SourcesFileName}; feature queries read only declared sources.",
                        file: reference.Path,
                        row: reference.Line,
                        rule: "features");
                }
            }
        }

        var byName = groupList.ToDictionary(g => g.Name, StringComparer.Ordinal);
        var resolved = taskList.Select(t => PredictionTaskReader.Resolve(t, byName)).ToList();
        foreach (var group in groupList)
        {
            // Render once per dialect now, so an unknown macro or a bad argument fails at load with its line.
            foreach (var dialect in new[] { Warehouse.SqlDialect.BigQuery, Warehouse.SqlDialect.DuckDb })
            {
                _ = new FeatureSql(dialect).History(group);
            }
        }

        return new FeatureCatalog(groupList, resolved);
    }

    /// <summary>The group named <paramref name="name"/>, or null.</summary>
    public FeatureGroup? FindGroup(string name) => _groups.GetValueOrDefault(name);

    /// <summary>The task named <paramref name="name"/>, or null.</summary>
    public PredictionTask? FindTask(string name) => _tasks.GetValueOrDefault(name);

    /// <summary>
    /// The groups named in <paramref name="select"/> (comma or space separated), or all when it is null or empty.
    /// Throws <see cref="OpenTraceException"/> (rule <c>select</c>) for an unknown name.
    /// </summary>
    public IReadOnlyList<FeatureGroup> SelectGroups(string? select)
    {
        if (string.IsNullOrWhiteSpace(select))
        {
            return Groups;
        }

        var names = select.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names.FirstOrDefault(n => !_groups.ContainsKey(n));
        return unknown is null
            ? Groups.Where(g => names.Contains(g.Name, StringComparer.Ordinal)).ToList()
            : throw new OpenTraceException($"No feature group '{unknown}'. Groups: {string.Join(", ", _groups.Keys.Order(StringComparer.Ordinal))}.", rule: "select");
    }
}
