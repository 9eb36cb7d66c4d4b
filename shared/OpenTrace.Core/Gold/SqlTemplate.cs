using System.Globalization;
using System.Text;

namespace OpenTrace.Core.Gold;

/// <summary>
/// SQL text with <c>{{ macro(args) }}</c> calls, parsed once. Arguments are single- or double-quoted strings (backslash
/// escapes), numbers, <c>true</c>/<c>false</c>, nested calls, and <c>name=value</c> named arguments.
/// </summary>
public sealed class SqlTemplate
{
    private SqlTemplate(string path, IReadOnlyList<TemplatePart> parts)
    {
        Path = path;
        Parts = parts;
    }

    /// <summary>The file the text came from (for error messages).</summary>
    public string Path { get; }

    /// <summary>Text and calls in order.</summary>
    public IReadOnlyList<TemplatePart> Parts { get; }

    /// <summary>Every call, nested ones included, in order of appearance.</summary>
    public IEnumerable<TemplateCall> Calls => Parts.OfType<TemplateCallPart>().SelectMany(p => p.Call.SelfAndNested());

    /// <summary>
    /// Parses <paramref name="text"/>, whose first line is line <paramref name="firstLine"/> of <paramref name="path"/>.
    /// Throws <see cref="OpenTraceException"/> naming the file and line of a malformed call.
    /// </summary>
    public static SqlTemplate Parse(string path, string text, int firstLine = 1)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<TemplatePart>();
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(new TemplateTextPart(text[position..]));
                break;
            }

            if (open > position)
            {
                parts.Add(new TemplateTextPart(text[position..open]));
            }

            var line = firstLine + CountLines(text, 0, open);
            var parser = new ExpressionParser(path, text, open + 2, line);
            var call = parser.ParseCall();
            parser.SkipSpace();
            if (!parser.Consume("}}"))
            {
                throw new OpenTraceException($"Expected '}}}}' to close the macro call '{call.Name}(...)'.", file: path, row: parser.Line, rule: "template");
            }

            parts.Add(new TemplateCallPart(call));
            position = parser.Position;
        }

        return new SqlTemplate(path, parts);
    }

    /// <summary>
    /// Parses a single expression such as <c>ref('dim_customers')</c> written in a header value at
    /// <paramref name="line"/> of <paramref name="path"/>.
    /// </summary>
    public static TemplateCall ParseCall(string path, string text, int line)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new ExpressionParser(path, text, 0, line);
        var call = parser.ParseCall();
        parser.SkipSpace();
        if (parser.Position != text.Length)
        {
            throw new OpenTraceException($"Unexpected text after '{call.Name}(...)' in '{text}'.", file: path, row: line, rule: "template");
        }

        return call;
    }

    /// <summary>Renders the template, replacing each call by what <paramref name="render"/> returns for it.</summary>
    public string Render(Func<TemplateCall, string> render)
    {
        ArgumentNullException.ThrowIfNull(render);
        var sql = new StringBuilder();
        foreach (var part in Parts)
        {
            sql.Append(part switch
            {
                TemplateTextPart text => text.Text,
                TemplateCallPart call => render(call.Call),
                _ => throw new InvalidOperationException("Unknown template part."),
            });
        }

        return sql.ToString();
    }

    private static int CountLines(string text, int from, int to)
    {
        var lines = 0;
        for (var i = from; i < to; i++)
        {
            if (text[i] == '\n')
            {
                lines++;
            }
        }

        return lines;
    }

    private sealed class ExpressionParser(string path, string text, int position, int line)
    {
        public int Position { get; private set; } = position;

        public int Line { get; private set; } = line;

        public void SkipSpace()
        {
            while (Position < text.Length && char.IsWhiteSpace(text[Position]))
            {
                if (text[Position] == '\n')
                {
                    Line++;
                }

                Position++;
            }
        }

        public bool Consume(string token)
        {
            if (string.CompareOrdinal(text, Position, token, 0, token.Length) == 0)
            {
                Position += token.Length;
                return true;
            }

            return false;
        }

        public TemplateCall ParseCall()
        {
            SkipSpace();
            var line = Line;
            var name = ReadIdentifier() ?? throw Error("Expected a macro name, e.g. ref('model').");
            SkipSpace();
            if (!Consume("("))
            {
                throw Error($"Expected '(' after '{name}': macros are called like {name}(...).");
            }

            var args = new List<TemplateValue>();
            var named = new Dictionary<string, TemplateValue>(StringComparer.Ordinal);
            SkipSpace();
            if (!Consume(")"))
            {
                while (true)
                {
                    SkipSpace();
                    var start = Position;
                    var argName = ReadIdentifier();
                    SkipSpace();
                    if (argName is not null && Consume("="))
                    {
                        if (!named.TryAdd(argName, ParseValue()))
                        {
                            throw Error($"Argument '{argName}' of {name}(...) is given twice.");
                        }
                    }
                    else
                    {
                        Position = start;
                        if (named.Count > 0)
                        {
                            throw Error($"In {name}(...), positional arguments must come before named ones.");
                        }

                        args.Add(ParseValue());
                    }

                    SkipSpace();
                    if (Consume(")"))
                    {
                        break;
                    }

                    if (!Consume(","))
                    {
                        throw Error($"Expected ',' or ')' in the arguments of {name}(...).");
                    }
                }
            }

            return new TemplateCall(name, args, named, path, line);
        }

        private TemplateValue ParseValue()
        {
            SkipSpace();
            if (Position >= text.Length)
            {
                throw Error("The macro call is not closed.");
            }

            var c = text[Position];
            if (c is '\'' or '"')
            {
                return new TemplateString(ReadString(c));
            }

            if (char.IsDigit(c) || c == '-')
            {
                var start = Position++;
                while (Position < text.Length && (char.IsDigit(text[Position]) || text[Position] == '.'))
                {
                    Position++;
                }

                var token = text[start..Position];
                return decimal.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
                    ? new TemplateNumber(number)
                    : throw Error($"'{token}' is not a number.");
            }

            var start2 = Position;
            var identifier = ReadIdentifier();
            if (identifier is "true" or "false")
            {
                return new TemplateBool(identifier == "true");
            }

            if (identifier is null)
            {
                throw Error($"Unexpected '{c}': arguments are quoted strings, numbers, true/false or macro calls.");
            }

            Position = start2;
            return new TemplateCallValue(ParseCall());
        }

        private string ReadString(char quote)
        {
            var line = Line;
            Position++;
            var value = new StringBuilder();
            while (Position < text.Length)
            {
                var c = text[Position++];
                if (c == quote)
                {
                    return value.ToString();
                }

                if (c == '\n')
                {
                    Line++;
                }

                if (c == '\\' && Position < text.Length)
                {
                    var escaped = text[Position++];
                    value.Append(escaped switch
                    {
                        'n' => '\n',
                        't' => '\t',
                        _ => escaped,
                    });
                    continue;
                }

                value.Append(c);
            }

            throw new OpenTraceException("A quoted string in a macro call is not closed.", file: path, row: line, rule: "template");
        }

        private string? ReadIdentifier()
        {
            var start = Position;
            if (Position < text.Length && (char.IsAsciiLetter(text[Position]) || text[Position] == '_'))
            {
                Position++;
                while (Position < text.Length && (char.IsAsciiLetterOrDigit(text[Position]) || text[Position] == '_'))
                {
                    Position++;
                }
            }

            return Position > start ? text[start..Position] : null;
        }

        private OpenTraceException Error(string message) => new(message, file: path, row: Line, rule: "template");
    }
}

