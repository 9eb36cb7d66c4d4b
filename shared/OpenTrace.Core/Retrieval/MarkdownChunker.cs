using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// Splits a Markdown document into chunks by heading and paragraph. Every heading starts a section; a section's
/// blocks (paragraphs, list items, table rows, fenced code) are packed into chunks of at most
/// <see cref="MaxWords"/> words, and each further chunk of a section repeats the trailing blocks of the one before,
/// up to <see cref="OverlapWords"/> words, so a fact on a boundary is whole in at least one chunk. A block longer
/// than the limit is split by sentence. Tables repeat their header row in every chunk. Personal data is masked.
/// </summary>
public sealed partial class MarkdownChunker
{
    /// <summary>Separator of the heading path.</summary>
    public const string HeadingSeparator = " › ";

    /// <summary>Creates a chunker; <paramref name="maxWords"/> defaults to 120 words and <paramref name="overlapWords"/> to 30.</summary>
    public MarkdownChunker(int maxWords = 120, int overlapWords = 30)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWords, 20);
        ArgumentOutOfRangeException.ThrowIfNegative(overlapWords);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlapWords, maxWords);
        MaxWords = maxWords;
        OverlapWords = overlapWords;
    }

    /// <summary>Most words in one chunk (a single sentence longer than this stays whole).</summary>
    public int MaxWords { get; }

    /// <summary>Most words a chunk repeats from the previous chunk of the same section.</summary>
    public int OverlapWords { get; }

    /// <summary>
    /// Chunks one document. <paramref name="document"/> is its path under the docs folder (for example
    /// <c>kpi-definitions.md</c>); the lineage id of every chunk is the hash of <paramref name="markdown"/>.
    /// </summary>
    public IReadOnlyList<CorpusChunk> Chunk(string document, string markdown)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(document);
        ArgumentNullException.ThrowIfNull(markdown);
        var lineageId = CorpusChunk.HashHex(markdown);
        var stem = Slug(Path.ChangeExtension(document.Replace('\\', '/'), null) ?? document, keepSlashes: true);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ChunkMetadata.Kind] = ChunkMetadata.KindDoc,
            [ChunkMetadata.Document] = document,
        };

        var chunks = new List<CorpusChunk>();
        var usedIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var section in Sections(markdown))
        {
            var pieces = Pack(section.Blocks);

            // The path below the document title names the section: data-dictionary#orders-order-status.
            var named = section.Path.Count > 1 ? section.Path.Skip(1) : section.Path;
            var slug = Slug(string.Join(' ', named), keepSlashes: false);
            var sectionId = $"{stem}#{(slug.Length == 0 ? "intro" : slug)}";
            for (var n = 2; pieces.Count > 0 && usedIds.Contains(sectionId); n++)
            {
                sectionId = string.Create(CultureInfo.InvariantCulture, $"{stem}#{slug}-{n}");
            }

            for (var i = 0; i < pieces.Count; i++)
            {
                var id = i == 0 ? sectionId : string.Create(CultureInfo.InvariantCulture, $"{sectionId}.{i + 1}");
                usedIds.Add(id);
                chunks.Add(new CorpusChunk(id, document, string.Join(HeadingSeparator, section.Path), PiiScrubber.Scrub(pieces[i])!, lineageId, metadata));
            }
        }

        return chunks;
    }

    /// <summary>Lower-case ASCII letters, digits and hyphens (slashes kept when asked); accents folded.</summary>
    public static string Slug(string text, bool keepSlashes)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slug = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var f = TextAnalyzer.Fold(c);
            if (char.IsAsciiLetterOrDigit(f) || f == '_' || (keepSlashes && f == '/'))
            {
                slug.Append(f);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }
        }

        return slug.ToString().Trim('-');
    }

    private List<string> Pack(List<Block> blocks)
    {
        // Units: blocks small enough to pack, long blocks cut into sentences.
        var units = new List<Block>();
        foreach (var block in blocks)
        {
            if (block.Words <= MaxWords || block.TableHeader is not null)
            {
                units.Add(block);
                continue;
            }

            foreach (var sentence in Sentences(block.Text))
            {
                units.Add(new Block(sentence, WordCount(sentence), null, Separator: " "));
            }
        }

        var chunks = new List<string>();
        var start = 0;
        while (start < units.Count)
        {
            var end = start;
            var words = 0;
            while (end < units.Count && (end == start || words + units[end].Words <= MaxWords))
            {
                words += units[end].Words;
                end++;
            }

            chunks.Add(Render(units, start, end));
            if (end >= units.Count)
            {
                break;
            }

            // Step back over trailing units that fit in the overlap, but always move forward.
            var next = end;
            var overlap = 0;
            while (next - 1 > start && overlap + units[next - 1].Words <= OverlapWords)
            {
                overlap += units[next - 1].Words;
                next--;
            }

            start = next;
        }

        return chunks;
    }

    private static string Render(List<Block> units, int start, int end)
    {
        var text = new StringBuilder();
        string? header = null;
        for (var i = start; i < end; i++)
        {
            var unit = units[i];
            if (text.Length > 0)
            {
                text.Append(unit.Separator);
            }

            if (unit.TableHeader is not null && unit.TableHeader != header)
            {
                text.Append(unit.TableHeader).Append('\n');
            }

            header = unit.TableHeader;
            text.Append(unit.Text);
        }

        return text.ToString().Trim();
    }

    private static IEnumerable<Section> Sections(string markdown)
    {
        var path = new List<(int Level, string Title)>();
        var blocks = new List<Block>();
        var paragraph = new StringBuilder();
        var fence = (StringBuilder?)null;
        string? tableHeader = null;
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

        void FlushParagraph()
        {
            var text = paragraph.ToString().Trim();
            paragraph.Clear();
            if (text.Length > 0)
            {
                blocks.Add(new Block(text, WordCount(text), null, "\n\n"));
            }
        }

        Section Take()
        {
            var section = new Section(path.Select(p => p.Title).ToList(), [.. blocks]);
            blocks.Clear();
            return section;
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (fence is not null)
            {
                fence.Append('\n').Append(line);
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    var code = fence.ToString();
                    blocks.Add(new Block(code, WordCount(code), null, "\n\n"));
                    fence = null;
                }

                continue;
            }

            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                FlushParagraph();
                fence = new StringBuilder(line);
                continue;
            }

            var heading = Heading().Match(line);
            if (heading.Success)
            {
                FlushParagraph();
                tableHeader = null;
                if (blocks.Count > 0)
                {
                    yield return Take();
                }

                var level = heading.Groups[1].Length;
                path.RemoveAll(p => p.Level >= level);
                path.Add((level, heading.Groups[2].Value.Trim().TrimEnd('#').Trim()));
                continue;
            }

            var trimmed = line.Trim();
            if (trimmed.Length == 0)
            {
                FlushParagraph();
                tableHeader = null;
                continue;
            }

            if (trimmed.StartsWith('|'))
            {
                FlushParagraph();
                if (tableHeader is null)
                {
                    // Header row and its |---| separator travel with every row of the table.
                    var separator = i + 1 < lines.Length && TableSeparator().IsMatch(lines[i + 1]) ? "\n" + lines[++i].Trim() : string.Empty;
                    tableHeader = trimmed + separator;
                    continue;
                }

                blocks.Add(new Block(trimmed, WordCount(trimmed), tableHeader, "\n"));
                continue;
            }

            if (ListItem().IsMatch(line) && paragraph.Length > 0)
            {
                FlushParagraph(); // each top-level list item is a block of its own
            }

            if (paragraph.Length > 0)
            {
                paragraph.Append('\n');
            }

            paragraph.Append(line.TrimEnd());
        }

        if (fence is not null)
        {
            var code = fence.ToString();
            blocks.Add(new Block(code, WordCount(code), null, "\n\n"));
        }

        FlushParagraph();
        if (blocks.Count > 0)
        {
            yield return Take();
        }
    }

    /// <summary>Sentences of <paramref name="text"/>: split after '.', '!' or '?' followed by white space.</summary>
    internal static IEnumerable<string> Sentences(string text)
    {
        foreach (var sentence in SentenceBreak().Split(text))
        {
            var s = sentence.Trim();
            if (s.Length > 0)
            {
                yield return s;
            }
        }
    }

    internal static int WordCount(string text)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var space = char.IsWhiteSpace(c);
            if (!space && !inWord)
            {
                count++;
            }

            inWord = !space;
        }

        return count;
    }

    [GeneratedRegex(@"^(#{1,6})\s+(.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex TableSeparator();

    [GeneratedRegex(@"^([-*+]|\d+[.)])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ListItem();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z0-9`""(*\[])", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBreak();

    private sealed record Section(List<string> Path, List<Block> Blocks);

    private sealed record Block(string Text, int Words, string? TableHeader, string Separator);
}
