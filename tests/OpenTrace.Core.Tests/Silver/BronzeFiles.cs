using System.Text.Json;
using OpenTrace.Core.Contracts;
using OpenTrace.Core.Pipelines;
using OpenTrace.Core.Silver;
using ParquetSharp;

namespace OpenTrace.Core.Tests.Silver;

/// <summary>Writes small files in the bronze layout and reads silver output back, for engine tests.</summary>
internal static class BronzeFiles
{
    public const string LineageId = "0123456789abcdef0123456789abcdef";
    public const string SourceUri = "gs://bronze/shop/orders/2024-01.csv";
    public const long Generation = 1700000000000001;
    public static readonly DateTime IngestedAt = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    /// <summary>
    /// Writes a bronze file: every source column text, then the lineage columns. <paramref name="rowsPerGroup"/>
    /// splits the rows into several row groups. <paramref name="issues"/> flags rows as bronze would (null: none).
    /// </summary>
    public static void Write(string path, IReadOnlyList<string> header, IReadOnlyList<string?[]> rows, int rowsPerGroup = 1000, IReadOnlyList<string?>? issues = null)
    {
        var columns = new List<Column>();
        columns.AddRange(Core.Bronze.BronzeColumnNames.FromHeader(header).Select(h => new Column<string>(h)));
        columns.Add(new Column<string>(Lineage.LineageId, LogicalType.String()));
        columns.Add(new Column<string>(Lineage.SourceUri, LogicalType.String()));
        columns.Add(new Column<long>(Lineage.SourceGeneration));
        columns.Add(new Column<long>(Lineage.RowNumber));
        columns.Add(new Column<DateTime>(Lineage.IngestedAt, LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros)));
        columns.Add(new Column<string>(Lineage.RowIssue));
        columns.Add(new Column<string>("_extra_fields"));
        var metadata = new Dictionary<string, string> { ["opentrace.source_columns"] = JsonSerializer.Serialize(header) };
        using var file = new ParquetFileWriter(path, columns.ToArray(), Compression.Snappy, metadata);
        for (var start = 0; start < rows.Count || start == 0; start += rowsPerGroup)
        {
            var count = Math.Min(rowsPerGroup, rows.Count - start);
            if (count <= 0)
            {
                break;
            }

            using var group = file.AppendRowGroup();
            for (var c = 0; c < header.Count; c++)
            {
                using var writer = group.NextColumn().LogicalWriter<string?>();
                writer.WriteBatch(Enumerable.Range(start, count).Select(r => rows[r][c]).ToArray());
            }

            WriteAll(group, Enumerable.Repeat(LineageId, count));
            WriteAll(group, Enumerable.Repeat(SourceUri, count));
            WriteAll(group, Enumerable.Repeat(Generation, count));
            WriteAll(group, Enumerable.Range(start + 1, count).Select(i => (long)i));
            WriteAll(group, Enumerable.Repeat(IngestedAt, count));
            WriteAll(group, Enumerable.Range(start, count).Select(r => issues?[r]));
            WriteAll<string?>(group, Enumerable.Repeat<string?>(null, count));
        }

        file.Close();
    }

    private static void WriteAll<T>(RowGroupWriter group, IEnumerable<T> values)
    {
        using var writer = group.NextColumn().LogicalWriter<T>();
        writer.WriteBatch(values.ToArray());
    }

    public static DataContract Contract(string yaml, string domain = "shop", string table = "orders") =>
        ContractLoader.Parse(yaml, $"{table}.yaml", new TableRoute(domain, table));

    public static PiiProtector Pii { get; } = new(PiiKey.FromSetting("test-key-0123456789abcdef"));

    /// <summary>Runs the engine on a bronze file written from <paramref name="rows"/>.</summary>
    public static async Task<(SilverFileResult Result, ParquetTable Silver, ParquetTable? Quarantine)> RunAsync(
        Testing.TempDirectory dir, string yaml, IReadOnlyList<string> header, IReadOnlyList<string?[]> rows, int rowsPerGroup = 1000, IReadOnlyList<string?>? issues = null, int parallelism = 2)
    {
        var bronze = dir.Combine($"bronze-{Guid.NewGuid():N}.parquet");
        Write(bronze, header, rows, rowsPerGroup, issues);
        var silver = dir.Combine($"silver-{Guid.NewGuid():N}.parquet");
        var quarantine = dir.Combine($"quarantine-{Guid.NewGuid():N}.parquet");
        var result = await SilverEngine.ProcessAsync(
            new SilverEngineRequest
            {
                BronzePath = bronze,
                BronzeUri = "gs://lake/bronze/shop/orders/ingest_date=2024-01-02/" + LineageId + ".parquet",
                Contract = Contract(yaml),
                SilverPath = silver,
                QuarantinePath = quarantine,
                RunId = "run-1",
                RecordedAt = IngestedAt,
                QuarantineUri = "gs://lake/quarantine/x.parquet",
                Parallelism = parallelism,
            },
            Pii);
        return (result, File.Exists(silver) ? ParquetTable.Read(silver) : new ParquetTable([], []), File.Exists(quarantine) ? ParquetTable.Read(quarantine) : null);
    }
}

/// <summary>A Parquet file read back whole: column names and rows of CLR values.</summary>
internal sealed class ParquetTable(IReadOnlyList<string> columns, List<object?[]> rows)
{
    public IReadOnlyList<string> Columns { get; } = columns;

    public List<object?[]> Rows { get; } = rows;

    public IReadOnlyDictionary<string, string> Metadata { get; private init; } = new Dictionary<string, string>();

    public IEnumerable<object?> Values(string column)
    {
        var index = Columns.ToList().IndexOf(column);
        Assert.True(index >= 0, $"column {column} is missing; columns: {string.Join(", ", Columns)}");
        return Rows.Select(r => r[index]);
    }

    public object? Value(int row, string column) => Rows[row][Columns.ToList().IndexOf(column)];

    public static ParquetTable Read(string path)
    {
        using var reader = new ParquetFileReader(path);
        var meta = reader.FileMetaData;
        var names = Enumerable.Range(0, meta.NumColumns).Select(i => meta.Schema.Column(i).Name).ToList();
        var rows = new List<object?[]>();
        for (var g = 0; g < meta.NumRowGroups; g++)
        {
            using var group = reader.RowGroup(g);
            var count = (int)group.MetaData.NumRows;
            var columns = new object?[names.Count][];
            for (var c = 0; c < names.Count; c++)
            {
                using var column = group.Column(c);
                using var logical = column.LogicalReader();
                columns[c] = logical.Apply(new ReadAll(count));
            }

            for (var r = 0; r < count; r++)
            {
                rows.Add(columns.Select(col => col[r]).ToArray());
            }
        }

        return new ParquetTable(names, rows) { Metadata = meta.KeyValueMetadata };
    }

    private sealed class ReadAll(int count) : ILogicalColumnReaderVisitor<object?[]>
    {
        public object?[] OnLogicalColumnReader<TValue>(LogicalColumnReader<TValue> columnReader)
        {
            var values = new TValue[count];
            columnReader.ReadBatch(values);
            return values.Select(v => (object?)v).ToArray();
        }
    }
}
