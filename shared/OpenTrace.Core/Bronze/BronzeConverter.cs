using System.Globalization;

namespace OpenTrace.Core.Bronze;

/// <summary>What converting one source file to bronze Parquet produced.</summary>
/// <param name="Source">Format, compression, delimiter, encoding of the source.</param>
/// <param name="SourceColumns">Column names as in the source.</param>
/// <param name="Columns">The cleaned names used in Parquet and the warehouse, in the same order.</param>
/// <param name="Rows">Data rows read, and written: bronze never drops a row.</param>
/// <param name="FlaggedRows">Rows kept with a <see cref="Lineage.RowIssue"/> (ragged rows, JSON elements that are not objects).</param>
/// <param name="BytesRead">Bytes read from the object (compressed size for gzip).</param>
/// <param name="Warnings">Encoding fallback and flagged rows, for the run record; empty when none.</param>
public sealed record BronzeFileResult(
    SourceDescription Source,
    IReadOnlyList<string> SourceColumns,
    IReadOnlyList<string> Columns,
    long Rows,
    long FlaggedRows,
    long BytesRead,
    IReadOnlyList<string> Warnings);

/// <summary>Reads a source file and writes it as bronze Parquet to a local path. Pure apart from the two files.</summary>
public static class BronzeConverter
{
    /// <summary>
    /// Converts <paramref name="source"/> into bronze Parquet at <paramref name="outputPath"/> (overwritten).
    /// Throws <see cref="UnreadableFileException"/> for a file that can never be converted.
    /// </summary>
    public static Task<BronzeFileResult> ConvertAsync(BronzeSource source, BronzeLineage lineage, string outputPath, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(lineage);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        return BronzeReader.ReadAsync(source, (reader, ct) => WriteAsync(reader, lineage, outputPath, ct), cancellationToken);
    }

    private static async Task<BronzeFileResult> WriteAsync(BronzeRowReader reader, BronzeLineage lineage, string outputPath, CancellationToken cancellationToken)
    {
        var columns = BronzeColumnNames.FromHeader(reader.Columns);
        var metadata = new Dictionary<string, string> { [BronzeTable.SourceFormatKey] = reader.Description.ToString() };
        long flagged = 0;
        string? firstIssue = null;
        using (var writer = new BronzeParquetWriter(outputPath, columns, reader.Columns, lineage, metadata))
        {
            // Parsing and Parquet encoding each keep a core busy: this thread parses into batches, the encoder
            // thread encodes and compresses them.
            await using var encoder = new BronzeEncoder(writer);
            var batch = encoder.Rent();
            while (await reader.ReadAsync(cancellationToken))
            {
                reader.AppendTo(batch);
                if (reader.RowIssue is not null)
                {
                    flagged++;
                    firstIssue ??= string.Create(CultureInfo.InvariantCulture, $"row {reader.RowNumber}: {reader.RowIssue}");
                }

                if (batch.IsFull)
                {
                    batch = await encoder.SubmitAsync(batch, cancellationToken);
                }
            }

            await encoder.CompleteAsync(batch, cancellationToken);
            writer.Close();
        }

        var warnings = new List<string>(reader.Description.Warnings);
        if (flagged > 0)
        {
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{flagged} of {reader.RowNumber} rows did not fit the header and were kept with the reason in {Lineage.RowIssue} (first: {firstIssue})."));
        }

        return new BronzeFileResult(reader.Description, reader.Columns, columns, reader.RowNumber, flagged, reader.BytesRead, warnings);
    }
}
