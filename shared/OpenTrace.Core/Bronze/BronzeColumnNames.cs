using System.Globalization;
using System.Text;

namespace OpenTrace.Core.Bronze;

/// <summary>
/// Turns source column names into names every warehouse accepts: ASCII letters, digits and '_' (accented Latin
/// letters lose their accents), not starting with a digit or '_' (so they never clash with lineage columns), at most
/// <see cref="MaxLength"/> characters, unique ignoring case.
/// </summary>
public static class BronzeColumnNames
{
    /// <summary>BigQuery's limit on a column name's length.</summary>
    public const int MaxLength = 300;

    // Latin-1 letters U+00C0..U+00FF without their accents; '_' for × and ÷.
    private static readonly string[] Latin1Letters =
    [
        "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
        "D", "N", "O", "O", "O", "O", "O", "_", "O", "U", "U", "U", "U", "Y", "TH", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", "_", "o", "u", "u", "u", "u", "y", "th", "y",
    ];

    /// <summary>Cleans every name of a header; the result has the same length and order.</summary>
    public static IReadOnlyList<string> FromHeader(IReadOnlyList<string> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new string[header.Count];
        for (var i = 0; i < header.Count; i++)
        {
            var name = Clean(header[i], i + 1);
            if (!taken.Add(name))
            {
                for (var n = 2; ; n++)
                {
                    var suffix = string.Create(CultureInfo.InvariantCulture, $"_{n}");
                    var candidate = (name.Length + suffix.Length > MaxLength ? name[..(MaxLength - suffix.Length)] : name) + suffix;
                    if (taken.Add(candidate))
                    {
                        name = candidate;
                        break;
                    }
                }
            }

            result[i] = name;
        }

        return result;
    }

    /// <summary>Cleans one name; <paramref name="position"/> (1-based) names a column whose header is empty.</summary>
    public static string Clean(string? name, int position)
    {
        var builder = new StringBuilder((name?.Length ?? 0) + 4);
        foreach (var c in name ?? string.Empty)
        {
            if (char.IsAsciiLetterOrDigit(c) || (c == '_' && builder.Length > 0))
            {
                builder.Append(c);
            }
            else if (c >= '\u00C0' && c <= '\u00FF')
            {
                builder.Append(Latin1Letters[c - '\u00C0']);
            }
            else if (builder.Length > 0 && builder[^1] != '_')
            {
                builder.Append('_'); // spaces, punctuation and other scripts become one separator
            }
        }

        while (builder.Length > 0 && builder[^1] == '_')
        {
            builder.Length--;
        }

        if (builder.Length == 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"column_{position}");
        }

        if (char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, "col_");
        }

        return builder.Length > MaxLength ? builder.ToString(0, MaxLength).TrimEnd('_') : builder.ToString();
    }
}
