using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OpenTrace.Core.Bronze;

/// <summary>
/// A JSON array of objects or NDJSON, streamed one element at a time. The columns are the union of all keys in
/// order of first appearance, so the file is read twice: once for the keys, once for the rows. Strings are kept
/// unescaped, numbers exactly as written, nested objects and arrays as their JSON text.
/// </summary>
internal sealed class JsonRowReader : BronzeRowReader
{
    private readonly OpenedContent _content;
    private readonly IAsyncEnumerator<JsonElement> _elements;
    private readonly Dictionary<string, int> _index;
    private readonly bool[] _seen;
    private readonly List<string> _extra = [];

    private JsonRowReader(string file, OpenedContent content, SourceDescription description, IReadOnlyList<string> columns, Dictionary<string, int> index, CancellationToken cancellationToken)
        : base(file, description, columns)
    {
        _content = content;
        _index = index;
        _seen = new bool[columns.Count];
        _elements = Elements(content, description.Format, cancellationToken).GetAsyncEnumerator(cancellationToken);
    }

    public override long BytesRead => _content.Counter.BytesRead;

    private protected override string NoRowsReason => Description.Format == SourceFormat.JsonArray
        ? "it is an empty JSON array: there are no rows."
        : "it holds no JSON objects: there are no rows.";

    internal static async Task<JsonRowReader> CreateAsync(BronzeSource source, OpenedContent first, SourceDescription description, CancellationToken cancellationToken)
    {
        var columns = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (first)
        {
            await foreach (var element in Guard(Elements(first, description.Format, cancellationToken), source.Uri, cancellationToken))
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                foreach (var property in element.EnumerateObject())
                {
                    if (index.TryAdd(property.Name, columns.Count))
                    {
                        columns.Add(property.Name);
                        BronzeReader.CheckColumnCount(columns.Count, source.Uri);
                    }
                }
            }
        }

        var second = await BronzeReader.OpenContentAsync(source, forceWindows1252: first.Encoding.CodePage != Encoding.UTF8.CodePage, cancellationToken);
        return new JsonRowReader(source.Uri, second, description, columns, index, cancellationToken);
    }

    private protected override async ValueTask<bool> ReadRowAsync(CancellationToken cancellationToken)
    {
        bool more;
        try
        {
            more = await _elements.MoveNextAsync();
        }
        catch (JsonException ex)
        {
            throw Invalid(ex, File);
        }

        if (!more)
        {
            return false;
        }

        var element = _elements.Current;
        var values = Current;
        Array.Clear(values);
        Array.Clear(_seen);
        _extra.Clear();
        RowIssue = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            _extra.Add(element.GetRawText());
            RowIssue = $"element is {Article(element.ValueKind)}, not an object; its JSON is kept in {BronzeTable.ExtraFields}";
        }
        else
        {
            foreach (var property in element.EnumerateObject())
            {
                if (!_index.TryGetValue(property.Name, out var i) || _seen[i])
                {
                    _extra.Add(ToText(property.Value) ?? "null");
                    RowIssue ??= $"key '{property.Name}' appears more than once; the first value is kept and the others are in {BronzeTable.ExtraFields}";
                    continue;
                }

                _seen[i] = true;
                values[i] = ToText(property.Value);
            }
        }

        ExtraFields = _extra.Count == 0 ? null : JsonSerializer.Serialize(_extra, BronzeTable.JsonOptions);
        return true;
    }

    private protected override async ValueTask DisposeCoreAsync()
    {
        await _elements.DisposeAsync();
        await _content.DisposeAsync();
    }

    private static IAsyncEnumerable<JsonElement> Elements(OpenedContent content, SourceFormat format, CancellationToken cancellationToken)
    {
        var utf8 = content.Encoding.CodePage == Encoding.UTF8.CodePage
            ? content.Content
            : Encoding.CreateTranscodingStream(content.Content, content.Encoding, Encoding.UTF8, leaveOpen: true);
        return JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(utf8, topLevelValues: format == SourceFormat.Ndjson, cancellationToken: cancellationToken);
    }

    private static async IAsyncEnumerable<JsonElement> Guard(IAsyncEnumerable<JsonElement> elements, string file, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var enumerator = elements.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (JsonException ex)
            {
                throw Invalid(ex, file);
            }

            yield return enumerator.Current;
        }
    }

    private static UnreadableFileException Invalid(JsonException ex, string file)
    {
        var detail = ex.Message;
        var cut = detail.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            detail = detail[..cut];
        }

        var where = ex.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})")
            : string.Empty;
        return new UnreadableFileException($"it is not valid JSON{where}: {detail.TrimEnd('.')}.", file, BronzeRules.JsonInvalid, inner: ex);
    }

    private static string? ToText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(), // numbers exactly as written; objects and arrays as JSON
    };

    private static string Article(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.Null => "null",
        _ => "a boolean",
    };
}
