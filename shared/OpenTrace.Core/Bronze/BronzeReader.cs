using System.Globalization;
using System.Text;

namespace OpenTrace.Core.Bronze;

/// <summary>Opens the source object from its first byte. Bronze may call it more than once (a second pass, a restart).</summary>
public delegate Task<Stream> SourceOpener(CancellationToken cancellationToken);

/// <summary>A source file to read.</summary>
/// <param name="Uri">Where it is (<c>gs://bucket/name</c> or a path); named in every message about it.</param>
/// <param name="Open">Opens it from the start.</param>
public sealed record BronzeSource(string Uri, SourceOpener Open)
{
    /// <summary>A local file.</summary>
    public static BronzeSource FromFile(string path) =>
        new(path, _ => Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous)));
}

/// <summary>
/// Reads any file bronze accepts as rows of text: sniffs gzip, Parquet, JSON array, NDJSON or delimited text and
/// its encoding, then hands a <see cref="BronzeRowReader"/> to the caller. Memory stays bounded whatever the size.
/// </summary>
public static class BronzeReader
{
    /// <summary>BigQuery allows 10,000 columns; bronze keeps a few for lineage.</summary>
    public const int MaxColumns = 9_990;

    private static readonly Encoding Windows1252 = CreateWindows1252();

    /// <summary>
    /// Opens <paramref name="source"/> and runs <paramref name="consume"/> over its rows. Text that is not valid UTF-8
    /// is read as Windows-1252 with a warning in <see cref="SourceDescription.Warnings"/>; when the invalid bytes
    /// only show up after the sniffed head, the read restarts from the beginning and <paramref name="consume"/> is
    /// called again, so it must start from scratch each time. Throws <see cref="UnreadableFileException"/> for a
    /// file that can never be read.
    /// </summary>
    public static async Task<T> ReadAsync<T>(BronzeSource source, Func<BronzeRowReader, CancellationToken, Task<T>> consume, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(consume);
        try
        {
            await using var reader = await OpenAsync(source, fallbackWarning: null, cancellationToken);
            return await consume(reader, cancellationToken);
        }
        catch (InvalidUtf8Exception ex)
        {
            await using var reader = await OpenAsync(source, Latin1Warning(source.Uri, ex.Offset), cancellationToken);
            return await consume(reader, cancellationToken);
        }
    }

    /// <summary>Opens a reader; with <paramref name="fallbackWarning"/> set, text is read as Windows-1252.</summary>
    private static async Task<BronzeRowReader> OpenAsync(BronzeSource source, string? fallbackWarning, CancellationToken cancellationToken)
    {
        var opened = await OpenContentAsync(source, forceWindows1252: fallbackWarning is not null, cancellationToken);
        try
        {
            var sniff = opened.Sniff;
            var warning = sniff.InvalidUtf8At is { } at ? Latin1Warning(source.Uri, at) : fallbackWarning;
            var description = new SourceDescription(
                sniff.Format,
                opened.Gzip,
                sniff.Delimiter,
                sniff.Format == SourceFormat.Parquet ? null : opened.Encoding.WebName,
                sniff.ByteOrderMark,
                warning is null ? [] : [warning]);
            return sniff.Format switch
            {
                SourceFormat.Delimited => await CsvRowReader.CreateAsync(source.Uri, opened, description, cancellationToken),
                SourceFormat.Parquet => await ParquetRowReader.CreateAsync(source.Uri, opened, description, cancellationToken),
                _ => await JsonRowReader.CreateAsync(source, opened, description, cancellationToken),
            };
        }
        catch
        {
            await opened.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Opens the object, undoes gzip, sniffs the head and returns the content positioned after any byte order mark,
    /// wrapped so that invalid UTF-8 further on is noticed.
    /// </summary>
    internal static async Task<OpenedContent> OpenContentAsync(BronzeSource source, bool forceWindows1252, CancellationToken cancellationToken)
    {
        var counter = new CountingStream(await source.Open(cancellationToken));
        Stream rest = counter;
        try
        {
            var (head, length) = await ReadHeadAsync(counter, cancellationToken);
            if (length == 0)
            {
                throw new UnreadableFileException("the file is empty (0 bytes).", source.Uri, BronzeRules.Empty);
            }

            var gzip = FormatSniffer.IsGzip(head);
            if (gzip)
            {
                rest = new GzipReadStream(new ReplayStream(head, 0, length, counter), counter, source.Uri);
                (head, length) = await ReadHeadAsync(rest, cancellationToken);
                if (length == 0)
                {
                    throw new UnreadableFileException("it is gzip-compressed but holds no data (0 bytes after decompression).", source.Uri, BronzeRules.Empty);
                }
            }

            var sniff = FormatSniffer.Sniff(head.AsSpan(0, length), complete: length < head.Length, source.Uri);
            Stream content = new ReplayStream(head, sniff.SkipBytes, length - sniff.SkipBytes, rest);
            var windows1252 = forceWindows1252 || sniff.InvalidUtf8At is not null;
            if (sniff.Format != SourceFormat.Parquet && !windows1252)
            {
                content = new Utf8ValidatingStream(content, sniff.SkipBytes);
            }

            return new OpenedContent(content, counter, sniff, gzip, windows1252 ? Windows1252 : new UTF8Encoding(false));
        }
        catch
        {
            await rest.DisposeAsync();
            throw;
        }
    }

    /// <summary>Throws <see cref="UnreadableFileException"/> when a file has more columns than a table can hold.</summary>
    internal static void CheckColumnCount(int count, string file)
    {
        if (count > MaxColumns)
        {
            throw new UnreadableFileException(
                FormattableString.Invariant($"it has {count} columns; a bronze table holds at most {MaxColumns}. Split the file by columns."),
                file, BronzeRules.TooManyColumns);
        }
    }

    private static string Latin1Warning(string file, long offset) => string.Create(CultureInfo.InvariantCulture,
        $"{file} is not valid UTF-8 (the first invalid byte is at offset {offset}); it was read as Windows-1252 (Latin-1). Save files as UTF-8 to avoid this.");

    private static async Task<(byte[] Head, int Length)> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new byte[FormatSniffer.WindowSize];
        var length = 0;
        while (length < head.Length)
        {
            var read = await stream.ReadAsync(head.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        return (head, length);
    }

    private static Encoding CreateWindows1252()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    }
}

/// <summary>An opened source: the decoded byte stream, its counter and what the sniffer found.</summary>
/// <param name="Content">Uncompressed content after any byte order mark.</param>
/// <param name="Counter">Counts bytes read from the object itself.</param>
/// <param name="Sniff">The sniffer's verdict.</param>
/// <param name="Gzip">True when the object was gzip.</param>
/// <param name="Encoding">The text encoding to decode <paramref name="Content"/> with.</param>
internal sealed record OpenedContent(Stream Content, CountingStream Counter, SniffResult Sniff, bool Gzip, Encoding Encoding) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
