using OpenTrace.Core.Warehouse;

namespace OpenTrace.Core.Gold;

/// <summary>
/// Every gold model and source of the pipelines folder (<c>&lt;root&gt;/&lt;domain&gt;/models/*.sql</c> and
/// <c>sources.yaml</c>), checked and ordered: unknown references and cycles are rejected with the file and line, and
/// each model renders in both dialects. Loading does no I/O beyond reading those files.
/// </summary>
public sealed class GoldProject
{
    private readonly Dictionary<string, GoldModel> _byName;
    private readonly Dictionary<string, List<string>> _children;

    private GoldProject(IReadOnlyList<GoldModel> ordered, IReadOnlyList<GoldSource> sources)
    {
        Models = ordered;
        Sources = sources;
        _byName = ordered.ToDictionary(m => m.Name, StringComparer.Ordinal);
        _children = ordered.ToDictionary(m => m.Name, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var model in ordered)
        {
            foreach (var parent in model.DependsOnModels)
            {
                _children[parent].Add(model.Name);
            }
        }
    }

    /// <summary>Models in dependency order (parents before children; ties by name).</summary>
    public IReadOnlyList<GoldModel> Models { get; }

    /// <summary>Declared sources, by file then declaration order.</summary>
    public IReadOnlyList<GoldSource> Sources { get; }

    /// <summary>An empty project (no models folder anywhere).</summary>
    public static GoldProject Empty { get; } = new([], []);

    /// <summary>
    /// Loads every domain's <c>models</c> folder under <paramref name="pipelinesRoot"/>; a missing folder gives an
    /// empty project. Throws <see cref="OpenTraceException"/> naming the file and line of the first problem.
    /// </summary>
    public static GoldProject Load(string pipelinesRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(pipelinesRoot);
        var models = new List<GoldModel>();
        var sources = new List<GoldSource>();
        if (!Directory.Exists(pipelinesRoot))
        {
            return Empty;
        }

        foreach (var domainDir in Directory.EnumerateDirectories(pipelinesRoot).Order(StringComparer.Ordinal))
        {
            var modelsDir = Path.Combine(domainDir, "models");
            if (!Directory.Exists(modelsDir))
            {
                continue;
            }

            var domain = Path.GetFileName(domainDir);
            var sourcesFile = Path.Combine(modelsDir, ModelFileReader.SourcesFileName);
            if (File.Exists(sourcesFile))
            {
                sources.AddRange(ModelFileReader.ReadSources(sourcesFile, File.ReadAllText(sourcesFile)));
            }

            foreach (var file in Directory.EnumerateFiles(modelsDir, "*.sql", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                models.Add(ModelFileReader.ReadModel(file, domain, File.ReadAllText(file)));
            }
        }

        return Create(models, sources);
    }

    /// <summary>Builds a project from parsed models and sources, applying the same checks as <see cref="Load"/>.</summary>
    public static GoldProject Create(IEnumerable<GoldModel> models, IEnumerable<GoldSource> sources)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(sources);
        var all = models.ToList();
        var declared = sources.ToList();
        foreach (var group in all.GroupBy(m => m.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            throw new OpenTraceException(
                $"Model '{group.Key}' is defined more than once ({string.Join(", ", group.Select(m => m.Path))}); gold table names are shared by every domain.",
                file: group.Last().Path,
                rule: "model");
        }

        var byName = all.ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var model in all)
        {
            CheckReferences(model, byName, declared);
        }

        var project = new GoldProject(Order(all, byName), declared);
        foreach (var model in project.Models)
        {
            // Render once per dialect now, so an unknown macro or a bad argument fails at load with its line.
            foreach (var dialect in new[] { SqlDialect.BigQuery, SqlDialect.DuckDb })
            {
                var sql = new GoldSql(project, dialect);
                _ = sql.DefinitionHash(model);
            }
        }

        return project;
    }

    /// <summary>The model named <paramref name="name"/>, or null.</summary>
    public GoldModel? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The declared source <c>dataset.table</c>, or null.</summary>
    public GoldSource? FindSource(string key) => Sources.FirstOrDefault(s => s.Key == key);

