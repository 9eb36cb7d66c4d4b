namespace OpenTrace.Core;

/// <summary>
/// A problem with the data or definitions a user supplied, carrying where it is (file, row, field) and the rule
/// that was broken. <see cref="Exception.Message"/> is a sentence a data engineer can act on.
/// </summary>
public class OpenTraceException : Exception
{
    /// <summary>Creates the exception; every location part is optional.</summary>
    public OpenTraceException(string message, string? file = null, long? row = null, string? field = null, string? rule = null, Exception? inner = null)
        : base(Compose(message, file, row, field, rule), inner)
    {
        Reason = message;
        File = file;
        Row = row;
        Field = field;
        Rule = rule;
    }

    /// <summary>The reason without the location prefix.</summary>
    public string Reason { get; }

    /// <summary>The file (URI or path) at fault, or null.</summary>
    public string? File { get; }

    /// <summary>1-based data row at fault, or null.</summary>
    public long? Row { get; }

    /// <summary>The field or column at fault, or null.</summary>
    public string? Field { get; }

    /// <summary>The rule that was broken, or null.</summary>
    public string? Rule { get; }

    private static string Compose(string message, string? file, long? row, string? field, string? rule)
    {
        var where = new List<string>(4);
        if (file is not null)
        {
            where.Add(file);
        }

        if (row is not null)
        {
            where.Add(FormattableString.Invariant($"row {row}"));
        }

        if (field is not null)
        {
            where.Add($"field '{field}'");
        }

        if (rule is not null)
        {
            where.Add($"rule {rule}");
        }

        return where.Count == 0 ? message : $"{string.Join(", ", where)}: {message}";
    }
}

/// <summary>A dependency failed in a way that retrying later may fix (throttling, 5xx, timeouts). Hosts answer 5xx.</summary>
public class TransientException(string message, Exception? inner = null) : Exception(message, inner);
