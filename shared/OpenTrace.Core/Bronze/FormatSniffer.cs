using System.Text.Unicode;

namespace OpenTrace.Core.Bronze;

/// <summary>What the first bytes of a (decompressed) file say about it.</summary>
/// <param name="Format">The layout.</param>
/// <param name="Delimiter">Delimiter of delimited text, else null.</param>
/// <param name="SkipBytes">Bytes to skip before the content starts (a byte order mark, blank lines before a header).</param>
/// <param name="ByteOrderMark">True when a UTF-8 byte order mark was found.</param>
/// <param name="InvalidUtf8At">Offset of the first byte that is not valid UTF-8 within the window, or null when it is valid.</param>
internal readonly record struct SniffResult(SourceFormat Format, char? Delimiter, int SkipBytes, bool ByteOrderMark, long? InvalidUtf8At);

/// <summary>Recognises formats, encodings and delimiters from the head of a file. Pure: bytes in, a verdict out.</summary>
internal static class FormatSniffer
{
    /// <summary>How many leading bytes are examined.</summary>
    internal const int WindowSize = 1 << 20;

    private const int MaxSniffRecords = 200;
    private static readonly byte[] DelimiterCandidates = [(byte)',', (byte)';', (byte)'\t', (byte)'|'];

    /// <summary>True for the gzip magic bytes 1F 8B.</summary>
    internal static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B;

