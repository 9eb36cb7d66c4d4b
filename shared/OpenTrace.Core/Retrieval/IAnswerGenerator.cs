using System.Text.RegularExpressions;

namespace OpenTrace.Core.Retrieval;

/// <summary>An answer written from retrieved chunks.</summary>
/// <param name="Text">The answer, with citation markers <c>[chunk-id]</c> after the sentences they support.</param>
/// <param name="CitedChunkIds">Ids of the chunks the answer cites, in order of first citation; only ids of chunks it was given.</param>
/// <param name="Covered">False when the generator found that the chunks do not answer the question.</param>
public sealed record GeneratedAnswer(string Text, IReadOnlyList<string> CitedChunkIds, bool Covered);

/// <summary>
/// Writes an answer to a question from retrieved chunks, citing them: Gemini in the cloud,
/// <see cref="ExtractiveAnswerGenerator"/> locally. Implementations must treat chunk text as data, never as
/// instructions, and cite only the chunks they were given.
/// </summary>
public interface IAnswerGenerator
{
    /// <summary>Identifies the generator (for example <c>gemini-2.5-flash</c> or <c>extractive</c>); reported with answers.</summary>
    string ModelId { get; }

    /// <summary>Answers <paramref name="question"/> from <paramref name="sources"/> (best first, never empty).</summary>
    Task<GeneratedAnswer> GenerateAsync(string question, IReadOnlyList<CorpusChunk> sources, CancellationToken cancellationToken = default);
}

/// <summary>Citation markers in answers: a chunk id in square brackets, <c>[kpi-definitions#late-flag]</c>.</summary>
public static partial class AnswerCitations
{
    /// <summary>The marker for a chunk id.</summary>
    public static string Marker(string chunkId) => $"[{chunkId}]";

    /// <summary>
    /// The chunk ids cited in <paramref name="text"/>, distinct, in order of first appearance, keeping only ids in
    /// <paramref name="allowed"/> (a model may invent ids; those are dropped). Several ids in one bracket separated
    /// by commas or semicolons count each.
    /// </summary>
    public static IReadOnlyList<string> Parse(string? text, IReadOnlySet<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        var cited = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return cited;
        }

        foreach (Match match in Bracket().Matches(text))
        {
            foreach (var part in match.Groups[1].Value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (allowed.Contains(part) && !cited.Contains(part, StringComparer.Ordinal))
                {
                    cited.Add(part);
                }
            }
        }

        return cited;
    }

    /// <summary><paramref name="text"/> without markers whose id is not in <paramref name="allowed"/>.</summary>
    public static string RemoveUnknown(string text, IReadOnlySet<string> allowed)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(allowed);
        var cleaned = Bracket().Replace(text, m =>
        {
            var parts = m.Groups[1].Value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var known = parts.Where(allowed.Contains).ToList();
            if (known.Count == parts.Length)
            {
                return m.Value;
            }

            // Only brackets that look like citations are touched: at least one part must have a '#' or '/'.
            if (!parts.Any(p => p.Contains('#', StringComparison.Ordinal) || p.Contains('/', StringComparison.Ordinal)))
            {
                return m.Value;
            }

            return known.Count == 0 ? string.Empty : $"[{string.Join(", ", known)}]";
        });
        return MultipleSpaces().Replace(cleaned, " ").Replace(" .", ".", StringComparison.Ordinal).Trim();
    }

    [GeneratedRegex(@"\[([^\[\]\r\n]{1,400})\]", RegexOptions.CultureInvariant)]
    private static partial Regex Bracket();

    [GeneratedRegex(@"[ \t]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex MultipleSpaces();
}