    /// <summary>Every model that depends on <paramref name="name"/>, directly or not, in dependency order.</summary>
    public IReadOnlyList<GoldModel> Descendants(string name)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(_children.GetValueOrDefault(name) ?? []);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (seen.Add(next))
            {
                foreach (var child in _children[next])
                {
                    stack.Push(child);
                }
            }
        }

        return Models.Where(m => seen.Contains(m.Name)).ToList();
    }

    /// <summary>Every model <paramref name="name"/> depends on, directly or not, in dependency order.</summary>
    public IReadOnlyList<GoldModel> Ancestors(string name)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(_byName.TryGetValue(name, out var model) ? model.DependsOnModels : []);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (seen.Add(next))
            {
                foreach (var parent in _byName[next].DependsOnModels)
                {
                    stack.Push(parent);
                }
            }
        }

        return Models.Where(m => seen.Contains(m.Name)).ToList();
    }

    /// <summary>
    /// The models a selector picks, in dependency order. Null or empty selects every model. A selector is one or more
    /// terms separated by commas or spaces: <c>model</c>, <c>model+</c> (and its descendants), <c>+model</c> (and its
    /// ancestors), <c>+model+</c> (both). Throws <see cref="OpenTraceException"/> for an unknown model.
    /// </summary>
    public IReadOnlyList<GoldModel> Select(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return Models;
        }

        var picked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var term in selector.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var withAncestors = term.StartsWith('+');
            var withDescendants = term.EndsWith('+') && term.Length > 1;
            var name = term.Trim('+');
            if (!_byName.ContainsKey(name))
            {
                throw new OpenTraceException(
                    $"--select names '{name}', which is not a model. Models: {string.Join(", ", Models.Select(m => m.Name))}.",
                    rule: "select");
            }

            picked.Add(name);
            if (withAncestors)
            {
                picked.UnionWith(Ancestors(name).Select(m => m.Name));
            }

            if (withDescendants)
            {
                picked.UnionWith(Descendants(name).Select(m => m.Name));
            }
        }

        return Models.Where(m => picked.Contains(m.Name)).ToList();
    }

    private static void CheckReferences(GoldModel model, Dictionary<string, GoldModel> byName, List<GoldSource> sources)
    {
        foreach (var reference in model.References)
        {
            if (reference.IsModel && !byName.ContainsKey(reference.Name))
            {
                var hint = byName.Keys.Where(k => k.Contains(reference.Name, StringComparison.OrdinalIgnoreCase) || reference.Name.Contains(k, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).FirstOrDefault();
                throw new OpenTraceException(
                    $"{reference} names a model that does not exist{(hint is null ? string.Empty : $" (did you mean '{hint}'?)")}.",
                    file: reference.Path,
                    row: reference.Line,
                    rule: "ref");
            }

            if (!reference.IsModel && sources.All(s => s.Key != reference.Key))
            {
                throw new OpenTraceException(
                    $"{reference} is not declared in a {ModelFileReader.SourcesFileName} (declared: {(sources.Count == 0 ? "none" : string.Join(", ", sources.Select(s => s.Key)))}).",
                    file: reference.Path,
                    row: reference.Line,
                    rule: "source");
            }

            if (reference.IsModel && reference.Name == model.Name)
            {
                throw new OpenTraceException($"Model '{model.Name}' refers to itself.", file: reference.Path, row: reference.Line, rule: "cycle");
            }
        }
    }

    private static List<GoldModel> Order(List<GoldModel> models, Dictionary<string, GoldModel> byName)
    {
        var ordered = new List<GoldModel>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 visiting, 2 done
        var path = new List<(GoldModel Model, RelationRef? Via)>();

        void Visit(GoldModel model, RelationRef? via)
        {
            if (state.GetValueOrDefault(model.Name) == 2)
            {
                return;
            }

            if (state.GetValueOrDefault(model.Name) == 1)
            {
                var start = path.FindIndex(p => p.Model.Name == model.Name);
                var cycle = path.Skip(start).Select(p => p.Model.Name).Append(model.Name);
                throw new OpenTraceException(
                    $"Models form a cycle: {string.Join(" -> ", cycle)}.",
                    file: via!.Path,
                    row: via.Line,
                    rule: "cycle");
            }

            state[model.Name] = 1;
            path.Add((model, via));
            foreach (var reference in model.References.Where(r => r.IsModel).OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                Visit(byName[reference.Name], reference);
            }

            path.RemoveAt(path.Count - 1);
            state[model.Name] = 2;
            ordered.Add(model);
        }

        foreach (var model in models.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            Visit(model, null);
        }

        return ordered;
    }
}
