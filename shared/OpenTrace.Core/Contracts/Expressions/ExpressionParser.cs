using System.Globalization;
using System.Text;
using OpenTrace.Core.Silver;

namespace OpenTrace.Core.Contracts.Expressions;

/// <summary>A column an expression may reference: its ordinal in the contract and its value kind.</summary>
/// <param name="Ordinal">Position in the contract's columns.</param>
/// <param name="Kind">The kind its values have.</param>
public readonly record struct ExpressionColumn(int Ordinal, ValueKind Kind);

/// <summary>Parses and type-checks contract expressions (see <see cref="ContractExpression"/> for the language).</summary>
public static class ExpressionParser
{
    /// <summary>The functions an expression may call, with their signatures.</summary>
    public static IReadOnlyList<string> Functions { get; } =
    [
        "coalesce(x, y, …)", "length(text)", "lower(text)", "upper(text)", "trim(text)", "abs(number)",
        "starts_with(text, prefix)", "ends_with(text, suffix)", "contains(text, part)",
        "year(date|timestamp)", "month(date|timestamp)", "day(date|timestamp)",
        "days_between(from, to)", "hours_between(from, to)",
    ];

    /// <summary>
    /// Parses <paramref name="text"/>; <paramref name="columns"/> resolves a column name (case-insensitive as written
    /// in the contract) or returns null for an unknown name. Throws <see cref="ExpressionException"/> with the offset of
    /// the problem.
    /// </summary>
    public static ContractExpression Parse(string text, Func<string, ExpressionColumn?> columns)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(columns);
        var parser = new Parser(text, Tokenize(text), columns);
        var root = parser.ParseAll();
        return new ContractExpression(text, root, parser.Used);
    }

    private enum TokenType
    {
        Identifier,
        Number,
        String,
        Symbol,
        End,
    }

    private readonly record struct Token(TokenType Type, string Text, int Position)
    {
        public bool Is(string symbolOrKeyword) =>
            (Type == TokenType.Symbol && Text == symbolOrKeyword)
            || (Type == TokenType.Identifier && string.Equals(Text, symbolOrKeyword, StringComparison.OrdinalIgnoreCase));

        public string Describe() => Type switch
        {
            TokenType.End => "the end of the expression",
            TokenType.String => $"'{Text}'",
            _ => $"'{Text}'",
        };
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenType.Identifier, text[start..i], start));
            }
            else if (c == '"' || c == '`')
            {
                var start = i;
                var end = text.IndexOf(c, i + 1);
                if (end < 0)
                {
                    throw new ExpressionException($"the quoted name starting at {start + 1} is not closed.", start);
                }

                tokens.Add(new Token(TokenType.Identifier, text[(i + 1)..end], start));
                i = end + 1;
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }

                if (i < text.Length && text[i] is 'e' or 'E')
                {
                    i++;
                    if (i < text.Length && text[i] is '+' or '-')
                    {
                        i++;
                    }

                    while (i < text.Length && char.IsAsciiDigit(text[i]))
                    {
                        i++;
                    }
                }

                tokens.Add(new Token(TokenType.Number, text[start..i], start));
            }
            else if (c == '\'')
            {
                var start = i;
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new ExpressionException($"the text literal starting at {start + 1} is not closed (use '' for a quote inside it).", start);
                    }

                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'')
                        {
                            value.Append('\'');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    value.Append(text[i++]);
                }

                tokens.Add(new Token(TokenType.String, value.ToString(), start));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : null;
                if (two is "<=" or ">=" or "!=" or "<>" or "==")
                {
                    tokens.Add(new Token(TokenType.Symbol, two, i));
                    i += 2;
                }
                else if ("=<>+-*/%(),".Contains(c, StringComparison.Ordinal))
                {
                    tokens.Add(new Token(TokenType.Symbol, c.ToString(), i));
                    i++;
                }
                else
                {
                    throw new ExpressionException($"unexpected character '{c}' at {i + 1}.", i);
                }
            }
        }

        tokens.Add(new Token(TokenType.End, string.Empty, text.Length));
        return tokens;
    }

    private sealed class Parser(string text, List<Token> tokens, Func<string, ExpressionColumn?> columns)
    {
        private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
        {
            "and", "or", "not", "is", "null", "true", "false", "in", "between",
        };

        private int _next;

        public List<string> Used { get; } = [];

        private Token Current => tokens[_next];

        public ExpressionNode ParseAll()
        {
            if (Current.Type == TokenType.End)
            {
                throw new ExpressionException("the expression is empty.", 0);
            }

            var node = ParseOr();
            if (Current.Type != TokenType.End)
            {
                throw Error($"unexpected {Current.Describe()} at {Current.Position + 1}", Current);
            }

            if (node.Kind is not (ValueKind.Bool or ValueKind.Null))
            {
                throw new ExpressionException($"'{text}' gives a {Describe(node.Kind)}, not true or false; a rule needs a condition such as a comparison.", 0);
            }

            return node;
        }

        private ExpressionNode ParseOr()
        {
            var left = ParseAnd();
            while (Current.Is("or"))
            {
                var op = Take();
                var right = ParseAnd();
                left = new LogicalNode(false, RequireBool(left, op), RequireBool(right, op));
            }

            return left;
        }

        private ExpressionNode ParseAnd()
        {
            var left = ParseNot();
            while (Current.Is("and"))
            {
                var op = Take();
                var right = ParseNot();
                left = new LogicalNode(true, RequireBool(left, op), RequireBool(right, op));
            }

            return left;
        }

        private ExpressionNode ParseNot()
        {
            if (Current.Is("not"))
            {
                var op = Take();
                return new NotNode(RequireBool(ParseNot(), op));
            }

            return ParseComparison();
        }

        private ExpressionNode ParseComparison()
        {
            var left = ParseAdditive();
            var token = Current;
            if (token.Is("is"))
            {
                Take();
                var negated = Current.Is("not");
                if (negated)
                {
                    Take();
                }

                Expect("null");
                return new IsNullNode(left, negated);
            }

            var notIn = token.Is("not");
            if (notIn)
            {
                Take();
                if (!Current.Is("in") && !Current.Is("between"))
                {
                    throw Error($"expected 'in' or 'between' after 'not' at {token.Position + 1}", Current);
                }
            }

            if (Current.Is("in"))
            {
                var op = Take();
                Expect("(");
                var items = new List<ExpressionNode>();
                do
                {
                    var itemToken = Current;
                    items.Add(Coerce(ParseAdditive(), left.Kind, itemToken, op));
                }
                while (TakeIf(","));

                Expect(")");
                return new InNode(left, items, notIn);
            }

            if (Current.Is("between"))
            {
                var op = Take();
                var lowToken = Current;
                var low = ParseAdditive();
                Expect("and");
                var highToken = Current;
                var high = ParseAdditive();
                var range = new LogicalNode(
                    true,
                    MakeCompare(CompareOperator.GreaterOrEqual, left, low, op, lowToken),
                    MakeCompare(CompareOperator.LessOrEqual, left, high, op, highToken));
                return notIn ? new NotNode(range) : range;
            }

            CompareOperator? compare = token.Text switch
            {
                "=" or "==" when token.Type == TokenType.Symbol => CompareOperator.Equal,
                "!=" or "<>" when token.Type == TokenType.Symbol => CompareOperator.NotEqual,
                "<" when token.Type == TokenType.Symbol => CompareOperator.Less,
                "<=" when token.Type == TokenType.Symbol => CompareOperator.LessOrEqual,
                ">" when token.Type == TokenType.Symbol => CompareOperator.Greater,
                ">=" when token.Type == TokenType.Symbol => CompareOperator.GreaterOrEqual,
                _ => null,
            };
            if (compare is null)
            {
                return left;
            }

            Take();
            var rightToken = Current;
            var right = ParseAdditive();
            return MakeCompare(compare.Value, left, right, token, rightToken);
        }

        private CompareNode MakeCompare(CompareOperator op, ExpressionNode left, ExpressionNode right, Token opToken, Token rightToken)
        {
            right = Coerce(right, left.Kind, rightToken, opToken);
            left = Coerce(left, right.Kind, opToken, opToken);
            if (!Comparable(left.Kind, right.Kind))
            {
                throw Error($"cannot compare a {Describe(left.Kind)} with a {Describe(right.Kind)} ('{opToken.Text}' at {opToken.Position + 1})", opToken);
            }

            return new CompareNode(op, left, right);
        }

        private ExpressionNode ParseAdditive()
        {
            var left = ParseMultiplicative();
            while (Current.Type == TokenType.Symbol && Current.Text is "+" or "-")
            {
                var op = Take();
                var right = ParseMultiplicative();
                left = MakeArithmetic(op.Text == "+" ? ArithmeticOperator.Add : ArithmeticOperator.Subtract, left, right, op);
            }

            return left;
        }

        private ExpressionNode ParseMultiplicative()
        {
            var left = ParseUnary();
            while (Current.Type == TokenType.Symbol && Current.Text is "*" or "/" or "%")
            {
                var op = Take();
                var right = ParseUnary();
                var kind = op.Text switch
                {
                    "*" => ArithmeticOperator.Multiply,
                    "/" => ArithmeticOperator.Divide,
                    _ => ArithmeticOperator.Modulo,
                };
                left = MakeArithmetic(kind, left, right, op);
            }

            return left;
        }

        private ArithmeticNode MakeArithmetic(ArithmeticOperator op, ExpressionNode left, ExpressionNode right, Token token)
        {
            foreach (var side in new[] { left, right })
            {
                if (side.Kind != ValueKind.Null && !ExpressionValue.IsNumber(side.Kind))
                {
                    throw Error($"'{token.Text}' at {token.Position + 1} needs numbers, not a {Describe(side.Kind)}", token);
                }
            }

            var kind = left.Kind == ValueKind.Double || right.Kind == ValueKind.Double ? ValueKind.Double
                : left.Kind == ValueKind.Int && right.Kind == ValueKind.Int && op != ArithmeticOperator.Divide ? ValueKind.Int
                : ValueKind.Decimal;
            return new ArithmeticNode(op, left, right, kind);
        }

        private ExpressionNode ParseUnary()
        {
            if (Current.Type == TokenType.Symbol && Current.Text == "-")
            {
                var op = Take();
                var inner = ParseUnary();
                if (inner.Kind != ValueKind.Null && !ExpressionValue.IsNumber(inner.Kind))
                {
                    throw Error($"'-' at {op.Position + 1} needs a number, not a {Describe(inner.Kind)}", op);
                }

                return inner is LiteralNode literal ? new LiteralNode(new NegateNode(literal).Evaluate(NoRow.Instance)) : new NegateNode(inner);
            }

            return ParsePrimary();
        }

        private ExpressionNode ParsePrimary()
        {
            var token = Current;
            switch (token.Type)
            {
                case TokenType.Number:
                    Take();
                    return new LiteralNode(ParseNumber(token));
                case TokenType.String:
                    Take();
                    return new LiteralNode(ExpressionValue.FromString(token.Text));
                case TokenType.Symbol when token.Text == "(":
                    {
                        Take();
                        var inner = ParseOr();
                        Expect(")");
                        return inner;
                    }

                case TokenType.Identifier:
                    Take();
                    if (token.Is("true") || token.Is("false"))
                    {
                        return new LiteralNode(ExpressionValue.FromBool(token.Is("true")));
                    }

                    if (token.Is("null"))
                    {
                        return new LiteralNode(ExpressionValue.Null);
                    }

                    if (Current.Is("("))
                    {
                        return ParseCall(token);
                    }

                    if (Keywords.Contains(token.Text) && text[token.Position] is not ('"' or '`'))
                    {
                        throw Error($"unexpected '{token.Text}' at {token.Position + 1}", token);
                    }

                    var column = columns(token.Text) ?? throw Error($"unknown column '{token.Text}' at {token.Position + 1}", token);
                    if (!Used.Contains(token.Text, StringComparer.OrdinalIgnoreCase))
                    {
                        Used.Add(token.Text);
                    }

                    return new ColumnNode(column.Ordinal, column.Kind);
                default:
                    throw Error($"expected a value at {token.Position + 1} but found {token.Describe()}", token);
            }
        }

        private FunctionNode ParseCall(Token name)
        {
            Expect("(");
            var args = new List<ExpressionNode>();
            var argTokens = new List<Token>();
            if (!Current.Is(")"))
            {
                do
                {
                    argTokens.Add(Current);
                    args.Add(ParseOr());
                }
                while (TakeIf(","));
            }

            Expect(")");
            var fn = name.Text.ToLowerInvariant();
            switch (fn)
            {
                case "coalesce":
                    {
                        if (args.Count < 2)
                        {
                            throw Error("coalesce needs at least two arguments", name);
                        }

                        var kind = args.FirstOrDefault(a => a.Kind != ValueKind.Null)?.Kind ?? ValueKind.Null;
                        for (var i = 0; i < args.Count; i++)
                        {
                            args[i] = Coerce(args[i], kind, argTokens[i], name);
                            if (args[i].Kind != ValueKind.Null && args[i].Kind != kind && !(ExpressionValue.IsNumber(kind) && ExpressionValue.IsNumber(args[i].Kind)))
                            {
                                throw Error($"coalesce mixes a {Describe(kind)} with a {Describe(args[i].Kind)}", argTokens[i]);
                            }
                        }

                        return new FunctionNode(kind, args, values => values.FirstOrDefault(v => !v.IsNull), nullPropagates: false);
                    }

                case "length":
                    Arity(name, args, 1);
                    Require(args[0], ValueKind.String, argTokens[0], fn);
                    return new FunctionNode(ValueKind.Int, args, v => ExpressionValue.FromInt(v[0].Text.Length), nullPropagates: true);
                case "lower" or "upper" or "trim":
                    Arity(name, args, 1);
                    Require(args[0], ValueKind.String, argTokens[0], fn);
                    return new FunctionNode(ValueKind.String, args, fn switch
                    {
                        "lower" => v => ExpressionValue.FromString(v[0].Text.ToLowerInvariant()),
                        "upper" => v => ExpressionValue.FromString(v[0].Text.ToUpperInvariant()),
                        _ => v => ExpressionValue.FromString(v[0].Text.Trim()),
                    }, nullPropagates: true);
                case "abs":
                    Arity(name, args, 1);
                    if (!ExpressionValue.IsNumber(args[0].Kind))
                    {
                        throw Error($"abs needs a number, not a {Describe(args[0].Kind)}", argTokens[0]);
                    }

                    return new FunctionNode(args[0].Kind, args, v => v[0].Kind switch
                    {
                        ValueKind.Int => v[0].Long == long.MinValue ? ExpressionValue.Null : ExpressionValue.FromInt(Math.Abs(v[0].Long)),
                        ValueKind.Double => ExpressionValue.FromDouble(Math.Abs(v[0].AsDouble())),
                        _ => ExpressionValue.FromDecimal(Math.Abs(v[0].AsDecimal())),
                    }, nullPropagates: true);
                case "starts_with" or "ends_with" or "contains":
                    Arity(name, args, 2);
                    Require(args[0], ValueKind.String, argTokens[0], fn);
                    Require(args[1], ValueKind.String, argTokens[1], fn);
                    return new FunctionNode(ValueKind.Bool, args, fn switch
                    {
                        "starts_with" => v => ExpressionValue.FromBool(v[0].Text.StartsWith(v[1].Text, StringComparison.Ordinal)),
                        "ends_with" => v => ExpressionValue.FromBool(v[0].Text.EndsWith(v[1].Text, StringComparison.Ordinal)),
                        _ => v => ExpressionValue.FromBool(v[0].Text.Contains(v[1].Text, StringComparison.Ordinal)),
                    }, nullPropagates: true);
                case "year" or "month" or "day":
                    Arity(name, args, 1);
                    RequireTemporal(args[0], argTokens[0], fn);
                    return new FunctionNode(ValueKind.Int, args, v =>
                    {
                        var at = DateTime.UnixEpoch.AddTicks(v[0].AsMicros() * 10);
                        return ExpressionValue.FromInt(fn switch { "year" => at.Year, "month" => at.Month, _ => at.Day });
                    }, nullPropagates: true);
                case "days_between" or "hours_between":
                    {
                        Arity(name, args, 2);
                        RequireTemporal(args[0], argTokens[0], fn);
                        RequireTemporal(args[1], argTokens[1], fn);
                        var unit = fn == "days_between" ? 86_400_000_000.0 : 3_600_000_000.0;
                        return new FunctionNode(ValueKind.Double, args, v => ExpressionValue.FromDouble((v[1].AsMicros() - v[0].AsMicros()) / unit), nullPropagates: true);
                    }

                default:
                    throw Error($"unknown function '{name.Text}' at {name.Position + 1}; available: {string.Join(", ", Functions)}", name);
            }
        }

        private void Arity(Token name, List<ExpressionNode> args, int count)
        {
            if (args.Count != count)
            {
                throw Error(string.Create(CultureInfo.InvariantCulture, $"{name.Text.ToLowerInvariant()} takes {count} argument{(count == 1 ? string.Empty : "s")}, got {args.Count}"), name);
            }
        }

        private void Require(ExpressionNode node, ValueKind kind, Token token, string fn)
        {
            if (node.Kind != kind && node.Kind != ValueKind.Null)
            {
                throw Error($"{fn} needs a {Describe(kind)}, not a {Describe(node.Kind)}", token);
            }
        }

        private void RequireTemporal(ExpressionNode node, Token token, string fn)
        {
            if (!ExpressionValue.IsTemporal(node.Kind) && node.Kind != ValueKind.Null)
            {
                throw Error($"{fn} needs a date or timestamp, not a {Describe(node.Kind)}", token);
            }
        }

        private ExpressionNode RequireBool(ExpressionNode node, Token op)
        {
            if (node.Kind is not (ValueKind.Bool or ValueKind.Null))
            {
                throw Error($"'{op.Text}' at {op.Position + 1} needs true/false on both sides, not a {Describe(node.Kind)}", op);
            }

            return node;
        }

        /// <summary>Turns a text literal compared with a date or timestamp into that type, so that <c>ts &gt;= '2016-01-01'</c> works.</summary>
        private ExpressionNode Coerce(ExpressionNode node, ValueKind target, Token token, Token op)
        {
            if (node is not LiteralNode { Value.Kind: ValueKind.String } literal || !ExpressionValue.IsTemporal(target))
            {
                return node;
            }

            var type = new ContractType { Kind = target == ValueKind.Date ? ContractTypeKind.Date : ContractTypeKind.Timestamp };
            var parser = new ValueParser(type);
            var parsed = parser.TryParseText(literal.Value.Text, out var value) ? value : (ExpressionValue?)null;
            return parsed is null
                ? throw Error($"'{literal.Value.Text}' near '{op.Text}' at {token.Position + 1} is not a {Describe(target)} (write it as ISO 8601, e.g. 2018-01-31 or 2018-01-31 12:00:00)", token)
                : new LiteralNode(parsed.Value);
        }

        private static bool Comparable(ValueKind a, ValueKind b) =>
            a == ValueKind.Null || b == ValueKind.Null || a == b
            || (ExpressionValue.IsNumber(a) && ExpressionValue.IsNumber(b))
            || (ExpressionValue.IsTemporal(a) && ExpressionValue.IsTemporal(b));

        private static ExpressionValue ParseNumber(Token token)
        {
            var t = token.Text;
            if (t.Contains('e', StringComparison.OrdinalIgnoreCase))
            {
                return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? ExpressionValue.FromDouble(d)
                    : throw new ExpressionException($"'{t}' at {token.Position + 1} is not a number.", token.Position);
            }

            if (!t.Contains('.', StringComparison.Ordinal) && long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var l))
            {
                return ExpressionValue.FromInt(l);
            }

            return decimal.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var m)
                ? ExpressionValue.FromDecimal(m)
                : throw new ExpressionException($"'{t}' at {token.Position + 1} is not a number.", token.Position);
        }

        private static string Describe(ValueKind kind) => kind switch
        {
            ValueKind.Null => "null",
            ValueKind.Bool => "true/false value",
            ValueKind.Int => "whole number",
            ValueKind.Decimal or ValueKind.Double => "number",
            ValueKind.String => "text",
            ValueKind.Date => "date",
            _ => "timestamp",
        };

        private Token Take() => tokens[_next++];

        private bool TakeIf(string symbol)
        {
            if (Current.Is(symbol))
            {
                _next++;
                return true;
            }

            return false;
        }

        private void Expect(string symbol)
        {
            if (!TakeIf(symbol))
            {
                throw Error($"expected '{symbol}' at {Current.Position + 1} but found {Current.Describe()}", Current);
            }
        }

        private static ExpressionException Error(string message, Token at) => new(message + ".", at.Position);
    }

    private sealed class NoRow : IExpressionRow
    {
        public static readonly NoRow Instance = new();

        public ExpressionValue Get(int ordinal) => ExpressionValue.Null;
    }
}