/// <summary>A piece of a <see cref="SqlTemplate"/>.</summary>
public abstract record TemplatePart;

/// <summary>Literal SQL text.</summary>
/// <param name="Text">The text, unchanged.</param>
public sealed record TemplateTextPart(string Text) : TemplatePart;

/// <summary>A <c>{{ call }}</c>.</summary>
/// <param name="Call">The call.</param>
public sealed record TemplateCallPart(TemplateCall Call) : TemplatePart;

/// <summary>An argument value of a macro call.</summary>
public abstract record TemplateValue;

/// <summary>A quoted string.</summary>
/// <param name="Value">The unescaped text.</param>
public sealed record TemplateString(string Value) : TemplateValue;

/// <summary>A number.</summary>
/// <param name="Value">The number.</param>
public sealed record TemplateNumber(decimal Value) : TemplateValue;

/// <summary><c>true</c> or <c>false</c>.</summary>
/// <param name="Value">The value.</param>
public sealed record TemplateBool(bool Value) : TemplateValue;

/// <summary>A nested call, e.g. <c>source('silver', 'olist__orders')</c> inside <c>changed(...)</c>.</summary>
/// <param name="Call">The call.</param>
public sealed record TemplateCallValue(TemplateCall Call) : TemplateValue;

/// <summary>One macro call with where it was written.</summary>
/// <param name="Name">Macro name.</param>
/// <param name="Arguments">Positional arguments.</param>
/// <param name="Named">Named arguments; empty when none.</param>
/// <param name="Path">File it was written in.</param>
/// <param name="Line">1-based line of the call.</param>
public sealed record TemplateCall(string Name, IReadOnlyList<TemplateValue> Arguments, IReadOnlyDictionary<string, TemplateValue> Named, string Path, int Line)
{
    /// <summary>This call and every call nested in its arguments.</summary>
    public IEnumerable<TemplateCall> SelfAndNested()
    {
        yield return this;
        foreach (var value in Arguments.Concat(Named.Values))
        {
            if (value is TemplateCallValue nested)
            {
                foreach (var call in nested.Call.SelfAndNested())
                {
                    yield return call;
                }
            }
        }
    }

    /// <summary>A failure at this call, naming the file and line.</summary>
    public OpenTraceException Error(string message) => new(message, file: Path, row: Line, rule: "template");

    /// <summary>Checks the call has between <paramref name="min"/> and <paramref name="max"/> positional arguments and only the named ones allowed.</summary>
    public void Expect(int min, int max, string usage, params string[] named)
    {
        if (Arguments.Count < min || Arguments.Count > max)
        {
            throw Error($"{Name}(...) takes {(min == max ? min.ToString(CultureInfo.InvariantCulture) : $"{min} to {max}")} argument{(max == 1 ? string.Empty : "s")}: {usage}.");
        }

        var unknown = Named.Keys.FirstOrDefault(k => !named.Contains(k, StringComparer.Ordinal));
        if (unknown is not null)
        {
            throw Error($"{Name}(...) has no argument named '{unknown}'. Usage: {usage}.");
        }
    }

    /// <summary>Positional argument <paramref name="index"/> as a string; throws naming the call when it is not one.</summary>
    public string String(int index, string what) => Arguments[index] is TemplateString s
        ? s.Value
        : throw Error($"Argument {index + 1} of {Name}(...) must be a quoted string ({what}).");

    /// <summary>A named boolean argument, or <paramref name="fallback"/> when absent.</summary>
    public bool Bool(string name, bool fallback) => Named.TryGetValue(name, out var value)
        ? value is TemplateBool b ? b.Value : throw Error($"Argument '{name}' of {Name}(...) must be true or false.")
        : fallback;
}
