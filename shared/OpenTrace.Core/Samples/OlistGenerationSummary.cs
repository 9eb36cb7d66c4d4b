namespace OpenTrace.Core.Samples;

/// <summary>What was written to one file.</summary>
/// <param name="FileName">Published file name.</param>
/// <param name="Table">Table name in the <c>olist</c> domain.</param>
/// <param name="Rows">Data rows written, header excluded, duplicates (dirty mode) included.</param>
/// <param name="Bytes">Bytes written, header included.</param>
public sealed record OlistFileSummary(string FileName, string Table, long Rows, long Bytes);

/// <summary>What a generation wrote.</summary>
/// <param name="Options">The options it ran with.</param>
/// <param name="Files">One entry per file, in <see cref="OlistDataset.Files"/> order.</param>
/// <param name="Elapsed">Wall-clock time taken.</param>
public sealed record OlistGenerationSummary(OlistGeneratorOptions Options, IReadOnlyList<OlistFileSummary> Files, TimeSpan Elapsed)
{
    /// <summary>Data rows over all files.</summary>
    public long TotalRows => Files.Sum(f => f.Rows);

    /// <summary>Bytes over all files.</summary>
    public long TotalBytes => Files.Sum(f => f.Bytes);

    /// <summary>Rows written for a table (e.g. <c>orders</c>); throws <see cref="ArgumentException"/> for an unknown table.</summary>
    public long RowsFor(string table) =>
        Files.FirstOrDefault(f => f.Table == table)?.Rows ?? throw new ArgumentException($"'{table}' is not an Olist table.", nameof(table));
}

/// <summary>Progress of a generation, reported every <see cref="OlistGenerator.ProgressInterval"/> rows of a file and when
/// each file is complete.</summary>
/// <param name="FileName">The file being written.</param>
/// <param name="FileRows">Data rows written to that file so far.</param>
/// <param name="TotalRows">Data rows written to all files so far.</param>
/// <param name="FileCompleted">True on the last report for the file.</param>
public readonly record struct OlistGenerationProgress(string FileName, long FileRows, long TotalRows, bool FileCompleted);
