namespace OpenTrace.Core.Contracts;

/// <summary>
/// A contract file is wrong: the message names the file, the line (<see cref="OpenTraceException.Row"/> holds it, as for
/// every YAML error), the field path (e.g. <c>columns[2].type</c>) and what to write instead.
/// </summary>
public sealed class ContractException : OpenTraceException
{
    /// <summary>Creates the exception; <paramref name="line"/> and <paramref name="column"/> are 1-based, 0 when unknown.</summary>
    public ContractException(string message, string file, int line, int column, string? field, Exception? inner = null)
        : base(message, file, line > 0 ? line : null, field, inner: inner)
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line in the file, 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column in the line, 0 when unknown.</summary>
    public int Column { get; }
}
