using System.Globalization;
using System.Text.RegularExpressions;
using OpenTrace.Core.Warehouse;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpenTrace.Core.Gold;

/// <summary>
/// Reads model files (<c>/* YAML header */</c> then SQL) and <c>sources.yaml</c>. Every error names the file and line.
/// </summary>
public static partial class ModelFileReader
{
    /// <summary>Name of the file declaring the sources of a domain's models.</summary>
    public const string SourcesFileName = "sources.yaml";

    private static readonly string[] ModelKeys = ["description", "materialized", "partition_by", "cluster_by", "columns", "tests"];
    private static readonly string[] ColumnKeys = ["name", "type", "description", "tests"];

    /// <summary>True for a valid model, column or table name: a letter or '_', then letters, digits or '_'.</summary>
    public static bool IsIdentifier(string? value) => value is not null && IdentifierPattern().IsMatch(value);

    /// <summary>Parses one model file. <paramref name="path"/> names it in errors; its file name is the model name.</summary>
    public static GoldModel ReadModel(string path, string domain, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        var name = System.IO.Path.GetFileNameWithoutExtension(path);
        if (!IsIdentifier(name))
        {
            throw new OpenTraceException($"Model file name '{name}' is not a valid table name (a letter or '_', then letters, digits or '_').", file: path, rule: "model");
        }

        var start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        if (string.CompareOrdinal(text, start, "/*", 0, 2) != 0)
        {
            throw new OpenTraceException("A model file starts with its header: a /* ... */ block comment holding YAML (description, columns, tests).", file: path, row: 1, rule: "model");
        }

        var end = text.IndexOf("*/", start + 2, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new OpenTraceException("The header comment is not closed with */.", file: path, row: 1, rule: "model");
        }

        // Keep the header's text at its place in the file (blank lines before it) so YAML line numbers are file lines.
        var headerText = new string('\n', CountLines(text, 0, start)) + text[(start + 2)..end];
        var header = LoadMapping(path, headerText, "header");
        var bodyLine = 1 + CountLines(text, 0, end);
        var body = SqlTemplate.Parse(path, text[(end + 2)..], bodyLine);
        if (string.IsNullOrWhiteSpace(body.Render(_ => "x")))
        {
            throw new OpenTraceException("The model has no SQL after its header.", file: path, row: bodyLine, rule: "model");
        }

        RejectUnknownKeys(path, header, ModelKeys, "model header");
        var description = RequiredScalar(path, header, "description", "the model header");
        var materialization = Optional(header, "materialized") is { } m
            ? Scalar(path, m, "materialized") switch
            {
                "table" => Materialization.Table,
                "incremental" => Materialization.Incremental,
                var other => throw Error(path, m, $"materialized is 'table' or 'incremental', not '{other}'."),
            }
            : Materialization.Table;

        var columns = ReadColumns(path, header, out var columnTests);
        var partition = Optional(header, "partition_by") is { } p ? ReadPartition(path, p, columns) : null;
        if (materialization == Materialization.Incremental && partition is null)
        {
            throw Error(path, header, "An incremental model needs partition_by: its partitions are what an incremental build replaces.");
        }

        var cluster = Optional(header, "cluster_by") is { } c ? ReadCluster(path, c, columns) : [];
        var tests = new List<ModelTest>(columnTests);
        if (Optional(header, "tests") is { } t)
        {
            tests.AddRange(ReadTests(path, t, column: null, columns));
        }

        if (materialization == Materialization.Incremental && !tests.Any(x => x is NotNullTest && x.Column == partition!.Column))
        {
            // Partitions are replaced by value: a NULL partition value could never be replaced, so it is never allowed.
            var partitionNode = Optional(header, "partition_by")!;
            tests.Add(new NotNullTest { Name = $"not_null({partition!.Column})", Column = partition.Column, Path = path, Line = Line(partitionNode) });
        }

        var duplicate = tests.GroupBy(x => x.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            var second = duplicate.Skip(1).First();
            throw new OpenTraceException($"Test '{duplicate.Key}' is declared twice; give one a name.", file: path, row: second.Line, rule: "tests");
        }

        return new GoldModel
        {
            Name = name,
            Domain = domain,
            Path = path,
            Materialization = materialization,
            PartitionBy = partition,
            ClusterBy = cluster,
            Description = description,
            Columns = columns,
            Tests = tests,
            Body = body,
            References = CollectReferences(body, tests),
        };
    }

