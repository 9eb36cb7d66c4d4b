using System.Text.Json;
using ParquetSharp;

namespace OpenTrace.Core.Silver;

/// <summary>One column of a bronze Parquet file.</summary>
/// <param name="Index">Column index in the file.</param>
/// <param name="Name">Column name in the file (cleaned for the warehouse).</param>
/// <param name="SourceName">The name in the source file's header, from the key-value metadata; <paramref name="Name"/> when unknown.</param>
/// <param name="PhysicalType">Parquet physical type.</param>
internal sealed record BronzeColumn(int Index, string Name, string SourceName, PhysicalType PhysicalType)
{
    public bool IsLineage => Name.StartsWith('_');
}

/// <summary>A run of consecutive rows of one row group: their text by bronze column index, and their row numbers.</summary>
/// <param name="Group">Row group index.</param>
/// <param name="FirstRow">Index of the first row in the file.</param>
/// <param name="Rows">Rows in the slice.</param>
/// <param name="EndsGroup">True for the last slice of its row group.</param>
/// <param name="Columns">Text by bronze column index.</param>
/// <param name="RowNumbers">The <see cref="Lineage.RowNumber"/> of each row.</param>
internal sealed record BronzeSlice(int Group, long FirstRow, int Rows, bool EndsGroup, IReadOnlyDictionary<int, Utf8Column> Columns, long[] RowNumbers);

/// <summary>
/// What silver needs to know about a bronze Parquet file before reading rows: its columns (source columns and the
/// lineage columns bronze adds), row groups and lineage.
/// </summary>
internal sealed class BronzeFile
{
    /// <summary>Parquet key-value metadata holding the source header names as a JSON array (written by bronze).</summary>
    public const string SourceColumnsKey = "opentrace.source_columns";

    /// <summary>Values of a ragged row beyond the header (written by bronze).</summary>
    public const string ExtraFieldsColumn = "_extra_fields";

    private BronzeFile(string path, IReadOnlyList<BronzeColumn> columns, long[] rowGroupRows, long[] rowGroupBytes, string lineageId, string sourceUri, long sourceGeneration, long ingestedAtMicros)
    {
        Path = path;
        Columns = columns;
        RowGroupRows = rowGroupRows;
        RowGroupBytes = rowGroupBytes;
        LineageId = lineageId;
        SourceUri = sourceUri;
        SourceGeneration = sourceGeneration;
        IngestedAtMicros = ingestedAtMicros;
    }

    public string Path { get; }

    public IReadOnlyList<BronzeColumn> Columns { get; }

    /// <summary>Rows per row group, from the footer.</summary>
    public long[] RowGroupRows { get; }

    /// <summary>Uncompressed bytes per row group, from the footer.</summary>
    public long[] RowGroupBytes { get; }

    /// <summary>Total rows according to the footer: the "rows read" side of reconciliation.</summary>
    public long TotalRows => RowGroupRows.Sum();

    public string LineageId { get; }

    public string SourceUri { get; }

    public long SourceGeneration { get; }

    public long IngestedAtMicros { get; }

    /// <summary>The source columns (everything that is not a lineage column), in file order.</summary>
    public IEnumerable<BronzeColumn> SourceColumns => Columns.Where(c => !c.IsLineage);

    /// <summary>
    /// Reads the file front to back in slices of at most <paramref name="sliceRows"/> rows (never spanning row
    /// groups): the text of <paramref name="textColumns"/> (bronze column indexes), copied out of the Parquet pages,
    /// and the row numbers. Only one row group's readers are open at a time.
    /// </summary>
    public IEnumerable<BronzeSlice> ReadSlices(IReadOnlyCollection<int> textColumns, int sliceRows)
    {
        // jemalloc returns freed pages to the system promptly; the default pool keeps them for a while.
        using var properties = ReaderProperties.WithMemoryPool(MemoryPool.JemallocMemoryPool());
        using var reader = new ParquetFileReader(Path, properties);
        var rowNumber = Find(Lineage.RowNumber)!.Index;
        long firstRow = 0;
        var hints = textColumns.ToDictionary(c => c, _ => 1024);
        for (var g = 0; g < RowGroupRows.Length; g++)
        {
            using var group = reader.RowGroup(g);
            var readers = textColumns.ToDictionary(c => c, c => group.Column(c));
            using var numbers = group.Column(rowNumber);
            try
            {
                var rows = RowGroupRows[g];
                for (long offset = 0; offset < rows; offset += sliceRows)
                {
                    var count = (int)Math.Min(sliceRows, rows - offset);
                    var columns = new Dictionary<int, Utf8Column>(readers.Count);
                    foreach (var (index, column) in readers)
                    {
                        var text = Utf8Column.Read(column, count, hints[index]);
                        hints[index] = text.ByteLength + (text.ByteLength / 8);
                        columns[index] = text;
                    }

                    yield return new BronzeSlice(g, firstRow + offset, count, offset + count == rows, columns, Utf8Column.ReadInt64(numbers, count));
                }

                firstRow += rows;
            }
            finally
            {
                foreach (var column in readers.Values)
                {
                    column.Dispose();
                }
            }
        }
    }

