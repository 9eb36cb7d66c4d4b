using OpenTrace.Core.Retrieval;

namespace OpenTrace.Core.Tests.Retrieval;

public sealed class MarkdownChunkerTests
{
    [Fact]
    public void Chunk_KeepsTheHeadingPathDocumentLineageAndStableIds()
    {
        const string markdown = "# Runbook\n\nIntro text.\n\n## Step 1: check data\n\nLook at ops.runs first.\n\n### Details\n\nMore.\n\n## Step 2\n\nAct.\n";

        var chunks = new MarkdownChunker().Chunk("late-delivery-runbook.md", markdown);

        Assert.Equal(
            ["late-delivery-runbook#runbook", "late-delivery-runbook#step-1-check-data", "late-delivery-runbook#step-1-check-data-details", "late-delivery-runbook#step-2"],
            chunks.Select(c => c.ChunkId));
        Assert.Equal("Runbook › Step 1: check data › Details", chunks[2].Heading);
        Assert.All(chunks, c => Assert.Equal("late-delivery-runbook.md", c.Document));
        Assert.All(chunks, c => Assert.Equal(CorpusChunk.HashHex(markdown), c.LineageId));
        Assert.All(chunks, c => Assert.Equal("doc", c.Metadata[ChunkMetadata.Kind]));
        Assert.Equal("Look at ops.runs first.", chunks[1].Text);
        Assert.Equal("Runbook › Step 1: check data\nLook at ops.runs first.", chunks[1].EmbeddingText);
    }

    [Fact]
    public void Chunk_LongSection_SplitsWithinTheLimitAndOverlaps()
    {
        var paragraphs = Enumerable.Range(1, 12).Select(i => $"Paragraph {i} " + string.Join(' ', Enumerable.Repeat($"word{i}", 28)) + ".");
        var markdown = "# Doc\n\n## Long\n\n" + string.Join("\n\n", paragraphs);

        var chunks = new MarkdownChunker(maxWords: 100, overlapWords: 30).Chunk("doc.md", markdown);

        Assert.True(chunks.Count >= 4);
        Assert.Equal("doc#long", chunks[0].ChunkId);
        Assert.Equal("doc#long.2", chunks[1].ChunkId);
        Assert.All(chunks, c => Assert.True(MarkdownChunker.WordCount(c.Text) <= 100, c.Text));
        for (var i = 1; i < chunks.Count; i++)
        {
            // The last paragraph of a chunk opens the next one.
            var lastParagraph = chunks[i - 1].Text.Split("\n\n")[^1];
            Assert.StartsWith(lastParagraph, chunks[i].Text, StringComparison.Ordinal);
        }

        Assert.All(Enumerable.Range(1, 12), i => Assert.Contains(chunks, c => c.Text.Contains($"Paragraph {i} ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Chunk_ListItemsAreUnitsAndAHugeParagraphIsSplitBySentence()
    {
        var sentences = string.Join(' ', Enumerable.Range(1, 40).Select(i => $"Sentence number {i} says something useful here."));
        var markdown = $"# Doc\n\n{sentences}\n\n- item one\n- item two\n";

        var chunks = new MarkdownChunker(maxWords: 60, overlapWords: 10).Chunk("doc.md", markdown);

        Assert.True(chunks.Count > 4);
        Assert.All(chunks, c => Assert.True(MarkdownChunker.WordCount(c.Text) <= 60));
        Assert.Contains("- item one\n\n- item two", chunks[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Chunk_TablesRepeatTheirHeaderAndCodeFencesStayWhole()
    {
        var rows = string.Join('\n', Enumerable.Range(1, 30).Select(i => $"| col_{i} | STRING | description of column {i} |"));
        var markdown = $"# Dictionary\n\n| column | type | meaning |\n|---|---|---|\n{rows}\n\n```sql\n# not a heading\nSELECT 1\n```\n";

        var chunks = new MarkdownChunker(maxWords: 60, overlapWords: 0).Chunk("dictionary.md", markdown);

        var tableChunks = chunks.Where(c => c.Text.Contains("col_", StringComparison.Ordinal)).ToList();
        Assert.True(tableChunks.Count > 2);
        Assert.All(tableChunks, c => Assert.StartsWith("| column | type | meaning |\n|---|---|---|\n", c.Text, StringComparison.Ordinal));
        Assert.Contains(chunks, c => c.Text.Contains("# not a heading\nSELECT 1", StringComparison.Ordinal));
        Assert.All(chunks, c => Assert.Equal("Dictionary", c.Heading));
    }

    [Fact]
    public void Chunk_RepeatedHeadingsGetDistinctIds()
    {
        var chunks = new MarkdownChunker().Chunk("d.md", "# D\n\n## Notes\n\nA.\n\n## Notes\n\nB.\n");

        Assert.Equal(["d#notes", "d#notes-2"], chunks.Select(c => c.ChunkId));
    }

    [Fact]
    public async Task TheRepositoryDocs_ChunkIntoUniqueIdsUnderTheLimit_CoveringEveryTable()
    {
        var chunks = await Corpus.DocChunksAsync();

        Assert.Equal(chunks.Count, chunks.Select(c => c.ChunkId).Distinct().Count());
        Assert.All(chunks, c => Assert.True(MarkdownChunker.WordCount(c.Text) <= 120, c.ChunkId));
        foreach (var file in OpenTrace.Core.Samples.OlistDataset.Files)
        {
            Assert.Contains(chunks, c => c.ChunkId == $"data-dictionary#{file.Table}");
            foreach (var column in file.Columns)
            {
                Assert.Contains(chunks, c => c.Document == "data-dictionary.md" && c.Text.Contains($"`{column}`", StringComparison.Ordinal));
            }
        }

        Assert.Equal(
            ["data-dictionary.md", "data-quality-and-lineage.md", "gold-models.md", "kpi-definitions.md", "late-delivery-runbook.md", "review-handling-policy.md"],
            chunks.Select(c => c.Document).Distinct().Order(StringComparer.Ordinal));
    }
}