    /// <summary>Parses a <c>sources.yaml</c> file.</summary>
    public static IReadOnlyList<GoldSource> ReadSources(string path, string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        var root = LoadMapping(path, text, "sources file");
        RejectUnknownKeys(path, root, ["sources"], "sources file");
        var groups = Optional(root, "sources") as YamlSequenceNode
            ?? throw Error(path, root, "A sources file has a 'sources' list: one entry per dataset, each with 'dataset' and 'tables'.");
        var sources = new List<GoldSource>();
        foreach (var groupNode in groups)
        {
            var group = AsMapping(path, groupNode, "a sources entry");
            RejectUnknownKeys(path, group, ["dataset", "description", "loaded_at_column", "lineage_column", "freshness", "tables"], "sources entry");
            var dataset = RequiredIdentifier(path, group, "dataset", "a sources entry");
            var loadedAt = Optional(group, "loaded_at_column") is { } l ? Identifier(path, l, "loaded_at_column") : Lineage.IngestedAt;
            var lineage = Optional(group, "lineage_column") is { } lc ? Identifier(path, lc, "lineage_column") : Lineage.LineageId;
            var freshness = Optional(group, "freshness") is { } f ? ReadFreshness(path, f) : null;
            var tables = Optional(group, "tables") as YamlSequenceNode
                ?? throw Error(path, group, $"Sources entry '{dataset}' needs a 'tables' list.");
            foreach (var tableNode in tables)
            {
                var table = tableNode is YamlScalarNode ? null : AsMapping(path, tableNode, "a source table");
                if (table is not null)
                {
                    RejectUnknownKeys(path, table, ["name", "description", "freshness", "loaded_at_column", "lineage_column"], "source table");
                }

                var tableName = table is null ? Identifier(path, tableNode, "table name") : RequiredIdentifier(path, table, "name", "a source table");
                var ownFreshness = table is null ? null : Optional(table, "freshness");
                var source = new GoldSource
                {
                    Dataset = dataset,
                    Table = tableName,
                    Path = path,
                    Line = Line(tableNode),
                    Description = table is null ? null : OptionalScalar(path, table, "description"),
                    LoadedAtColumn = table is not null && Optional(table, "loaded_at_column") is { } tl ? Identifier(path, tl, "loaded_at_column") : loadedAt,
                    LineageColumn = table is not null && Optional(table, "lineage_column") is { } tlc ? Identifier(path, tlc, "lineage_column") : lineage,
                    Freshness = ownFreshness switch
                    {
                        null => freshness,
                        YamlScalarNode s when IsNull(s) => null,
                        _ => ReadFreshness(path, ownFreshness),
                    },
                };
                if (sources.Any(x => x.Key == source.Key))
                {
                    throw Error(path, tableNode, $"Source {source.Key} is declared twice.");
                }

                sources.Add(source);
            }
        }

        return sources;
    }

    /// <summary>Parses a duration such as <c>30m</c>, <c>12h</c> or <c>2d</c>.</summary>
    public static TimeSpan? TryParseDuration(string text)
    {
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success)
        {
            return null;
        }

        var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch
        {
            "m" => TimeSpan.FromMinutes(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromDays(amount),
        };
    }

