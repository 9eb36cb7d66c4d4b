using System.Globalization;
using System.Text.Json;
using ParquetSharp;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// An embeddings snapshot: every chunk of the corpus with its vector, as one Parquet file in the lake bucket
/// (<see cref="SnapshotPaths"/>). Columns: <c>chunk_id</c>, <c>document</c>, <c>heading</c>, <c>text</c>,
/// <c>lineage_id</c>, <c>metadata</c> (JSON object of strings), <c>content_hash</c>, <c>model</c> (all STRING) and
/// <c>vector</c> (LIST&lt;FLOAT&gt;, L2-normalised); key-value metadata <c>opentrace.model</c> and
/// <c>opentrace.dimensions</c>. Zstandard-compressed, row groups of <see cref="RowGroupRows"/> rows.
/// </summary>
public sealed class EmbeddingSnapshot
{
    /// <summary>Rows per Parquet row group.</summary>
    public const int RowGroupRows = 8192;

    private const string ModelKey = "opentrace.model";
    private const string DimensionsKey = "opentrace.dimensions";

    private static readonly JsonSerializerOptions MetadataJson = new() { WriteIndented = false };

    /// <summary>Creates a snapshot over chunks, their content hashes and a row-major vector matrix.</summary>
    public EmbeddingSnapshot(string model, int dimensions, IReadOnlyList<CorpusChunk> chunks, IReadOnlyList<string> contentHashes, float[] vectors)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(contentHashes);
        ArgumentNullException.ThrowIfNull(vectors);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        if (contentHashes.Count != chunks.Count || vectors.Length != (long)chunks.Count * dimensions)
        {
            throw new ArgumentException($"{chunks.Count} chunks need {chunks.Count} content hashes and {chunks.Count * dimensions} vector values; got {contentHashes.Count} and {vectors.Length}.", nameof(vectors));
        }

