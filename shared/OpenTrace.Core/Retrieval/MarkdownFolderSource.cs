using System.Runtime.CompilerServices;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// The curated documents: every <c>*.md</c> file under a folder (for example <c>pipelines/olist/docs</c>), in path
/// order, chunked by <see cref="MarkdownChunker"/>. A missing folder is an error that names it.
/// </summary>
/// <param name="folder">The docs folder.</param>
/// <param name="chunker">The chunker; null uses the default sizes.</param>
public sealed class MarkdownFolderSource(string folder, MarkdownChunker? chunker = null) : ICorpusSource
{
    private readonly MarkdownChunker _chunker = chunker ?? new MarkdownChunker();

    /// <inheritdoc />
    public string Name => "docs";

    /// <summary>The docs folder.</summary>
    public string Folder { get; } = folder;

    /// <inheritdoc />
    public async IAsyncEnumerable<CorpusChunk> ReadChunksAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(Folder))
        {
            throw new OpenTraceException("The docs folder does not exist.", file: Folder, rule: "docs_folder");
        }

        var files = Directory.EnumerateFiles(Folder, "*.md", SearchOption.AllDirectories)
            .Select(f => (Path: f, Name: Path.GetRelativePath(Folder, f).Replace('\\', '/')))
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var (path, name) in files)
        {
            var markdown = await File.ReadAllTextAsync(path, cancellationToken);
            foreach (var chunk in _chunker.Chunk(name, markdown))
            {
                yield return chunk;
            }
        }
    }
}
