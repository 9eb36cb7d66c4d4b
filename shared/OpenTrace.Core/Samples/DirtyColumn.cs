namespace OpenTrace.Core.Samples;

/// <summary>Where a categorical or optional value may get dirt: one column of one file.</summary>
internal sealed class DirtyColumn
{
    private readonly BlockSampler? _drift;
    private readonly BlockSampler? _empty;

    /// <param name="seed">Generator seed.</param>
    /// <param name="column">Column name; it keys the positions.</param>
    /// <param name="dirty">False: values pass through unchanged.</param>
    public DirtyColumn(long seed, string column, bool dirty)
    {
        if (!dirty)
        {
            return;
        }

        var key = seed ^ (long)SampleHash.OfText(column);
        _drift = OlistDirt.DriftColumns.Contains(column) ? new BlockSampler(key, SampleStream.DirtDrift, OlistDirt.DriftOneIn) : null;
        _empty = OlistDirt.EmptyStringColumns.Contains(column) ? new BlockSampler(key, SampleStream.DirtEmpty, OlistDirt.EmptyStringOneIn) : null;
    }

    /// <summary>Writes the value of row <paramref name="row"/>, drifted or emptied when this row is hit.</summary>
    /// <param name="writer">Target.</param>
    /// <param name="row">Row index within the file (before duplicates).</param>
    /// <param name="value">The clean value; null writes a NULL and is never dirtied.</param>
    /// <param name="accented">An accented spelling that drift may use instead (cities), or null.</param>
    public void Write(CsvFileWriter writer, long row, string? value, string? accented = null)
    {
        if (value is null)
        {
            writer.Null();
        }
        else if (_empty is not null && _empty.Hit(row))
        {
            writer.QuotedEmpty();
        }
        else if (_drift is not null && _drift.Hit(row))
        {
            writer.Field(Drift(value, accented, _drift.Block(row)));
        }
        else
        {
            writer.Field(value);
        }
    }

    /// <summary>Writes a timestamp that may be emptied (never drifted).</summary>
    public void Write(CsvFileWriter writer, long row, long? seconds)
    {
        if (seconds is not null && _empty is not null && _empty.Hit(row))
        {
            writer.QuotedEmpty();
        }
        else
        {
            writer.Timestamp(seconds);
        }
    }

    internal static string Drift(string value, string? accented, long block)
    {
        var kinds = accented is not null && accented != value ? 5 : 4;
        return (block % kinds) switch
        {
            0 => " " + value,
            1 => value + " ",
            2 => value.Any(char.IsLower) ? value.ToUpperInvariant() : value.ToLowerInvariant(),
            3 => TitleCase(value),
            _ => accented!,
        };
    }

    private static string TitleCase(string value)
    {
        var chars = value.ToCharArray();
        var start = true;
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = start ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
            start = chars[i] is '_' or ' ' or '-';
        }

        return new string(chars);
    }
}
