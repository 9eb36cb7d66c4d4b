namespace OpenTrace.Core.Bronze;

/// <summary>
/// Rows of one source file as text: the header (column names exactly as in the source) and, row by row, one value
/// per column (null where the row has no value; an empty CSV field is an empty string). A row that does not fit the
/// header keeps its extra values in <see cref="ExtraFields"/> and says why in <see cref="RowIssue"/>.
/// </summary>
public abstract class BronzeRowReader : IAsyncDisposable
{
    private readonly string?[] _values;

    /// <summary>Creates the reader over the header the subclass has read.</summary>
    private protected BronzeRowReader(string file, SourceDescription description, IReadOnlyList<string> columns)
    {
        File = file;
        Description = description;
        Columns = columns;
        _values = new string?[columns.Count];
    }

    /// <summary>The source's URI, used in messages.</summary>
    public string File { get; }

    /// <summary>What was sniffed: format, compression, delimiter, encoding and warnings.</summary>
    public SourceDescription Description { get; }

    /// <summary>Column names exactly as in the source (header fields, JSON keys, Parquet column paths).</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The current row's values, one per column; the list is reused for the next row, so copy what you keep.</summary>
    public IReadOnlyList<string?> Values
    {
        get
        {
            if (ValuesPending)
            {
                FillValues(_values);
                ValuesPending = false;
            }

            return _values;
        }
    }

    /// <summary>Values of the current row beyond the header, as a JSON array of strings; null when there are none.</summary>
    public string? ExtraFields { get; private protected set; }

    /// <summary>Why the current row does not fit the header (too many or too few fields, not an object); null when it does.</summary>
    public string? RowIssue { get; private protected set; }

    /// <summary>1-based number of the current data row (the header is not counted; blank lines are skipped).</summary>
    public long RowNumber { get; private set; }

    /// <summary>Bytes read from the object so far (compressed bytes for gzip).</summary>
    public abstract long BytesRead { get; }

    /// <summary>The buffer subclasses fill with the current row.</summary>
    private protected string?[] Current => _values;

    /// <summary>True when the current row's values are still in the parser, to be made strings only if asked for.</summary>
    private protected bool ValuesPending { get; set; }

    /// <summary>The sentence explaining that the file has no data rows, for <see cref="BronzeRules.NoRows"/>.</summary>
    private protected abstract string NoRowsReason { get; }

    /// <summary>
    /// Moves to the next row; false at the end. Throws <see cref="UnreadableFileException"/> when the file turns out
    /// to be unreadable, including a file without a single data row.
    /// </summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (await ReadRowAsync(cancellationToken))
        {
            RowNumber++;
            return true;
        }

        if (RowNumber == 0)
        {
            throw new UnreadableFileException(NoRowsReason, File, BronzeRules.NoRows);
        }

        return false;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Appends the current row, with its issue, extra fields and number, to a batch bound for bronze Parquet.</summary>
    internal virtual void AppendTo(BronzeRowBatch batch)
    {
        foreach (var value in Values)
        {
            batch.Add(value);
        }

        batch.EndRow(ExtraFields, RowIssue, RowNumber);
    }

    /// <summary>Makes the current row's values strings when <see cref="ValuesPending"/> (readers that set it override this).</summary>
    private protected virtual void FillValues(string?[] values)
    {
    }

    /// <summary>Reads the next row into <see cref="Current"/> (or sets <see cref="ValuesPending"/>), <see cref="ExtraFields"/> and <see cref="RowIssue"/>.</summary>
    private protected abstract ValueTask<bool> ReadRowAsync(CancellationToken cancellationToken);

    /// <summary>Releases the source stream and any spooled file.</summary>
    private protected abstract ValueTask DisposeCoreAsync();
}
