using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenTrace.Deploy.Tests.Hcl;

/// <summary>
/// Reads the subset of HCL native syntax the deployment is written in: arguments, blocks with labels, comments,
/// quoted strings with templates, tuples and objects of literals. Other expressions are kept as source text; their
/// extent is found by matching brackets, so an expression may span lines only inside brackets. Heredocs are refused.
/// </summary>
internal sealed partial class HclReader
{
    private readonly string _text;
    private readonly string _file;
    private readonly List<int> _lineStarts = [0];
    private int _position;

    private HclReader(string text, string file)
    {
        _text = text;
        _file = file;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    private bool AtEnd => _position >= _text.Length;

    private char Current => _text[_position];

    public static HclBody Read(string text, string file) => new HclReader(text, file).ReadFile();

    public static HclBody ReadFile(string path) => Read(File.ReadAllText(path), Path.GetFileName(path));

    private HclBody ReadFile()
    {
        var body = ReadBody();
        if (!AtEnd)
        {
            throw Error(_position, "unexpected '}'");
        }

        return body;
    }

    private HclBody ReadBody()
    {
        var attributes = new List<HclAttribute>();
        var blocks = new List<HclBlock>();
        while (true)
        {
            _position = SkipTrivia(_position, newlines: true);
            if (AtEnd || Current == '}')
            {
                return new HclBody(attributes, blocks);
            }

            var start = _position;
            var name = ReadIdentifier() ?? throw Error(_position, $"expected an argument or block name, found '{Current}'");
            _position = SkipTrivia(_position, newlines: false);
            if (!AtEnd && Current == '=' && Next(_position) != '=')
            {
                if (attributes.Exists(attribute => attribute.Name == name))
                {
                    throw Error(start, $"argument '{name}' is set twice");
                }

                _position = SkipTrivia(_position + 1, newlines: false);
                var end = ExpressionEnd(_position, stopAtComma: false);
                if (end == _position)
                {
                    throw Error(_position, $"argument '{name}' has no value");
                }

                attributes.Add(new HclAttribute(name, Parse(_position, end), Location(start)));
                _position = end;
                ExpectEndOfItem(name);
                continue;
            }

            var labels = new List<string>();
            while (!AtEnd && Current != '{')
            {
                if (Current == '"')
                {
                    var (label, after) = ReadString(_position);
                    labels.Add(label);
                    _position = after;
                }
                else
                {
                    labels.Add(ReadIdentifier() ?? throw Error(_position, $"expected a label or '{{' after '{name}', found '{Current}'"));
                }

                _position = SkipTrivia(_position, newlines: false);
            }

            if (AtEnd)
            {
                throw Error(start, $"block '{name}' has no body");
            }

            _position++;
            var body = ReadBody();
            if (AtEnd)
            {
                throw Error(start, $"block '{name}' is not closed");
            }

            _position++;
            blocks.Add(new HclBlock(name, labels, body, Location(start)));
            ExpectEndOfItem(name);
        }
    }

    private void ExpectEndOfItem(string name)
    {
        _position = SkipTrivia(_position, newlines: false);
        if (!AtEnd && Current != '\n' && Current != '}')
        {
            throw Error(_position, $"unexpected '{Current}' after '{name}' (one argument or block per line)");
        }
    }

    private string? ReadIdentifier()
    {
        var start = _position;
        if (AtEnd || !(char.IsAsciiLetter(Current) || Current == '_'))
        {
            return null;
        }

        while (!AtEnd && (char.IsAsciiLetterOrDigit(Current) || Current is '_' or '-'))
        {
            _position++;
        }

        return _text[start.._position];
    }

    /// <summary>Parses the expression in [start, end): a literal when it is one entirely, else its source.</summary>
    private HclValue Parse(int start, int end)
    {
        var source = _text[start..end];
        var location = Location(start);
        return TryParseLiteral(start, end, source, location)
            ?? new HclExpression(WhiteSpace().Replace(source, " "), location);
    }

    private HclValue? TryParseLiteral(int start, int end, string source, HclLocation location)
    {
        switch (_text[start])
        {
            case '"':
                var (value, after) = ReadString(start);
                return SkipTrivia(after, newlines: false) >= end ? new HclString(source, location, value) : null;
            case '[':
                return TryParseTuple(start, end, source, location);
            case '{':
                return TryParseObject(start, end, source, location);
        }

        return source switch
        {
            "true" => new HclBool(source, location, true),
            "false" => new HclBool(source, location, false),
            "null" => new HclNull(source, location),
            _ when NumberLiteral().IsMatch(source) =>
                new HclNumber(source, location, decimal.Parse(source, NumberStyles.Float, CultureInfo.InvariantCulture)),
            _ => null,
        };
    }

    private HclTuple? TryParseTuple(int start, int end, string source, HclLocation location)
    {
        var items = StartsForExpression(start + 1) ? null : ReadItems<HclValue>(start, end, ']', position =>
        {
            var itemEnd = ExpressionEnd(position, stopAtComma: true);
            return itemEnd == position ? null : (Parse(position, itemEnd), itemEnd);
        });
        return items is null ? null : new HclTuple(source, location, items);
    }

    private HclObject? TryParseObject(int start, int end, string source, HclLocation location)
    {
        var items = StartsForExpression(start + 1) ? null : ReadItems<KeyValuePair<string, HclValue>>(start, end, '}', position =>
        {
            string key;
            if (_text[position] == '"')
            {
                (key, position) = ReadString(position);
            }
            else
            {
                _position = position;
                key = ReadIdentifier() ?? string.Empty;
                position = _position;
            }

            position = SkipTrivia(position, newlines: false);
            var separator = position < end ? _text[position] : '\0';
            if (key.Length == 0 || !(separator == ':' || (separator == '=' && Next(position) is not ('=' or '>'))))
            {
                return null;
            }

            position = SkipTrivia(position + 1, newlines: false);
            var valueEnd = ExpressionEnd(position, stopAtComma: true);
            return valueEnd == position ? null : (KeyValuePair.Create(key, Parse(position, valueEnd)), valueEnd);
        });
        if (items is null)
        {
            return null;
        }

        var duplicate = items.GroupBy(item => item.Key).FirstOrDefault(group => group.Count() > 1);
        return duplicate is null
            ? new HclObject(source, location, items)
            : throw Error(start, $"object key '{duplicate.Key}' is set twice");
    }

    /// <summary>
    /// Reads the items of the tuple or object opening at <paramref name="start"/>, separated by commas or line breaks,
    /// up to <paramref name="closer"/>; null when [start, end) is not exactly that collection.
    /// </summary>
    private List<T>? ReadItems<T>(int start, int end, char closer, Func<int, (T Item, int End)?> readItem)
    {
        var items = new List<T>();
        var position = start + 1;
        while (true)
        {
            position = SkipTrivia(position, newlines: true);
            if (position >= end)
            {
                return null;
            }

            if (_text[position] == closer)
            {
                return SkipTrivia(position + 1, newlines: false) >= end ? items : null;
            }

            if (readItem(position) is not { } read)
            {
                return null;
            }

            items.Add(read.Item);
            position = SkipTrivia(read.End, newlines: true);
            if (position < end && _text[position] == ',')
            {
                position++;
            }
        }
    }

    private bool StartsForExpression(int position)
    {
        position = SkipTrivia(position, newlines: true);
        return string.CompareOrdinal(_text, position, "for", 0, 3) == 0
            && position + 3 < _text.Length
            && char.IsWhiteSpace(_text[position + 3]);
    }

    /// <summary>
    /// The end of the expression starting at <paramref name="start"/>: a line break, comment, unmatched closing bracket
    /// or (in tuples and objects) comma outside brackets and strings. Trailing white space is not included.
    /// </summary>
    private int ExpressionEnd(int start, bool stopAtComma)
    {
        var depth = 0;
        var i = start;
        while (i < _text.Length)
        {
            var c = _text[i];
            if (c == '"')
            {
                i = SkipString(i);
                continue;
            }

            if (c == '<' && Next(i) == '<')
            {
                throw Error(i, "heredocs are not supported here; write a quoted string or jsonencode()");
            }

            if (c == '/' && Next(i) == '*')
            {
                i = SkipBlockComment(i);
                continue;
            }

            if (c == '#' || (c == '/' && Next(i) == '/'))
            {
                if (depth == 0)
                {
                    break;
                }

                i = LineEnd(i);
                continue;
            }

            if (c is '(' or '[' or '{')
            {
                depth++;
            }
            else if (c is ')' or ']' or '}')
            {
                if (depth == 0)
                {
                    break;
                }

                depth--;
            }
            else if (depth == 0 && (c == '\n' || (c == ',' && stopAtComma)))
            {
                break;
            }
            else if (depth == 0 && c == '=' && (i == start || _text[i - 1] is not ('=' or '!' or '<' or '>')) && Next(i) is not ('=' or '>'))
            {
                throw Error(i, "unexpected '=' inside an expression (one argument per line)");
            }

            i++;
        }

        if (depth > 0)
        {
            throw Error(start, "expression has an unclosed bracket");
        }

        while (i > start && char.IsWhiteSpace(_text[i - 1]))
        {
            i--;
        }

        return i;
    }

    /// <summary>Reads the quoted string at <paramref name="start"/>: its value (escapes resolved, templates as written) and the index after it.</summary>
    private (string Value, int After) ReadString(int start)
    {
        var value = new StringBuilder();
        var i = start + 1;
        while (true)
        {
            if (i >= _text.Length || _text[i] == '\n')
            {
                throw Error(start, "unterminated string");
            }

            var c = _text[i];
            if (c == '"')
            {
                return (value.ToString(), i + 1);
            }

            if (c == '\\')
            {
                var escaped = Next(i);
                value.Append(escaped switch
                {
                    'n' => "\n",
                    't' => "\t",
                    'r' => "\r",
                    '"' => "\"",
                    '\\' => "\\",
                    'u' when i + 5 < _text.Length =>
                        ((char)int.Parse(_text.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString(),
                    _ => throw Error(i, $"unknown escape '\\{escaped}'"),
                });
                i += escaped == 'u' ? 6 : 2;
                continue;
            }

            if (c is '$' or '%' && Next(i) == '{')
            {
                var templateEnd = SkipTemplate(i + 1);
                value.Append(_text, i, templateEnd - i);
                i = templateEnd;
                continue;
            }

            value.Append(c);
            i++;
        }
    }

    private int SkipString(int start) => ReadString(start).After;

    /// <summary>Skips a template sequence starting at its '{', with nested brackets and strings.</summary>
    private int SkipTemplate(int open)
    {
        var depth = 0;
        var i = open;
        while (i < _text.Length)
        {
            var c = _text[i];
            if (c == '"')
            {
                i = SkipString(i);
                continue;
            }

            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && --depth == 0)
            {
                return i + 1;
            }

            i++;
        }

        throw Error(open, "unterminated template sequence");
    }

    private int SkipBlockComment(int start)
    {
        var close = _text.IndexOf("*/", start + 2, StringComparison.Ordinal);
        return close < 0 ? throw Error(start, "unterminated comment") : close + 2;
    }

    private int LineEnd(int position)
    {
        var newline = _text.IndexOf('\n', position);
        return newline < 0 ? _text.Length : newline;
    }

    /// <summary>Skips spaces, tabs, comments and (when asked) line breaks.</summary>
    private int SkipTrivia(int position, bool newlines)
    {
        while (position < _text.Length)
        {
            var c = _text[position];
            if (c is ' ' or '\t' or '\r' || (c == '\n' && newlines))
            {
                position++;
            }
            else if (c == '#' || (c == '/' && Next(position) == '/'))
            {
                position = LineEnd(position);
            }
            else if (c == '/' && Next(position) == '*')
            {
                position = SkipBlockComment(position);
            }
            else
            {
                break;
            }
        }

        return position;
    }

    private char Next(int position) => position + 1 < _text.Length ? _text[position + 1] : '\0';

    private HclLocation Location(int position)
    {
        var line = _lineStarts.BinarySearch(position);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return new HclLocation(_file, line + 1, position - _lineStarts[line] + 1);
    }

    private HclSyntaxException Error(int position, string message) => new(Location(position), message);

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex NumberLiteral();
}
