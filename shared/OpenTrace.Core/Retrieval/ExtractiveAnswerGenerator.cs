using System.Text;
using System.Text.RegularExpressions;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// The local answer generator: no model, it quotes. Every sentence (or list item, or table row) of the retrieved
/// chunks is scored by the question's terms it contains, weighted by their rarity among the candidates (idf), with
/// a bonus for terms in the chunk's heading and a small preference for better-ranked chunks. The best sentences
/// (at most <see cref="MaxSentences"/>, each scoring at least half the best) are returned in source order, each
/// followed by its chunk's citation marker. When no sentence shares a term with the question the answer is "not
/// covered".
/// </summary>
public sealed partial class ExtractiveAnswerGenerator : IAnswerGenerator
{
    /// <summary>Most sentences in one answer.</summary>
    public const int MaxSentences = 3;

    /// <summary>Roughly the longest answer, in characters (a single best sentence is never cut).</summary>
    public const int MaxAnswerChars = 700;

    private const double HeadingWeight = 0.35;
    private const double RankDecay = 0.12;

    /// <inheritdoc />
    public string ModelId => "extractive";

    /// <inheritdoc />
    public Task<GeneratedAnswer> GenerateAsync(string question, IReadOnlyList<CorpusChunk> sources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(sources);
        return Task.FromResult(Answer(question, sources));
    }

    /// <summary>The extractive answer, synchronously.</summary>
    public static GeneratedAnswer Answer(string question, IReadOnlyList<CorpusChunk> sources)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(sources);
        var queryTerms = TextAnalyzer.Terms(question).ToHashSet(StringComparer.Ordinal);
        var candidates = new List<Candidate>();
        for (var s = 0; s < sources.Count; s++)
        {
            var headingTerms = TextAnalyzer.Terms(sources[s].Heading).ToHashSet(StringComparer.Ordinal);
            var position = 0;
            foreach (var sentence in Sentences(sources[s].Text))
            {
                candidates.Add(new Candidate(s, position++, sentence, TextAnalyzer.Terms(sentence), headingTerms));
            }
        }

        if (candidates.Count == 0 || queryTerms.Count == 0)
        {
            return new GeneratedAnswer(string.Empty, [], Covered: false);
        }

        // Rarity of each question term among the candidate sentences.
        var idf = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var term in queryTerms)
        {
            var df = candidates.Count(c => c.Terms.Contains(term));
            idf[term] = Math.Log(1 + (candidates.Count / (df + 0.5)));
        }

        foreach (var candidate in candidates)
        {
            double score = 0;
            foreach (var term in queryTerms)
            {
                var tf = candidate.Terms.Count(t => t == term);
                if (tf > 0)
                {
                    score += idf[term] * (1 + (0.2 * Math.Log(tf)));
                }
                else if (candidate.HeadingTerms.Contains(term))
                {
                    score += HeadingWeight * idf[term];
                }
            }

            candidate.Score = score / (1 + (RankDecay * candidate.Source));
        }

        var best = candidates.Max(c => c.Score);
        if (best <= 0)
        {
            return new GeneratedAnswer(string.Empty, [], Covered: false);
        }

        var chosen = new List<Candidate>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var length = 0;
        foreach (var candidate in candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Source).ThenBy(c => c.Position))
        {
            if (chosen.Count == MaxSentences || candidate.Score < best / 2)
            {
                break;
            }

            // Overlapping chunks repeat sentences; quote each once.
            if (!seen.Add(Normalise(candidate.Text)) || (chosen.Count > 0 && length + candidate.Text.Length > MaxAnswerChars))
            {
                continue;
            }

            chosen.Add(candidate);
            length += candidate.Text.Length;
        }

        var text = new StringBuilder();
        var cited = new List<string>();
        foreach (var sentence in chosen.OrderBy(c => c.Source).ThenBy(c => c.Position))
        {
            var id = sources[sentence.Source].ChunkId;
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(sentence.Text).Append(' ').Append(AnswerCitations.Marker(id));
            if (!cited.Contains(id, StringComparer.Ordinal))
            {
                cited.Add(id);
            }
        }

        return new GeneratedAnswer(text.ToString(), cited, Covered: true);
    }

    /// <summary>
    /// The quotable units of a chunk: each line of a list or table on its own (Markdown markers removed), paragraphs
    /// split into sentences; table header and separator rows and code fences are skipped.
    /// </summary>
    internal static IEnumerable<string> Sentences(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("```", StringComparison.Ordinal) || TableSeparator().IsMatch(line))
            {
                continue;
            }

            line = ListMarker().Replace(line, string.Empty);
            if (line.StartsWith('|'))
            {
                line = string.Join(" — ", line.Trim('|').Split('|').Select(c => c.Trim()).Where(c => c.Length > 0));
            }

            foreach (var sentence in MarkdownChunker.Sentences(line))
            {
                if (sentence.Any(char.IsLetterOrDigit))
                {
                    yield return sentence;
                }
            }
        }
    }

    private static string Normalise(string sentence) => string.Join(' ', TextAnalyzer.Words(sentence));

    [GeneratedRegex(@"^(?:[-*+]|\d+[.)])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"^\|?\s*:?-{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex TableSeparator();

    private sealed class Candidate(int source, int position, string text, List<string> terms, HashSet<string> headingTerms)
    {
        public int Source { get; } = source;

        public int Position { get; } = position;

        public string Text { get; } = text;

        public List<string> Terms { get; } = terms;

        public HashSet<string> HeadingTerms { get; } = headingTerms;

        public double Score { get; set; }
    }
}