    private static List<ModelColumn> ReadColumns(string path, YamlMappingNode header, out List<ModelTest> tests)
    {
        var node = Optional(header, "columns") as YamlSequenceNode
            ?? throw Error(path, header, "The header needs 'columns': a list of the output columns with name, type and description.");
        var columns = new List<ModelColumn>();
        var pending = new List<(string Column, YamlNode Tests)>();
        foreach (var item in node)
        {
            var column = AsMapping(path, item, "a column");
            RejectUnknownKeys(path, column, ColumnKeys, "column");
            var name = RequiredIdentifier(path, column, "name", "a column");
            if (columns.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw Error(path, item, $"Column '{name}' is declared twice.");
            }

            var typeNode = Optional(column, "type") ?? throw Error(path, item, $"Column '{name}' needs a type ({GoldType.Accepted}).");
            var typeText = Scalar(path, typeNode, "type");
            var type = GoldType.TryParse(typeText) ?? throw Error(path, typeNode, $"Column '{name}' has type '{typeText}'; use one of {GoldType.Accepted}.");
            var description = RequiredScalar(path, column, "description", $"column '{name}'");
            columns.Add(new ModelColumn(name, type, description));
            if (Optional(column, "tests") is { } t)
            {
                pending.Add((name, t));
            }
        }

        if (columns.Count == 0)
        {
            throw Error(path, node, "The header's 'columns' list is empty.");
        }

        tests = pending.SelectMany(p => ReadTests(path, p.Tests, p.Column, columns)).ToList();
        return columns;
    }

    private static PartitionSpec ReadPartition(string path, YamlNode node, IReadOnlyList<ModelColumn> columns)
    {
        string column;
        var granularity = PartitionGranularity.Day;
        if (node is YamlMappingNode map)
        {
            RejectUnknownKeys(path, map, ["column", "granularity"], "partition_by");
            column = RequiredIdentifier(path, map, "column", "partition_by");
            if (Optional(map, "granularity") is { } g)
            {
                granularity = Scalar(path, g, "granularity") switch
                {
                    "day" => PartitionGranularity.Day,
                    "month" => PartitionGranularity.Month,
                    "year" => PartitionGranularity.Year,
                    var other => throw Error(path, g, $"partition_by granularity is day, month or year, not '{other}'."),
                };
            }
        }
        else
        {
            column = Identifier(path, node, "partition_by");
        }

        var declared = columns.FirstOrDefault(c => c.Name == column)
            ?? throw Error(path, node, $"partition_by names '{column}', which is not a declared column.");
        if (declared.Type.Kind is not (ColumnType.Date or ColumnType.Timestamp))
        {
            throw Error(path, node, $"partition_by column '{column}' is {declared.Type}; partitions need a date or timestamp column.");
        }

        return new PartitionSpec(column, granularity);
    }

    private static List<string> ReadCluster(string path, YamlNode node, IReadOnlyList<ModelColumn> columns)
    {
        var names = node is YamlSequenceNode list
            ? list.Select(n => Identifier(path, n, "cluster_by")).ToList()
            : [Identifier(path, node, "cluster_by")];
        if (names.Count > 4)
        {
            throw Error(path, node, "cluster_by takes at most four columns (BigQuery's limit).");
        }

        var unknown = names.FirstOrDefault(n => columns.All(c => c.Name != n));
        return unknown is null ? names : throw Error(path, node, $"cluster_by names '{unknown}', which is not a declared column.");
    }

    private static IEnumerable<ModelTest> ReadTests(string path, YamlNode node, string? column, IReadOnlyList<ModelColumn> columns)
    {
        if (node is not YamlSequenceNode list)
        {
            throw Error(path, node, "'tests' is a list, e.g. tests: [unique, not_null].");
        }

        foreach (var item in list)
        {
            yield return ReadTest(path, item, column, columns);
        }
    }