    /// <summary>
    /// Sniffs the head of uncompressed content. <paramref name="complete"/> says the head is the whole content
    /// (so its last record is complete). Throws <see cref="UnreadableFileException"/> for content bronze can never read.
    /// </summary>
    internal static SniffResult Sniff(ReadOnlySpan<byte> head, bool complete, string file)
    {
        if (head.Length >= 4 && head[..4].SequenceEqual("PAR1"u8))
        {
            return new SniffResult(SourceFormat.Parquet, null, 0, false, null);
        }

        if (head.Length >= 4 && head[..4].SequenceEqual("PK\u0003\u0004"u8))
        {
            throw new UnreadableFileException(
                "it is a ZIP archive (an Excel .xlsx workbook is one too), not CSV, JSON, NDJSON or Parquet. Unzip it (or export the sheet as CSV) and upload the files inside.",
                file, BronzeRules.Binary);
        }

        if (head.Length >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF)))
        {
            throw new UnreadableFileException(
                "it is UTF-16 or UTF-32 text (it starts with that byte order mark); save it as UTF-8 and upload it again.",
                file, BronzeRules.Encoding);
        }

        var bom = head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        var body = head[bom..];
        var nul = body.IndexOf((byte)0);
        if (nul >= 0)
        {
            throw new UnreadableFileException(
                FormattableString.Invariant($"it is not a text file: it contains NUL bytes (the first at byte {bom + nul}). Bronze reads CSV, JSON, NDJSON and Parquet, optionally gzip-compressed."),
                file, BronzeRules.Binary);
        }

        var controls = CountControlCharacters(body);
        if (controls > 3 && controls * 100L > body.Length)
        {
            throw new UnreadableFileException(
                FormattableString.Invariant($"it is not a text file: {controls} of its first {body.Length} bytes are control characters. Bronze reads CSV, JSON, NDJSON and Parquet, optionally gzip-compressed."),
                file, BronzeRules.Binary);
        }

        var first = body.IndexOfAnyExcept(" \t\r\n\f"u8);
        if (first < 0)
        {
            if (complete)
            {
                throw new UnreadableFileException("it contains only whitespace: there is no header and no data.", file, BronzeRules.Empty);
            }

            first = body.Length;
        }

        var invalidAt = Utf8Text.FirstInvalid(complete ? body : body[..^Utf8Text.IncompleteTail(body)]);
        long? invalidOffset = invalidAt < 0 ? null : bom + invalidAt;
        if (first < body.Length && body[first] == (byte)'[')
        {
            return new SniffResult(SourceFormat.JsonArray, null, bom, bom > 0, invalidOffset);
        }

        if (first < body.Length && body[first] == (byte)'{')
        {
            return new SniffResult(SourceFormat.Ndjson, null, bom, bom > 0, invalidOffset);
        }

        // Blank lines before the header are not part of the table.
        var leadingNewlines = body.IndexOfAnyExcept("\r\n"u8);
        var skip = bom + (leadingNewlines < 0 ? 0 : leadingNewlines);
        return new SniffResult(SourceFormat.Delimited, DetectDelimiter(head[skip..], complete), skip, bom > 0, invalidOffset);
    }

    /// <summary>
    /// Picks the delimiter among <c>,</c> <c>;</c> tab <c>|</c> that splits the header into more than one field and
    /// gives the most records with the header's field count (quote-aware, so delimiters and newlines inside quoted
    /// fields do not count). Ties go to the earlier candidate; a single-column file gets <c>,</c>.
    /// </summary>
    internal static char DetectDelimiter(ReadOnlySpan<byte> text, bool complete)
    {
        var best = ',';
        var bestConsistency = -1.0;
        var bestWidth = 1;
        Span<int> counts = stackalloc int[MaxSniffRecords];
        foreach (var candidate in DelimiterCandidates)
        {
            var records = CountFields(text, candidate, complete, counts);
            if (records == 0 || counts[0] < 2)
            {
                continue;
            }

            var header = counts[0];
            var matching = 0;
            for (var i = 1; i < records; i++)
            {
                matching += counts[i] == header ? 1 : 0;
            }

            var consistency = records == 1 ? 1.0 : matching / (double)(records - 1);
            if (consistency > bestConsistency || (consistency == bestConsistency && header > bestWidth))
            {
                best = (char)candidate;
                bestConsistency = consistency;
                bestWidth = header;
            }
        }

        return best;
    }

    /// <summary>Splits records the way RFC 4180 does and writes each record's field count; returns the number of records.</summary>
    private static int CountFields(ReadOnlySpan<byte> text, byte delimiter, bool complete, Span<int> counts)
    {
        var records = 0;
        var pos = 0;
        while (pos < text.Length && records < counts.Length)
        {
            var fields = 1;
            var inQuotes = false;
            var atFieldStart = true;
            var hasContent = false;
            var ended = false;
            while (pos < text.Length && !ended)
            {
                var b = text[pos++];
                if (inQuotes)
                {
                    if (b == (byte)'"')
                    {
                        if (pos < text.Length && text[pos] == (byte)'"')
                        {
                            pos++;
                        }
                        else
                        {
                            inQuotes = false;
                        }
                    }

                    continue;
                }

                if (b == (byte)'\n' || b == (byte)'\r')
                {
                    if (b == (byte)'\r' && pos < text.Length && text[pos] == (byte)'\n')
                    {
                        pos++;
                    }

                    ended = true;
                    continue;
                }

                hasContent = true;
                if (b == delimiter)
                {
                    fields++;
                    atFieldStart = true;
                }
                else
                {
                    inQuotes = atFieldStart && b == (byte)'"';
                    atFieldStart = false;
                }
            }

            if (!ended && !complete)
            {
                break; // the window cut this record
            }

            if (hasContent)
            {
                counts[records++] = fields;
            }
        }

        return records;
    }

    private static int CountControlCharacters(ReadOnlySpan<byte> body)
    {
        var count = 0;
        foreach (var b in body)
        {
            // Tab, LF, CR and form feed are text; so is the DOS end-of-file marker 0x1A.
            if ((b < 0x20 && b is not (0x09 or 0x0A or 0x0D or 0x0C or 0x1A)) || b == 0x7F)
            {
                count++;
            }
        }

        return count;
    }
}

/// <summary>UTF-8 validity helpers shared by the sniffer and the validating stream.</summary>
internal static class Utf8Text
{
    /// <summary>Offset of the first byte that is not valid UTF-8, or -1.</summary>
    internal static int FirstInvalid(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return -1;
        }

        var pos = 0;
        while (pos < bytes.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(bytes[pos..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return pos;
            }

            pos += consumed;
        }

        return -1;
    }

    /// <summary>How many trailing bytes start a multi-byte sequence that the span cuts off (0 to 3).</summary>
    internal static int IncompleteTail(ReadOnlySpan<byte> bytes)
    {
        for (var i = 1; i <= Math.Min(3, bytes.Length); i++)
        {
            var b = bytes[^i];
            if ((b & 0xC0) == 0x80)
            {
                continue; // continuation byte: look further back for the lead byte
            }

            var length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return length > i ? i : 0;
        }

        return 0;
    }
}