        Model = model;
        Dimensions = dimensions;
        Chunks = chunks;
        ContentHashes = contentHashes;
        Vectors = vectors;
    }

    /// <summary>The embedding model of every vector.</summary>
    public string Model { get; }

    /// <summary>Values per vector.</summary>
    public int Dimensions { get; }

    /// <summary>The chunks in row order.</summary>
    public IReadOnlyList<CorpusChunk> Chunks { get; }

    /// <summary>Each chunk's <see cref="CorpusChunk.ContentHash"/> at embedding time.</summary>
    public IReadOnlyList<string> ContentHashes { get; }

    /// <summary>Row-major vectors, <see cref="Dimensions"/> values per chunk.</summary>
    public float[] Vectors { get; }

    /// <summary>Rows in the snapshot.</summary>
    public int Count => Chunks.Count;

    /// <summary>The vector of one row.</summary>
    public ReadOnlySpan<float> Vector(int row) => Vectors.AsSpan(row * Dimensions, Dimensions);

    /// <summary>A search index over this snapshot; the vector matrix is shared, not copied.</summary>
    public RetrievalIndex ToIndex(string? snapshotName = null) => new(Chunks, Vectors, Dimensions, Model, snapshotName);

    /// <summary>Writes the snapshot as Parquet to <paramref name="path"/> (created or overwritten).</summary>
    public void WriteParquet(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var columns = new Column[]
        {
            new Column<string>("chunk_id", LogicalType.String()),
            new Column<string>("document", LogicalType.String()),
            new Column<string>("heading", LogicalType.String()),
            new Column<string>("text", LogicalType.String()),
            new Column<string>("lineage_id", LogicalType.String()),
            new Column<string>("metadata", LogicalType.Json()),
            new Column<string>("content_hash", LogicalType.String()),
            new Column<string>("model", LogicalType.String()),
            new Column<float[]>("vector"),
        };
        var keyValues = new Dictionary<string, string>
        {
            [ModelKey] = Model,
            [DimensionsKey] = Dimensions.ToString(CultureInfo.InvariantCulture),
        };
        using var properties = new WriterPropertiesBuilder().Compression(Compression.Zstd).CompressionLevel(1).CreatedBy("OpenTrace embeddings").Build();
        using var file = new ParquetFileWriter(path, columns, properties, keyValues);
        for (var start = 0; start < Count; start += RowGroupRows)
        {
            var end = Math.Min(Count, start + RowGroupRows);
            using var group = file.AppendRowGroup();
            WriteStrings(group, start, end, c => c.ChunkId);
            WriteStrings(group, start, end, c => c.Document);
            WriteStrings(group, start, end, c => c.Heading);
            WriteStrings(group, start, end, c => c.Text);
            WriteStrings(group, start, end, c => c.LineageId);
            WriteStrings(group, start, end, c => JsonSerializer.Serialize(new SortedDictionary<string, string>(c.Metadata.ToDictionary(), StringComparer.Ordinal), MetadataJson));
            using (var hashes = group.NextColumn().LogicalWriter<string>())
            {
                hashes.WriteBatch(ContentHashes.Skip(start).Take(end - start).ToArray());
            }

            using (var models = group.NextColumn().LogicalWriter<string>())
            {
                models.WriteBatch(Enumerable.Repeat(Model, end - start).ToArray());
            }

            using var vectors = group.NextColumn().LogicalWriter<float[]>();
            var batch = new float[end - start][];
            for (var row = start; row < end; row++)
            {
                batch[row - start] = Vector(row).ToArray();
            }

            vectors.WriteBatch(batch);
        }

        file.Close();

        void WriteStrings(RowGroupWriter group, int start, int end, Func<CorpusChunk, string> value)
        {
            using var writer = group.NextColumn().LogicalWriter<string>();
            var values = new string[end - start];
            for (var row = start; row < end; row++)
            {
                values[row - start] = value(Chunks[row]);
            }

            writer.WriteBatch(values);
        }
    }

    /// <summary>
    /// Reads a snapshot written by <see cref="WriteParquet"/>. Throws <see cref="OpenTraceException"/> naming
    /// <paramref name="displayName"/> (the object's URI) when the file is not a snapshot or is inconsistent.
    /// </summary>
    public static EmbeddingSnapshot ReadParquet(string path, string? displayName = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = displayName ?? path;
        try
        {
            using var file = new ParquetFileReader(path);
            var meta = file.FileMetaData;
            var kv = meta.KeyValueMetadata;
            if (!kv.TryGetValue(ModelKey, out var model) || !kv.TryGetValue(DimensionsKey, out var dimText)
                || !int.TryParse(dimText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var dimensions) || dimensions < 1)
            {
                throw new OpenTraceException($"It is not an embeddings snapshot: the key-value metadata lacks {ModelKey} or {DimensionsKey}.", file: name, rule: "snapshot_format");
            }

            var rows = checked((int)meta.NumRows);
            var chunks = new List<CorpusChunk>(rows);
            var hashes = new List<string>(rows);
            var vectors = GC.AllocateUninitializedArray<float>(checked(rows * dimensions));
            var at = 0;
            for (var g = 0; g < meta.NumRowGroups; g++)
            {
                using var group = file.RowGroup(g);
                var n = checked((int)group.MetaData.NumRows);
                var ids = ReadStrings(group, 0, n);
                var documents = ReadStrings(group, 1, n);
                var headings = ReadStrings(group, 2, n);
                var texts = ReadStrings(group, 3, n);
                var lineage = ReadStrings(group, 4, n);
                var metadata = ReadStrings(group, 5, n);
                var contentHashes = ReadStrings(group, 6, n);
                float[][] batch;
                using (var reader = group.Column(8).LogicalReader<float[]>())
                {
                    batch = reader.ReadAll(n);
                }

                for (var i = 0; i < n; i++)
                {
                    if (batch[i].Length != dimensions)
                    {
                        throw new OpenTraceException($"The vector has {batch[i].Length} values; the snapshot declares {dimensions}.", file: name, row: at + 1, field: "vector", rule: "snapshot_dimensions");
                    }

                    var meta2 = JsonSerializer.Deserialize<Dictionary<string, string>>(metadata[i], MetadataJson) ?? [];
                    chunks.Add(new CorpusChunk(ids[i], documents[i], headings[i], texts[i], lineage[i], meta2));
                    hashes.Add(contentHashes[i]);
                    batch[i].CopyTo(vectors, (long)at * dimensions);
                    at++;
                }
            }

            return new EmbeddingSnapshot(model, dimensions, chunks, hashes, vectors);
        }
        catch (ParquetException ex)
        {
            throw new OpenTraceException($"It is not a readable Parquet file: {ex.Message}", file: name, rule: "snapshot_format", inner: ex);
        }
        catch (JsonException ex)
        {
            throw new OpenTraceException($"A metadata value is not a JSON object of strings: {ex.Message}", file: name, field: "metadata", rule: "snapshot_format", inner: ex);
        }
    }

    private static string[] ReadStrings(RowGroupReader group, int column, int rows)
    {
        using var reader = group.Column(column).LogicalReader<string>();
        return reader.ReadAll(rows);
    }
}