    private static ModelTest ReadTest(string path, YamlNode item, string? column, IReadOnlyList<ModelColumn> columns)
    {
        string kind;
        YamlNode? argument = null;
        switch (item)
        {
            case YamlScalarNode scalar:
                kind = scalar.Value ?? string.Empty;
                break;
            case YamlMappingNode map when map.Children.Count == 1:
                var entry = map.Children.Single();
                kind = Scalar(path, entry.Key, "test");
                argument = entry.Value;
                break;
            default:
                throw Error(path, item, "A test is a name (e.g. not_null) or a single-key map (e.g. accepted_values: {values: [a, b]}).");
        }

        var options = argument as YamlMappingNode;
        var line = Line(item);
        var severity = TestSeverity.Error;
        string? name = null;
        if (options is not null)
        {
            if (Optional(options, "severity") is { } s)
            {
                severity = Scalar(path, s, "severity") switch
                {
                    "error" => TestSeverity.Error,
                    "warn" => TestSeverity.Warn,
                    var other => throw Error(path, s, $"severity is 'error' or 'warn', not '{other}'."),
                };
            }

            name = OptionalScalar(path, options, "name");
        }

        string RequireColumn()
        {
            return column ?? throw Error(path, item, $"The {kind} test belongs under a column's tests (or give it a column: use unique: [a, b] for keys).");
        }

        void Allow(params string[] keys)
        {
            if (options is not null)
            {
                RejectUnknownKeys(path, options, [.. keys, "severity", "name"], $"{kind} test");
            }
        }

        ModelTest test;
        switch (kind)
        {
            case "not_null":
                Allow();
                test = new NotNullTest { Name = name ?? $"not_null({RequireColumn()})", Column = RequireColumn(), Path = path, Line = line };
                break;
            case "unique":
                Allow("columns");
                var keyNode = options is not null ? Optional(options, "columns") : argument;
                var keys = keyNode switch
                {
                    null => [RequireColumn()],
                    YamlSequenceNode seq => seq.Select(n => Identifier(path, n, "unique column")).ToList(),
                    _ => [Identifier(path, keyNode, "unique column")],
                };
                foreach (var key in keys.Where(k => columns.All(c => c.Name != k)))
                {
                    throw Error(path, item, $"unique names '{key}', which is not a declared column.");
                }

                test = new UniqueTest { Name = name ?? $"unique({string.Join(", ", keys)})", Columns = keys, Column = keys.Count == 1 ? keys[0] : null, Path = path, Line = line };
                break;
            case "accepted_values":
                Allow("values");
                var valuesNode = (options is not null ? Optional(options, "values") : argument) as YamlSequenceNode
                    ?? throw Error(path, item, "accepted_values needs a list: accepted_values: {values: [a, b]} or accepted_values: [a, b].");
                var values = valuesNode.Select(v => Scalar(path, v, "accepted value")).ToList();
                var target = columns.First(c => c.Name == RequireColumn());
                foreach (var value in values.Where(v => target.Type.IsUnquoted && !decimal.TryParse(v, NumberStyles.Number, CultureInfo.InvariantCulture, out _) && v is not ("true" or "false")))
                {
                    throw Error(path, valuesNode, $"accepted value '{value}' is not a {target.Type} literal for column '{target.Name}'.");
                }

                test = new AcceptedValuesTest { Name = name ?? $"accepted_values({target.Name})", Column = target.Name, Values = values, Path = path, Line = line };
                break;
            case "relationships":
                Allow("to", "field");
                if (options is null)
                {
                    throw Error(path, item, "relationships needs a map: relationships: {to: \"ref('dim_customers')\", field: customer_id}.");
                }

                var toNode = Optional(options, "to") ?? throw Error(path, item, "relationships needs 'to': ref('model') or source('dataset', 'table').");
                var to = ReadRelation(path, toNode);
                var field = Optional(options, "field") is { } fieldNode ? Identifier(path, fieldNode, "field") : RequireColumn();
                test = new RelationshipTest { Name = name ?? $"relationships({RequireColumn()} -> {to.Name}.{field})", Column = RequireColumn(), To = to, Field = field, Path = path, Line = line };
                break;
            case "expression":
                Allow("sql");
                var expressionNode = options is not null ? Optional(options, "sql") : argument;
                var expression = expressionNode is null ? throw Error(path, item, "expression needs the SQL: expression: \"price > 0\".") : Scalar(path, expressionNode, "expression");
                test = new ExpressionTest
                {
                    Name = name ?? $"expression({expression.Trim()})",
                    Column = column,
                    Expression = SqlTemplate.Parse(path, expression, Line(expressionNode)),
                    Severity = severity,
                    Path = path,
                    Line = line,
                };
                break;
            case "row_count":
                Allow("min", "max");
                if (options is null)
                {
                    throw Error(path, item, "row_count needs bounds: row_count: {min: 1}.");
                }

                var min = Optional(options, "min") is { } minNode ? Long(path, minNode, "min") : (long?)null;
                var max = Optional(options, "max") is { } maxNode ? Long(path, maxNode, "max") : (long?)null;
                if (min is null && max is null)
                {
                    throw Error(path, item, "row_count needs min, max or both.");
                }

                test = new RowCountTest { Name = name ?? $"row_count({(min is null ? string.Empty : $"min {min}")}{(min is not null && max is not null ? ", " : string.Empty)}{(max is null ? string.Empty : $"max {max}")})", Min = min, Max = max, Path = path, Line = line };
                break;
            case "row_count_matches":
                Allow("to", "where");
                var matchNode = options is not null ? Optional(options, "to") : argument;
                var other = matchNode is null ? throw Error(path, item, "row_count_matches needs 'to': ref('model') or source('dataset', 'table').") : ReadRelation(path, matchNode);
                var whereNode = options is null ? null : Optional(options, "where");
                test = new RowCountMatchesTest
                {
                    Name = name ?? $"row_count_matches({other.Key})",
                    To = other,
                    Where = whereNode is null ? null : SqlTemplate.Parse(path, Scalar(path, whereNode, "where"), Line(whereNode)),
                    Path = path,
                    Line = line,
                };
                break;
            case "sql":
                Allow("query");
                var queryNode = options is not null ? Optional(options, "query") : argument;
                if (queryNode is null || name is null && options is not null)
                {
                    throw Error(path, item, "sql needs a name and a query returning the failing rows: sql: {name: ..., query: \"SELECT ...\"}.");
                }

                test = new SqlTest
                {
                    Name = name ?? $"sql(line {line})",
                    Column = column,
                    Query = SqlTemplate.Parse(path, Scalar(path, queryNode, "query"), FirstContentLine(queryNode)),
                    Path = path,
                    Line = line,
                };
                break;
            default:
                throw Error(path, item, $"Unknown test '{kind}'. Tests: not_null, unique, accepted_values, relationships, expression, row_count, row_count_matches, sql.");
        }

        return test with { Severity = severity };
    }

