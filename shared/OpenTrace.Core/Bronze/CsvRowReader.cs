using System.Globalization;
using System.Text.Json;
using Sylvan.Data.Csv;

namespace OpenTrace.Core.Bronze;

/// <summary>Delimited text through Sylvan's CSV reader: RFC 4180 quoting, any line ending, ragged rows kept.</summary>
internal sealed class CsvRowReader : BronzeRowReader
{
    /// <summary>A record longer than this (in characters) is most likely an unclosed quote swallowing the file.</summary>
    private const int MaxRecordChars = 32 << 20;

    private readonly OpenedContent _content;
    private readonly CsvDataReader _csv;
    private readonly int _width;
    private int _fields;

    private CsvRowReader(string file, OpenedContent content, SourceDescription description, CsvDataReader csv, IReadOnlyList<string> columns)
        : base(file, description, columns)
    {
        _content = content;
        _csv = csv;
        _width = columns.Count;
    }

    public override long BytesRead => _content.Counter.BytesRead;

    private protected override string NoRowsReason => Columns.Count == 0
        ? "it has no header and no data rows."
        : string.Create(CultureInfo.InvariantCulture, $"it has a header ({Columns.Count} columns: {Preview(Columns)}) but no data rows.");

    internal static async Task<CsvRowReader> CreateAsync(string file, OpenedContent content, SourceDescription description, CancellationToken cancellationToken)
    {
        var text = new StreamReader(content.Content, content.Encoding, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        var options = new CsvDataReaderOptions
        {
            Delimiter = description.Delimiter ?? ',',
            HasHeaders = true,
            BufferSize = 1 << 16,
            MaxBufferSize = MaxRecordChars,
            OwnsReader = true,
        };
        try
        {
            var csv = await CsvDataReader.CreateAsync(text, options, cancellationToken);
            var columns = new string[csv.FieldCount];
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i] = csv.GetName(i);
            }

            BronzeReader.CheckColumnCount(columns.Length, file);
            return new CsvRowReader(file, content, description, csv, columns);
        }
        catch (CsvFormatException ex)
        {
            throw Malformed(ex, file, row: null);
        }
    }

    private protected override async ValueTask<bool> ReadRowAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _csv.ReadAsync(cancellationToken))
            {
                var fields = _csv.RowFieldCount;
                if (fields == 1 && _csv.GetFieldSpan(0).IsEmpty)
                {
                    continue; // a blank line is not a row
                }

                Describe(fields);
                return true;
            }

            return false;
        }
        catch (CsvFormatException ex)
        {
            throw Malformed(ex, File, RowNumber + 1);
        }
    }

    private protected override async ValueTask DisposeCoreAsync()
    {
        await _csv.DisposeAsync();
        await _content.DisposeAsync();
    }

    private static UnreadableFileException Malformed(CsvFormatException ex, string file, long? row)
    {
        var reason = ex is CsvRecordTooLargeException
            ? FormattableString.Invariant($"a record is longer than {MaxRecordChars >> 20} M characters; most likely a quote opens a field and is never closed.")
            : $"it cannot be split into records: {ex.Message.TrimEnd('.')}. Check the quoting near that row.";
        return new UnreadableFileException(reason, file, BronzeRules.CsvMalformed, row, ex);
    }

    private static string Preview(IReadOnlyList<string> columns) =>
        columns.Count <= 5 ? string.Join(", ", columns) : string.Join(", ", columns.Take(5)) + ", ...";

    /// <summary>Values as strings, only when someone asks for them: bronze Parquet takes them straight from the parser.</summary>
    private protected override void FillValues(string?[] values)
    {
        var shared = Math.Min(_fields, _width);
        for (var i = 0; i < shared; i++)
        {
            values[i] = _csv.GetString(i);
        }

        for (var i = shared; i < _width; i++)
        {
            values[i] = null;
        }
    }

    internal override void AppendTo(BronzeRowBatch batch)
    {
        var shared = Math.Min(_fields, _width);
        for (var i = 0; i < shared; i++)
        {
            batch.Add(_csv.GetFieldSpan(i));
        }

        for (var i = shared; i < _width; i++)
        {
            batch.AddNull();
        }

        batch.EndRow(ExtraFields, RowIssue, RowNumber);
    }

    /// <summary>Notes the row's field count and says whether it fits the header; its values stay in the parser.</summary>
    private void Describe(int fields)
    {
        _fields = fields;
        ValuesPending = true;
        if (fields == _width)
        {
            ExtraFields = null;
            RowIssue = null;
        }
        else if (fields < _width)
        {
            ExtraFields = null;
            var missing = _width - fields;
            RowIssue = string.Create(CultureInfo.InvariantCulture,
                $"row has {fields} fields but the header has {_width}; {(missing == 1 ? "the missing field is" : $"the {missing} missing fields are")} null");
        }
        else
        {
            var extra = new string[fields - _width];
            for (var i = 0; i < extra.Length; i++)
            {
                extra[i] = _csv.GetString(_width + i);
            }

            ExtraFields = JsonSerializer.Serialize(extra, BronzeTable.JsonOptions);
            RowIssue = string.Create(CultureInfo.InvariantCulture,
                $"row has {fields} fields but the header has {_width}; {(extra.Length == 1 ? "the extra field is" : $"the {extra.Length} extra fields are")} kept in {BronzeTable.ExtraFields}");
        }
    }
}
