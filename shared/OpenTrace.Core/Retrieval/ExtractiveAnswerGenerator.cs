using System.Text;
using System.Text.RegularExpressions;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// The local answer generator: no model, it quotes. Every sentence (or list item, or table row) of the retrieved
/// chunks is scored by the question's terms it contains, weighted by their rarity among the candidates (idf); a term
/// present only as a synonym of the same concept (<c>delayed</c> for <c>late</c>) counts for less, terms in the
/// chunk's heading add a bonus, and better-ranked chunks are slightly preferred. The best sentences
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
    private const double ConceptWeight = 0.6;
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
            var concept = ConceptLexicon.ConceptOf(term);
            var df = candidates.Count(c => c.Terms.Contains(term) || (concept is not null && c.Concepts.Contains(concept)));
            idf[term] = Math.Log(1 + (candidates.Count / (df + 0.5)));
        }

        foreach (var candidate in candidates)
        {
            double score = 0;
            double heading = 0;
            foreach (var term in queryTerms)
            {
                var tf = candidate.Terms.Count(t => t == term);
                if (tf > 0)
                {
                    score += idf[term] * (1 + (0.2 * Math.Log(tf)));
                }
                else if (ConceptLexicon.ConceptOf(term) is { } concept && candidate.Concepts.Contains(concept))
                {
                    score += ConceptWeight * idf[term];
                }
                else if (candidate.HeadingTerms.Contains(term))
                {
                    heading += HeadingWeight * idf[term];
                }
            }

            candidate.Direct = score > 0;
            candidate.Score = (score + heading) / (1 + (RankDecay * candidate.Source));
        }

        // Quote sentences that themselves share a term with the question, when there are any; the heading alone is
        // weaker evidence.
        if (candidates.Any(c => c.Direct))
        {
            candidates.RemoveAll(c => !c.Direct);
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
    /// The quotable units of a chunk: each list item and table row on its own (Markdown markers removed), paragraphs
    /// (whose lines are joined, since documents wrap them) split into sentences; table separator rows and code are
    /// skipped.
    /// </summary>
    internal static IEnumerable<string> Sentences(string text)
    {
        foreach (var unit in Units(text))
        {
            var line = ListMarker().Replace(unit, string.Empty);
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

    // Paragraphs and list items with their wrapped lines joined; table rows one by one; code left out.
    private static IEnumerable<string> Units(string text)
    {
        var unit = new StringBuilder();
        var inCode = false;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }

            var startsUnit = line.Length == 0 || inCode || line.StartsWith('|') || ListMarker().IsMatch(line);
            if (startsUnit && unit.Length > 0)
            {
                yield return unit.ToString();
                unit.Clear();
            }

            if (line.Length == 0 || inCode || TableSeparator().IsMatch(line))
            {
                continue; // code is not quoted as prose
            }

            if (line.StartsWith('|'))
            {
                yield return line;
                continue;
            }

            unit.Append(unit.Length == 0 ? string.Empty : " ").Append(line);
        }

        if (unit.Length > 0)
        {
            yield return unit.ToString();
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

        public HashSet<string> Concepts { get; } = terms.Select(ConceptLexicon.ConceptOf).OfType<string>().ToHashSet(StringComparer.Ordinal);

        public double Score { get; set; }

        public bool Direct { get; set; }
    }
}
