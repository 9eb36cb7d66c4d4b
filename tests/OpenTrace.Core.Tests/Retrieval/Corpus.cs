using OpenTrace.Core.Retrieval;

namespace OpenTrace.Core.Tests.Retrieval;

/// <summary>The curated Olist documents of the repository, chunked and indexed with the local embedder.</summary>
internal static class Corpus
{
    private static readonly Lazy<Task<RetrievalIndex>> DocsIndex = new(() => IndexAsync(DocChunksAsync().GetAwaiter().GetResult()));

    /// <summary><c>pipelines/olist/docs</c> of the checkout the tests run from.</summary>
    public static string DocsFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "OpenTrace.sln")))
                {
                    return Path.Combine(dir.FullName, "pipelines", "olist", "docs");
                }
            }

            throw new InvalidOperationException($"No OpenTrace.sln above {AppContext.BaseDirectory}.");
        }
    }

    public static string DataFile(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "data", "retrieval", .. parts]);

    public static async Task<List<CorpusChunk>> DocChunksAsync()
    {
        var chunks = new List<CorpusChunk>();
        await foreach (var chunk in new MarkdownFolderSource(DocsFolder).ReadChunksAsync())
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    /// <summary>The docs indexed once per test run (the index is immutable, so tests share it).</summary>
    public static Task<RetrievalIndex> DocsIndexAsync() => DocsIndex.Value;

    public static async Task<RetrievalIndex> IndexAsync(IReadOnlyList<CorpusChunk> chunks, ITextEmbedder? embedder = null)
    {
        embedder ??= new HashingTextEmbedder();
        var vectors = await embedder.EmbedAsync(chunks.Select(c => c.EmbeddingText).ToList(), EmbeddingPurpose.RetrievalDocument);
        var matrix = new float[chunks.Count * embedder.Dimensions];
        for (var i = 0; i < vectors.Count; i++)
        {
            vectors[i].CopyTo(matrix, i * embedder.Dimensions);
        }

        return new RetrievalIndex(chunks, matrix, embedder.Dimensions, embedder.ModelId);
    }
}
