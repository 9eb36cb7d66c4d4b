using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using OpenTrace.Core.Contracts.Expressions;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Silver;
using YamlDotNet.RepresentationModel;

namespace OpenTrace.Core.Contracts;

/// <summary>
/// Reads a contract YAML file into a <see cref="DataContract"/>, checking everything that can be checked without
/// data: names, types, formats, zones, rule arguments (parsed as the column's type), regular expressions and
/// expressions. Any problem throws <see cref="ContractException"/> naming the file, line and field.
/// </summary>
/// <remarks>
/// Implied rules are added: <c>not_null</c> (severity drop) for key columns and columns with <c>nullable: false</c>
/// unless the contract declares one; <c>type(column)</c> for every non-text column, with the column's
/// <c>invalid</c> severity; and <c>row_issue</c> with <c>ragged_rows</c>.
/// </remarks>
public static partial class ContractLoader
{
    private static readonly string[] TopKeys = ["description", "match", "primary_key", "order_by", "columns", "rules", "drift", "ragged_rows"];
    private static readonly string[] ColumnKeys =
        ["name", "source", "type", "nullable", "required", "trim", "case", "empty_as_null", "map", "default", "formats", "time_zone", "invalid", "pii", "mask_keep_last", "description"];

    private static readonly string[] CommonRuleKeys = ["rule", "name", "severity", "threshold", "description"];

    private static readonly Dictionary<string, RuleSeverity> Severities = new(StringComparer.Ordinal)
    {
        ["warn"] = RuleSeverity.Warn,
        ["drop"] = RuleSeverity.Drop,
        ["fail"] = RuleSeverity.Fail,
    };

    private static readonly Dictionary<string, TextCase> Cases = new(StringComparer.Ordinal)
    {
        ["none"] = TextCase.None,
        ["lower"] = TextCase.Lower,
        ["upper"] = TextCase.Upper,
    };

    private static readonly Dictionary<string, PiiPolicy> PiiPolicies = new(StringComparer.Ordinal)
    {
        ["none"] = PiiPolicy.None,
        ["pseudonymize"] = PiiPolicy.Pseudonymize,
        ["mask"] = PiiPolicy.Mask,
        ["drop"] = PiiPolicy.Drop,
        ["scrub"] = PiiPolicy.Scrub,
    };

    private static readonly Dictionary<string, AdditiveColumnPolicy> AdditivePolicies = new(StringComparer.Ordinal)
    {
        ["carry"] = AdditiveColumnPolicy.Carry,
        ["ignore"] = AdditiveColumnPolicy.Ignore,
        ["fail"] = AdditiveColumnPolicy.Fail,
    };

    private static readonly Dictionary<string, RuleKind> Kinds = new(StringComparer.Ordinal)
    {
        ["not_null"] = RuleKind.NotNull,
        ["unique"] = RuleKind.Unique,
        ["accepted_values"] = RuleKind.AcceptedValues,
        ["range"] = RuleKind.Range,
        ["regex"] = RuleKind.Regex,
        ["expression"] = RuleKind.Expression,
        ["relationships"] = RuleKind.Relationships,
    };

