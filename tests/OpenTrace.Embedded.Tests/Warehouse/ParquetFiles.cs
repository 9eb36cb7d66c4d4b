using ParquetSharp;

namespace OpenTrace.Embedded.Tests.Warehouse;

/// <summary>Writes small real Parquet files the way the bronze function does (ParquetSharp, text columns).</summary>
internal static class ParquetFiles
{
    /// <summary>Writes text columns; each row holds one value per column name.</summary>
    public static byte[] Text(string[] columns, params string?[][] rows)
    {
        var path = Path.Combine(Path.GetTempPath(), $"opentrace-test-{Guid.NewGuid():N}.parquet");
        try
        {
            using (var writer = new ParquetFileWriter(path, columns.Select(c => (Column)new Column<string?>(c)).ToArray()))
            {
                using var rowGroup = writer.AppendRowGroup();
                for (var c = 0; c < columns.Length; c++)
                {
                    using var column = rowGroup.NextColumn().LogicalWriter<string?>();
                    column.WriteBatch(rows.Select(r => r[c]).ToArray());
                }

                writer.Close();
            }

            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Writes an id column and a UTC-adjusted microsecond timestamp column (null: no value).</summary>
    public static byte[] Timestamps(params (string Id, DateTime? At)[] rows)
    {
        var path = Path.Combine(Path.GetTempPath(), $"opentrace-test-{Guid.NewGuid():N}.parquet");
        try
        {
            using (var writer = new ParquetFileWriter(path, [new Column<string>("id"), new Column<DateTime?>("at", LogicalType.Timestamp(isAdjustedToUtc: true, TimeUnit.Micros))]))
            {
                using var rowGroup = writer.AppendRowGroup();
                using (var ids = rowGroup.NextColumn().LogicalWriter<string>())
                {
                    ids.WriteBatch(rows.Select(r => r.Id).ToArray());
                }

                using (var at = rowGroup.NextColumn().LogicalWriter<DateTime?>())
                {
                    at.WriteBatch(rows.Select(r => r.At).ToArray());
                }

                writer.Close();
            }

            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
