using System.Collections.Concurrent;
using OpenTrace.Core.Contracts;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace OpenTrace.Core.Pipelines;

/// <summary>
/// The pipeline definitions on disk: <c>&lt;root&gt;/&lt;domain&gt;/contracts/&lt;table&gt;.yaml</c> and friends.
/// Reading the catalog does no other I/O.
/// </summary>
public sealed class PipelineCatalog
{
    private readonly ConcurrentDictionary<TableRoute, DataContract> _loaded = new();

    private PipelineCatalog(string root, IReadOnlyList<ContractFile> contracts)
    {
        Root = root;
        Contracts = contracts;
        Router = new TableRouter(contracts.SelectMany(c => c.Match.Select(g => new TableMatch(g, c.Route))));
    }

    /// <summary>The pipelines folder.</summary>
    public string Root { get; }

    /// <summary>Every contract file found, ordered by domain then table.</summary>
    public IReadOnlyList<ContractFile> Contracts { get; }

    /// <summary>A router over the path convention and every contract's globs.</summary>
    public TableRouter Router { get; }

    /// <summary>Loads the catalog; a missing folder gives an empty catalog (path routing still works).</summary>
    public static PipelineCatalog Load(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        var contracts = new List<ContractFile>();
        if (Directory.Exists(root))
        {
            foreach (var domainDir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            {
                var domain = Path.GetFileName(domainDir);
                var contractsDir = Path.Combine(domainDir, "contracts");
                if (!TableRouter.IsIdentifier(domain) || !Directory.Exists(contractsDir))
                {
                    continue;
                }

                foreach (var file in Directory.EnumerateFiles(contractsDir, "*.yaml").Order(StringComparer.Ordinal))
                {
                    var table = Path.GetFileNameWithoutExtension(file);
                    if (!TableRouter.IsIdentifier(table))
                    {
                        throw new OpenTraceException($"Contract file name '{table}' is not a valid table name (lower-case letters, digits and '_').", file: file);
                    }

                    contracts.Add(new ContractFile(new TableRoute(domain, table), file, ReadMatch(file)));
                }
            }
        }

        return new PipelineCatalog(root, contracts);
    }

    /// <summary>The contract file for a table, or null when the table has none.</summary>
    public ContractFile? FindContract(TableRoute route) => Contracts.FirstOrDefault(c => c.Route == route);

    /// <summary>
    /// The parsed contract of a table (read once, then cached), or null when the table has none. Throws
    /// <see cref="ContractException"/> naming the file, line and field when the contract is wrong.
    /// </summary>
    public DataContract? LoadContract(TableRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        if (_loaded.TryGetValue(route, out var cached))
        {
            return cached;
        }

        var file = FindContract(route);
        return file is null ? null : _loaded.GetOrAdd(route, _ => ContractLoader.Load(file.Path, route));
    }

    /// <summary>Parses every contract, so that a wrong one stops a host at start instead of failing files later.</summary>
    public IReadOnlyList<DataContract> LoadAllContracts() => Contracts.Select(c => LoadContract(c.Route)!).ToList();

    private static IReadOnlyList<string> ReadMatch(string file)
    {
        try
        {
            var deserializer = new DeserializerBuilder()
                .WithNamingConvention(UnderscoredNamingConvention.Instance)
                .IgnoreUnmatchedProperties()
                .Build();
            var header = deserializer.Deserialize<MatchHeader?>(File.ReadAllText(file));
            return header?.Match ?? [];
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new OpenTraceException($"Invalid YAML: {ex.Message}", file: file, row: ex.Start.Line, inner: ex);
        }
    }

    private sealed class MatchHeader
    {
        public List<string>? Match { get; set; }
    }
}

/// <summary>A contract file on disk.</summary>
/// <param name="Route">The table it describes.</param>
/// <param name="Path">Full path of the YAML file.</param>
/// <param name="Match">Filename globs routing files to the table; empty when none.</param>
public sealed record ContractFile(TableRoute Route, string Path, IReadOnlyList<string> Match);