    public BronzeColumn? Find(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Opens <paramref name="path"/>; throws <see cref="OpenTraceException"/> when it is not a bronze file.</summary>
    public static BronzeFile Open(string path, string displayUri)
    {
        try
        {
            using var reader = new ParquetFileReader(path);
            var meta = reader.FileMetaData;
            var schema = meta.Schema;
            var sourceNames = ReadSourceNames(meta.KeyValueMetadata);
            var columns = new List<BronzeColumn>(schema.NumColumns);
            var sourceIndex = 0;
            for (var i = 0; i < schema.NumColumns; i++)
            {
                var descriptor = schema.Column(i);
                var name = descriptor.Name;
                var isLineage = name.StartsWith('_');
                var sourceName = !isLineage && sourceNames is not null && sourceIndex < sourceNames.Count ? sourceNames[sourceIndex] : name;
                if (!isLineage)
                {
                    sourceIndex++;
                }

                columns.Add(new BronzeColumn(i, name, sourceName, descriptor.PhysicalType));
            }

            var groups = meta.NumRowGroups;
            var rows = new long[groups];
            var bytes = new long[groups];
            for (var g = 0; g < groups; g++)
            {
                using var group = reader.RowGroup(g);
                rows[g] = group.MetaData.NumRows;
                bytes[g] = group.MetaData.TotalByteSize;
            }

            foreach (var required in new[] { Lineage.LineageId, Lineage.SourceUri, Lineage.SourceGeneration, Lineage.RowNumber, Lineage.IngestedAt })
            {
                if (!columns.Any(c => c.Name == required))
                {
                    throw new OpenTraceException($"the file lacks the lineage column {required}, so it was not written by bronze.", file: displayUri, field: required, rule: "bronze_layout");
                }
            }

            var (lineageId, sourceUri, generation, ingestedAt) = ReadLineage(reader, columns, rows);
            return new BronzeFile(path, columns, rows, bytes, lineageId, sourceUri, generation, ingestedAt);
        }
        catch (ParquetException ex)
        {
            throw new OpenTraceException($"the bronze file cannot be read as Parquet: {ex.Message}", file: displayUri, rule: "bronze_layout", inner: ex);
        }
    }

    private static List<string>? ReadSourceNames(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(SourceColumnsKey, out var json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<List<string>>(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (string LineageId, string SourceUri, long Generation, long IngestedAt) ReadLineage(ParquetFileReader reader, List<BronzeColumn> columns, long[] rows)
    {
        var first = Array.FindIndex(rows, r => r > 0);
        if (first < 0)
        {
            return (string.Empty, string.Empty, 0, 0);
        }

        using var group = reader.RowGroup(first);
        string Text(string name)
        {
            using var column = group.Column(columns.First(c => c.Name == name).Index);
            using var logical = column.LogicalReader<string>();
            var buffer = new string[1];
            logical.ReadBatch(buffer);
            return buffer[0] ?? string.Empty;
        }

        long Number(string name)
        {
            using var column = group.Column(columns.First(c => c.Name == name).Index);
            return Utf8Column.ReadInt64(column, 1)[0];
        }

        return (Text(Lineage.LineageId), Text(Lineage.SourceUri), Number(Lineage.SourceGeneration), Number(Lineage.IngestedAt));
    }
}