    private static RelationRef ReadRelation(string path, YamlNode node)
    {
        var call = SqlTemplate.ParseCall(path, Scalar(path, node, "relation"), Line(node));
        return RelationOf(call) ?? throw Error(path, node, $"Expected ref('model') or source('dataset', 'table'), not {call.Name}(...).");
    }

    /// <summary>The relation a <c>ref</c> or <c>source</c> call names, or null for other calls.</summary>
    internal static RelationRef? RelationOf(TemplateCall call)
    {
        switch (call.Name)
        {
            case "ref":
                call.Expect(1, 1, "ref('model_name')");
                var model = call.String(0, "a model name");
                return IsIdentifier(model) ? new RelationRef(null, model, call.Path, call.Line) : throw call.Error($"'{model}' is not a model name.");
            case "source":
                call.Expect(2, 2, "source('dataset', 'table')");
                var dataset = call.String(0, "a dataset");
                var table = call.String(1, "a table");
                return IsIdentifier(dataset) && IsIdentifier(table)
                    ? new RelationRef(dataset, table, call.Path, call.Line)
                    : throw call.Error($"source('{dataset}', '{table}') does not name a dataset and a table.");
            default:
                return null;
        }
    }

    private static List<RelationRef> CollectReferences(SqlTemplate body, IReadOnlyList<ModelTest> tests)
    {
        var references = new List<RelationRef>();
        void FromTemplate(SqlTemplate? template)
        {
            if (template is not null)
            {
                references.AddRange(template.Calls.Select(RelationOf).OfType<RelationRef>());
            }
        }

        FromTemplate(body);
        foreach (var test in tests)
        {
            switch (test)
            {
                case RelationshipTest r:
                    references.Add(r.To);
                    break;
                case RowCountMatchesTest m:
                    references.Add(m.To);
                    FromTemplate(m.Where);
                    break;
                case ExpressionTest e:
                    FromTemplate(e.Expression);
                    break;
                case SqlTest s:
                    FromTemplate(s.Query);
                    break;
            }
        }

        return references;
    }

