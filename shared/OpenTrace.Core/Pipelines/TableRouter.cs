using System.Text.RegularExpressions;

namespace OpenTrace.Core.Pipelines;

/// <summary>Which domain table a dropped file belongs to.</summary>
/// <param name="Domain">Domain, e.g. <c>olist</c>.</param>
/// <param name="Table">Table, e.g. <c>orders</c>.</param>
public sealed record TableRoute(string Domain, string Table)
{
    /// <summary><c>domain/table</c>.</summary>
    public override string ToString() => $"{Domain}/{Table}";
}

/// <summary>A filename glob a contract declares, routing matching files to its table.</summary>
/// <param name="Glob">The glob: <c>*</c> and <c>?</c> within a path segment, <c>**</c> across segments.</param>
/// <param name="Route">The table it routes to.</param>
public sealed record TableMatch(string Glob, TableRoute Route);

/// <summary>
/// Routes an object in the bronze bucket to a table: <c>&lt;domain&gt;/&lt;table&gt;/...</c> first, then the
/// contracts' filename globs (matched against the whole object name, and against its file name).
/// </summary>
public sealed partial class TableRouter
{
    private readonly List<(Regex Pattern, TableMatch Match)> _matches;

    /// <summary>Creates a router over contract globs (empty: path routing only).</summary>
    public TableRouter(IEnumerable<TableMatch> matches)
    {
        ArgumentNullException.ThrowIfNull(matches);
        _matches = matches.Select(m => (GlobToRegex(m.Glob), m)).ToList();
    }

    /// <summary>The globs this router knows.</summary>
    public IReadOnlyList<TableMatch> Matches => _matches.Select(m => m.Match).ToList();

    /// <summary>True for a valid domain or table name: lower-case letter, then lower-case letters, digits or '_'.</summary>
    public static bool IsIdentifier(string value) => IdentifierPattern().IsMatch(value);

    /// <summary>Routes <paramref name="objectName"/>, or returns null when neither the path nor a glob says where it goes.</summary>
    public TableRoute? Route(string objectName)
    {
        ArgumentNullException.ThrowIfNull(objectName);
        var segments = objectName.Split('/');
        if (segments.Length >= 3 && IsIdentifier(segments[0]) && IsIdentifier(segments[1]) && segments[^1].Length > 0)
        {
            return new TableRoute(segments[0], segments[1]);
        }

        var fileName = segments[^1];
        foreach (var (pattern, match) in _matches)
        {
            if (pattern.IsMatch(objectName) || pattern.IsMatch(fileName))
            {
                return match.Route;
            }
        }

        return null;
    }

    /// <summary>Explains how to name a file so it routes, for quarantine reasons.</summary>
    public static string RoutingHint =>
        "Put it under <domain>/<table>/ (lower-case names, e.g. olist/orders/2024-01.csv), or name it to match a contract's 'match' glob.";

    internal static Regex GlobToRegex(string glob)
    {
        ArgumentException.ThrowIfNullOrEmpty(glob);
        var pattern = new System.Text.StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                pattern.Append(".*");
                i++;
                if (i + 1 < glob.Length && glob[i + 1] == '/')
                {
                    i++;
                    pattern.Append("(?:/)?");
                }
            }
            else if (c == '*')
            {
                pattern.Append("[^/]*");
            }
            else if (c == '?')
            {
                pattern.Append("[^/]");
            }
            else
            {
                pattern.Append(Regex.Escape(c.ToString()));
            }
        }

        pattern.Append('$');
        return new Regex(pattern.ToString(), RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
    }

    [GeneratedRegex("^[a-z][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