    /// <summary>Reads and checks the contract file of <paramref name="route"/> at <paramref name="path"/>.</summary>
    public static DataContract Load(string path, TableRoute route)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException ex)
        {
            throw new ContractException($"cannot read the contract: {ex.Message}", path, 0, 0, null, ex);
        }

        return Parse(text, path, route);
    }

    /// <summary>Parses contract YAML; <paramref name="path"/> is only used in messages.</summary>
    public static DataContract Parse(string yaml, string path, TableRoute route)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(route);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new ContractException($"invalid YAML: {InnermostMessage(ex)}", path, (int)ex.Start.Line, (int)ex.Start.Column, null, ex);
        }

        if (stream.Documents.Count == 0)
        {
            throw new ContractException("the contract is empty; it needs at least 'columns'.", path, 1, 1, null);
        }

        var top = new YamlFields(path, string.Empty, stream.Documents[0].RootNode);
        var columns = ReadColumns(top);
        var byName = columns.Select((c, i) => (c.Column, Ordinal: i)).ToDictionary(c => c.Column.Name, c => c, StringComparer.OrdinalIgnoreCase);

        var primaryKey = new List<string>();
        foreach (var (name, node) in top.Strings("primary_key"))
        {
            var column = Resolve(top, byName, name, node, "primary_key");
            if (column.Pii == PiiPolicy.Drop)
            {
                throw top.Error(node, "primary_key", $"'{name}' is a key column, so it cannot have pii: drop.");
            }

            if (primaryKey.Contains(column.Name, StringComparer.Ordinal))
            {
                throw top.Error(node, "primary_key", $"'{name}' is listed twice.");
            }

            primaryKey.Add(column.Name);
        }

        string? orderBy = null;
        if (top.String("order_by") is { } orderName)
        {
            var column = Resolve(top, byName, orderName, top.At("order_by"), "order_by");
            if (primaryKey.Count == 0)
            {
                throw top.Error("order_by", "order_by decides which row of a key is the latest, so it needs a primary_key.");
            }

            if (column.Type.Kind == ContractTypeKind.Bool)
            {
                throw top.Error("order_by", $"'{orderName}' is a bool; order rows by a number, date, timestamp or text column.");
            }

            orderBy = column.Name;
        }

        var drift = top.Mapping("drift");
        var additive = drift?.Choice("additive", AdditiveColumnPolicy.Carry, AdditivePolicies) ?? AdditiveColumnPolicy.Carry;
        drift?.RejectUnknown(["additive"]);
        var ragged = top.Choice("ragged_rows", RuleSeverity.Drop, Severities);

        var declared = top.Mappings("rules");
        var declaredRules = declared.Select(fields => ReadRule(fields, byName, route)).ToList();
        var rules = new List<ContractRule>(declaredRules);
        AddImpliedRules(columns.Select(c => c.Column).ToList(), primaryKey, ragged, rules);
        var duplicate = rules.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            var index = declaredRules.FindLastIndex(r => r.Name == duplicate.Key);
            throw top.Error(declared[index].Node, declared[index].Path, $"two rules are named '{duplicate.Key}'; give one a 'name:'.");
        }

        var match = top.Strings("match").Select(m => m.Text).ToList();
        var description = top.String("description");
        top.RejectUnknown(TopKeys);
        return new DataContract
        {
            Route = route,
            SourcePath = path,
            Fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(yaml)))[..16],
            Description = description,
            Match = match,
            Columns = columns.Select(c => c.Column).ToList(),
            PrimaryKey = primaryKey,
            OrderBy = orderBy,
            Rules = rules,
            AdditiveColumns = additive,
            RaggedRows = ragged,
        };
    }

    private static List<(ContractColumn Column, YamlFields Fields)> ReadColumns(YamlFields top)
    {
        var list = top.Mappings("columns");
        if (list.Count == 0)
        {
            throw top.Error("columns", "the contract needs 'columns': a list with at least one column.");
        }

        var columns = new List<(ContractColumn, YamlFields)>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var sources = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var fields in list)
        {
            var column = ReadColumn(fields);
            if (!names.Add(column.Name))
            {
                throw fields.Error("name", $"column '{column.Name}' is declared twice.");
            }

            if (!sources.Add(column.Source))
            {
                throw fields.Error(fields.Has("source") ? "source" : "name", $"source column '{column.Source}' is read by two columns.");
            }

            columns.Add((column, fields));
        }

        return columns;
    }

    private static ContractColumn ReadColumn(YamlFields fields)
    {
        var name = fields.RequiredString("name");
        if (!ColumnName().IsMatch(name))
        {
            throw fields.Error("name", $"'{name}' is not a valid column name (letters, digits and '_', not starting with a digit or '_').");
        }

        var source = fields.String("source") ?? name;
        var typeText = fields.String("type") ?? "string";
        var type = ContractType.TryParse(typeText, out var typeError) ?? throw fields.Error("type", typeError!);

        var formats = fields.Strings("formats");
        if (formats.Count > 0)
        {
            if (type.Kind is not (ContractTypeKind.Date or ContractTypeKind.Timestamp))
            {
                throw fields.Error("formats", $"formats apply to date and timestamp columns, and '{name}' is {type}.");
            }

            foreach (var (format, node) in formats)
            {
                try
                {
                    _ = DateTime.MinValue.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (FormatException)
                {
                    throw fields.Error(node, fields.FieldPath("formats"), $"'{format}' is not a .NET date and time format such as yyyy-MM-dd HH:mm:ss.");
                }
            }

            type = type with { Formats = formats.Select(f => f.Text).ToList() };
        }

        if (fields.String("time_zone") is { } zoneId)
        {
            if (type.Kind != ContractTypeKind.Timestamp)
            {
                throw fields.Error("time_zone", $"time_zone applies to timestamp columns, and '{name}' is {type}.");
            }

            try
            {
                type = type with { TimeZone = TimeZoneInfo.FindSystemTimeZoneById(zoneId) };
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                throw fields.Error("time_zone", $"unknown time zone '{zoneId}'; use an IANA name such as America/Sao_Paulo or UTC.");
            }
        }

        var textCase = fields.Choice("case", TextCase.None, Cases);
        if (textCase != TextCase.None && type.Kind != ContractTypeKind.String)
        {
            throw fields.Error("case", $"case applies to string columns, and '{name}' is {type}.");
        }

        var pii = fields.Choice("pii", PiiPolicy.None, PiiPolicies);
        if (pii is PiiPolicy.Pseudonymize or PiiPolicy.Mask or PiiPolicy.Scrub && type.Kind != ContractTypeKind.String)
        {
            throw fields.Error("pii", $"pii: {pii.ToString().ToLowerInvariant()} needs a string column, and '{name}' is {type}.");
        }

        var maskKeepLast = fields.Int("mask_keep_last", 0, 0);
        if (fields.Has("mask_keep_last") && pii != PiiPolicy.Mask)
        {
            throw fields.Error("mask_keep_last", "mask_keep_last applies only with pii: mask.");
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (fields.Mapping("map") is { } mapFields)
        {
            foreach (var (key, value) in ((YamlMappingNode)mapFields.Node).Children)
            {
                var from = mapFields.ScalarText(key, mapFields.Path) ?? string.Empty;
                var to = mapFields.ScalarText(value, $"{mapFields.Path}.{from}")
                    ?? throw mapFields.Error(value, $"{mapFields.Path}.{from}", "a map target cannot be null; use 'default' for missing values.");
                map[from] = to;
            }
        }

        var defaultText = fields.String("default");
        if (defaultText is not null && type.Kind != ContractTypeKind.String && !ValueParser.ForLiterals(type).TryParseText(defaultText, out _))
        {
            throw fields.Error("default", $"default '{defaultText}' is not a valid {type}.");
        }

        var column = new ContractColumn
        {
            Name = name,
            Source = source,
            Type = type,
            Nullable = fields.Bool("nullable", true),
            Required = fields.Bool("required", true),
            Trim = fields.Bool("trim", true),
            Case = textCase,
            EmptyAsNull = fields.Bool("empty_as_null", true),
            Map = map,
            Default = defaultText,
            Invalid = fields.Choice("invalid", RuleSeverity.Drop, Severities),
            Pii = pii,
            MaskKeepLast = maskKeepLast,
            Description = fields.String("description"),
        };
        fields.RejectUnknown(ColumnKeys);
        return column;
    }

    private static ContractRule ReadRule(YamlFields fields, Dictionary<string, (ContractColumn Column, int Ordinal)> byName, TableRoute route)
    {
        var kindText = fields.RequiredString("rule");
        if (!Kinds.TryGetValue(kindText.Trim().ToLowerInvariant(), out var kind))
        {
            throw fields.Error("rule", $"unknown rule '{kindText}'; expected one of {string.Join(", ", Kinds.Keys)}.");
        }

        var severity = fields.Choice("severity", kind == RuleKind.Relationships ? RuleSeverity.Warn : RuleSeverity.Drop, Severities);
        var threshold = ReadThreshold(fields, severity);
        var known = new List<string>(CommonRuleKeys);
        var rule = kind switch
        {
            RuleKind.NotNull => OneColumnRule(fields, byName, kind, known),
            RuleKind.Unique => UniqueRule(fields, byName, known),
            RuleKind.AcceptedValues => AcceptedValuesRule(fields, byName, known),
            RuleKind.Range => RangeRule(fields, byName, known),
            RuleKind.Regex => RegexRule(fields, byName, known),
            RuleKind.Expression => ExpressionRule(fields, byName, known),
            _ => RelationshipsRule(fields, byName, route, known),
        };

        if (kind == RuleKind.Relationships && severity != RuleSeverity.Warn)
        {
            throw fields.Error("severity", "relationships are checked in the warehouse after the rows are published (files of related tables arrive in any order), so their severity can only be warn.");
        }

        rule = rule with
        {
            Severity = severity,
            Threshold = threshold,
            Name = fields.String("name") ?? rule.Name,
            Description = fields.String("description"),
        };
        fields.RejectUnknown(known);
        return rule;
    }

    private static RuleThreshold ReadThreshold(YamlFields fields, RuleSeverity severity)
    {
        var text = fields.String("threshold");
        if (text is null)
        {
            return RuleThreshold.None;
        }

        if (severity != RuleSeverity.Fail)
        {
            throw fields.Error("threshold", "a threshold applies to severity fail (the file fails only when violations exceed it).");
        }

        var trimmed = text.Trim();
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (trimmed.EndsWith('%')
            && double.TryParse(trimmed[..^1], System.Globalization.NumberStyles.Float, invariant, out var percent)
            && percent is >= 0 and <= 100)
        {
            return new RuleThreshold(null, percent / 100);
        }

        if (long.TryParse(trimmed, System.Globalization.NumberStyles.None, invariant, out var rows))
        {
            return new RuleThreshold(rows, null);
        }

        throw fields.Error("threshold", $"'{text}' is not a threshold; write a percentage of the rows checked (5%) or a number of rows (10).");
    }

    private static ContractRule OneColumnRule(YamlFields fields, Dictionary<string, (ContractColumn Column, int Ordinal)> byName, RuleKind kind, List<string> known)
    {
        known.Add("column");
        var column = Resolve(fields, byName, fields.RequiredString("column"), fields.At("column"), fields.FieldPath("column"));
        return new ContractRule
        {
            Kind = kind,
            Name = $"{ContractRule.KindName(kind)}({column.Name})",
            Severity = RuleSeverity.Drop,
            Columns = [column.Name],
        };
    }

    private static ContractRule UniqueRule(YamlFields fields, Dictionary<string, (ContractColumn Column, int Ordinal)> byName, List<string> known)
    {
        known.AddRange(["column", "columns"]);
        var names = fields.Has("columns") ? fields.Strings("columns") : fields.Strings("column");
        if (names.Count == 0)
        {
            throw fields.Error("columns", "unique needs 'column' or 'columns'.");
        }

        var columns = names.Select(n => Resolve(fields, byName, n.Text, n.Node, fields.FieldPath("columns")).Name).ToList();
        return new ContractRule
        {
            Kind = RuleKind.Unique,
            Name = $"unique({string.Join(",", columns)})",
            Severity = RuleSeverity.Drop,
            Columns = columns,
        };
    }

    private static ContractRule AcceptedValuesRule(YamlFields fields, Dictionary<string, (ContractColumn Column, int Ordinal)> byName, List<string> known)
    {
        var rule = OneColumnRule(fields, byName, RuleKind.AcceptedValues, known);
        known.Add("values");
        var values = fields.Strings("values");
        if (values.Count == 0)
        {
            throw fields.Error("values", "accepted_values needs 'values': a list of at least one value.");
        }

        var column = byName[rule.Column!].Column;
        var parser = column.Type.Kind == ContractTypeKind.String ? null : ValueParser.ForLiterals(column.Type);
        foreach (var (value, node) in values)
        {
            if (parser is not null && !parser.TryParseText(value, out _))
            {
                throw fields.Error(node, fields.FieldPath("values"), $"'{value}' is not a valid {column.Type} for column '{column.Name}'.");
            }
        }

        return rule with { Values = values.Select(v => v.Text).ToList() };
    }

    private static ContractRule RangeRule(YamlFields fields, Dictionary<string, (ContractColumn Column, int Ordinal)> byName, List<string> known)
    {
        var rule = OneColumnRule(fields, byName, RuleKind.Range, known);
        known.AddRange(["min", "max", "min_exclusive", "max_exclusive"]);
        var column = byName[rule.Column!].Column;
        if (column.Type.Kind is ContractTypeKind.String or ContractTypeKind.Bool)
        {
            throw fields.Error("column", $"range needs a number, date or timestamp column, and '{column.Name}' is {column.Type}; use accepted_values or regex for text.");
        }

        var min = fields.String("min");
        var max = fields.String("max");
        if (min is null && max is null)
        {
            throw fields.Error("min", "range needs 'min', 'max' or both.");
        }

        var parser = ValueParser.ForLiterals(column.Type);
        ExpressionValue low = default, high = default;
        foreach (var (key, text) in new[] { ("min", min), ("max", max) })
        {
            if (text is not null && !parser.TryParseText(text, out var parsed))
            {
                throw fields.Error(key, $"'{text}' is not a valid {column.Type} for column '{column.Name}'.");
            }
            else if (text is not null)
            {
                _ = parser.TryParseText(text, out parsed);
                if (key == "min")
                {
                    low = parsed;
                }
                else
                {
                    high = parsed;
                }
            }
        }

        if (!low.IsNull && !high.IsNull && ExpressionValue.Compare(low, high) > 0)
        {
            throw fields.Error("max", $"max {max} is below min {min}.");
        }

        return rule with
        {
            Min = min,
            Max = max,
            MinExclusive = fields.Bool("min_exclusive", false),
            MaxExclusive = fields.Bool("max_exclusive", false),
        };
    }

    private static ContractRule RegexRule(YamlFields fields, Dictionary<string, (ContractColumn Column, int Ordinal)> byName, List<string> known)
    {
        var rule = OneColumnRule(fields, byName, RuleKind.Regex, known);
        known.Add("pattern");
        var column = byName[rule.Column!].Column;
        if (column.Type.Kind != ContractTypeKind.String)
        {
            throw fields.Error("column", $"regex needs a string column, and '{column.Name}' is {column.Type}.");
        }

        var pattern = fields.RequiredString("pattern");
        try
        {
            // Non-backtracking: linear time whatever the pattern and input, so a contract cannot stall the pipeline.
            var regex = new Regex($@"\A(?:{pattern})\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            return rule with { Pattern = regex };
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            throw fields.Error("pattern", $"'{pattern}' is not a usable regular expression: {ex.Message} (backreferences and lookarounds are not supported).");
        }
    }

    private static ContractRule ExpressionRule(YamlFields fields, Dictionary<string, (ContractColumn Column, int Ordinal)> byName, List<string> known)
    {
        known.Add("expression");
        var text = fields.RequiredString("expression");
        ContractExpression expression;
        try
        {
            expression = ExpressionParser.Parse(text, name =>
            {
                if (!byName.TryGetValue(name, out var found))
                {
                    return null;
                }

                return new ExpressionColumn(found.Ordinal, ValueParser.KindOf(found.Column.Type));
            });
        }
        catch (ExpressionException ex)
        {
            var node = fields.At("expression");
            throw new ContractException($"expression '{text}': {ex.Message}", fields.File, (int)node.Start.Line, (int)node.Start.Column + ex.Position, fields.FieldPath("expression"), ex);
        }

        var dropped = expression.Columns.Select(c => byName[c].Column).FirstOrDefault(c => c.Pii == PiiPolicy.Drop);
        if (dropped is not null)
        {
            throw fields.Error("expression", $"the expression reads '{dropped.Name}', which has pii: drop.");
        }

        return new ContractRule
        {
            Kind = RuleKind.Expression,
            Name = $"expression({text.Trim()})",
            Severity = RuleSeverity.Drop,
            Columns = expression.Columns.Select(c => byName[c].Column.Name).ToList(),
            Expression = expression,
        };
    }

    private static ContractRule RelationshipsRule(YamlFields fields, Dictionary<string, (ContractColumn Column, int Ordinal)> byName, TableRoute route, List<string> known)
    {
        var rule = OneColumnRule(fields, byName, RuleKind.Relationships, known);
        known.AddRange(["to", "field"]);
        var to = fields.RequiredString("to").Trim();
        var parts = to.Split('/');
        var target = parts.Length switch
        {
            1 => new TableRoute(route.Domain, parts[0]),
            2 => new TableRoute(parts[0], parts[1]),
            _ => null,
        };
        if (target is null || !TableRouter.IsIdentifier(target.Domain) || !TableRouter.IsIdentifier(target.Table))
        {
            throw fields.Error("to", $"'{to}' is not a table; write 'table' (same domain) or 'domain/table'.");
        }

        var field = fields.String("field") ?? rule.Column!;
        if (!ColumnName().IsMatch(field))
        {
            throw fields.Error("field", $"'{field}' is not a valid column name.");
        }

        return rule with
        {
            Name = $"relationships({rule.Column} -> {target.Table}.{field})",
            ToTable = target,
            ToColumn = field,
        };
    }

    private static void AddImpliedRules(List<ContractColumn> columns, List<string> primaryKey, RuleSeverity ragged, List<ContractRule> rules)
    {
        var implied = new List<ContractRule>
        {
            new()
            {
                Kind = RuleKind.RowIssue,
                Name = "row_issue",
                Severity = ragged,
                Description = "Bronze kept a row whose field count did not match the header.",
            },
        };
        foreach (var column in columns)
        {
            if (column.Type.Kind != ContractTypeKind.String)
            {
                implied.Add(new ContractRule
                {
                    Kind = RuleKind.Type,
                    Name = $"type({column.Name})",
                    Severity = column.Invalid,
                    Columns = [column.Name],
                    Description = $"The value parses as {column.Type}.",
                });
            }

            var mustHaveValue = !column.Nullable || primaryKey.Contains(column.Name, StringComparer.Ordinal);
            if (mustHaveValue && !rules.Any(r => r.Kind == RuleKind.NotNull && r.Column == column.Name))
            {
                implied.Add(new ContractRule
                {
                    Kind = RuleKind.NotNull,
                    Name = $"not_null({column.Name})",
                    Severity = RuleSeverity.Drop,
                    Columns = [column.Name],
                    Description = primaryKey.Contains(column.Name, StringComparer.Ordinal) ? "Key columns always have a value." : "Declared nullable: false.",
                });
            }
        }

        rules.InsertRange(0, implied);
    }

    private static ContractColumn Resolve(YamlFields fields, Dictionary<string, (ContractColumn Column, int Ordinal)> byName, string name, YamlNode node, string field) =>
        byName.TryGetValue(name.Trim(), out var found)
            ? found.Column
            : throw fields.Error(node, field, $"'{name}' is not a declared column; declared: {string.Join(", ", byName.Values.Select(c => c.Column.Name))}.");

    private static string InnermostMessage(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }

        return ex.Message;
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ColumnName();
}