    private static FreshnessRule ReadFreshness(string path, YamlNode node)
    {
        var map = AsMapping(path, node, "freshness");
        RejectUnknownKeys(path, map, ["warn_after", "error_after"], "freshness");
        TimeSpan? Read(string key)
        {
            if (Optional(map, key) is not { } value)
            {
                return null;
            }

            var text = Scalar(path, value, key);
            return TryParseDuration(text) ?? throw Error(path, value, $"{key} '{text}' is not a duration such as 30m, 12h or 2d.");
        }

        var rule = new FreshnessRule(Read("warn_after"), Read("error_after"));
        return rule.WarnAfter is null && rule.ErrorAfter is null
            ? throw Error(path, node, "freshness needs warn_after, error_after or both.")
            : rule;
    }

    private static YamlMappingNode LoadMapping(string path, string text, string what)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new OpenTraceException($"Invalid YAML in the {what}: {ex.InnerException?.Message ?? ex.Message}", file: path, row: ex.Start.Line, rule: "yaml", inner: ex);
        }

        return stream.Documents.Count == 1 && stream.Documents[0].RootNode is YamlMappingNode root
            ? root
            : throw new OpenTraceException($"The {what} must be a YAML map (key: value lines).", file: path, row: 1, rule: "yaml");
    }

    private static void RejectUnknownKeys(string path, YamlMappingNode map, string[] known, string what)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value;
            if (name is null || !known.Contains(name, StringComparer.Ordinal))
            {
                throw Error(path, key, $"Unknown key '{name}' in the {what}. Known keys: {string.Join(", ", known)}.");
            }
        }
    }

    private static YamlNode? Optional(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static YamlMappingNode AsMapping(string path, YamlNode node, string what) =>
        node as YamlMappingNode ?? throw Error(path, node, $"Expected {what} as a map (key: value).");

    private static string Scalar(string path, YamlNode node, string what) =>
        node is YamlScalarNode { Value: { } value } ? value : throw Error(path, node, $"Expected a single value for {what}.");

    private static string? OptionalScalar(string path, YamlMappingNode map, string key) =>
        Optional(map, key) is { } node ? Scalar(path, node, key) : null;

    private static string RequiredScalar(string path, YamlMappingNode map, string key, string owner)
    {
        var node = Optional(map, key) ?? throw Error(path, map, $"{char.ToUpperInvariant(owner[0])}{owner[1..]} needs '{key}'.");
        var value = Scalar(path, node, key);
        return string.IsNullOrWhiteSpace(value) ? throw Error(path, node, $"'{key}' of {owner} is empty.") : value.Trim();
    }

    private static string RequiredIdentifier(string path, YamlMappingNode map, string key, string owner)
    {
        var node = Optional(map, key) ?? throw Error(path, map, $"{char.ToUpperInvariant(owner[0])}{owner[1..]} needs '{key}'.");
        return Identifier(path, node, key);
    }

    private static string Identifier(string path, YamlNode node, string what)
    {
        var value = Scalar(path, node, what);
        return IsIdentifier(value) ? value : throw Error(path, node, $"{what} '{value}' is not a valid name (a letter or '_', then letters, digits or '_').");
    }

    private static long Long(string path, YamlNode node, string what)
    {
        var text = Scalar(path, node, what);
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw Error(path, node, $"{what} '{text}' is not a whole number >= 0.");
    }

    private static bool IsNull(YamlScalarNode node) => node.Value is null or "" or "null" or "~";

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static int FirstContentLine(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Literal or ScalarStyle.Folded } ? Line(node) + 1 : Line(node);

    private static OpenTraceException Error(string path, YamlNode node, string message) =>
        new(message, file: path, row: Line(node), rule: "model");

    private static int CountLines(string text, int from, int to)
    {
        var lines = 0;
        for (var i = from; i < to; i++)
        {
            if (text[i] == '\n')
            {
                lines++;
            }
        }

        return lines;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)\s*([mhd])$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();
}
