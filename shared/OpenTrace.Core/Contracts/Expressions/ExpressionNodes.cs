namespace OpenTrace.Core.Contracts.Expressions;

/// <summary>A node of a parsed expression; <see cref="Kind"/> is its static type (Null only for a NULL literal).</summary>
internal abstract class ExpressionNode(ValueKind kind)
{
    public ValueKind Kind { get; } = kind;

    public abstract ExpressionValue Evaluate(IExpressionRow row);
}

internal sealed class LiteralNode(ExpressionValue value) : ExpressionNode(value.Kind)
{
    public ExpressionValue Value { get; } = value;

    public override ExpressionValue Evaluate(IExpressionRow row) => Value;
}

internal sealed class ColumnNode(int ordinal, ValueKind kind) : ExpressionNode(kind)
{
    public override ExpressionValue Evaluate(IExpressionRow row) => row.Get(ordinal);
}

internal sealed class NotNode(ExpressionNode inner) : ExpressionNode(ValueKind.Bool)
{
    public override ExpressionValue Evaluate(IExpressionRow row)
    {
        var value = inner.Evaluate(row);
        return value.IsNull ? value : ExpressionValue.FromBool(!value.Bool);
    }
}

/// <summary>Kleene logic: false and anything is false, true or anything is true, otherwise unknown wins.</summary>
internal sealed class LogicalNode(bool isAnd, ExpressionNode left, ExpressionNode right) : ExpressionNode(ValueKind.Bool)
{
    public override ExpressionValue Evaluate(IExpressionRow row)
    {
        var l = left.Evaluate(row);
        if (!l.IsNull && l.Bool != isAnd)
        {
            return l; // false AND x, true OR x
        }

        var r = right.Evaluate(row);
        if (!r.IsNull && r.Bool != isAnd)
        {
            return r;
        }

        return l.IsNull || r.IsNull ? ExpressionValue.Null : ExpressionValue.FromBool(isAnd);
    }
}

internal sealed class IsNullNode(ExpressionNode inner, bool negated) : ExpressionNode(ValueKind.Bool)
{
    public override ExpressionValue Evaluate(IExpressionRow row) => ExpressionValue.FromBool(inner.Evaluate(row).IsNull != negated);
}

internal enum CompareOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

internal sealed class CompareNode(CompareOperator op, ExpressionNode left, ExpressionNode right) : ExpressionNode(ValueKind.Bool)
{
    public override ExpressionValue Evaluate(IExpressionRow row)
    {
        var l = left.Evaluate(row);
        if (l.IsNull)
        {
            return ExpressionValue.Null;
        }

        var r = right.Evaluate(row);
        if (r.IsNull)
        {
            return ExpressionValue.Null;
        }

        var c = ExpressionValue.Compare(l, r);
        return ExpressionValue.FromBool(op switch
        {
            CompareOperator.Equal => c == 0,
            CompareOperator.NotEqual => c != 0,
            CompareOperator.Less => c < 0,
            CompareOperator.LessOrEqual => c <= 0,
            CompareOperator.Greater => c > 0,
            _ => c >= 0,
        });
    }
}

/// <summary><c>x [not] in (a, b, …)</c>: unknown when x is NULL, or when x is not found and the list holds a NULL.</summary>
internal sealed class InNode(ExpressionNode inner, IReadOnlyList<ExpressionNode> items, bool negated) : ExpressionNode(ValueKind.Bool)
{
    public override ExpressionValue Evaluate(IExpressionRow row)
    {
        var value = inner.Evaluate(row);
        if (value.IsNull)
        {
            return ExpressionValue.Null;
        }

        var sawNull = false;
        foreach (var item in items)
        {
            var candidate = item.Evaluate(row);
            if (candidate.IsNull)
            {
                sawNull = true;
            }
            else if (ExpressionValue.Compare(value, candidate) == 0)
            {
                return ExpressionValue.FromBool(!negated);
            }
        }

        return sawNull ? ExpressionValue.Null : ExpressionValue.FromBool(negated);
    }
}

internal enum ArithmeticOperator
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

/// <summary>
/// Arithmetic on numbers: int with int stays int (except division, which is decimal), a double makes a double,
/// otherwise decimal. Division or modulo by zero, and integer overflow, give NULL rather than an error.
/// </summary>
internal sealed class ArithmeticNode(ArithmeticOperator op, ExpressionNode left, ExpressionNode right, ValueKind kind) : ExpressionNode(kind)
{
    public override ExpressionValue Evaluate(IExpressionRow row)
    {
        var l = left.Evaluate(row);
        var r = right.Evaluate(row);
        if (l.IsNull || r.IsNull)
        {
            return ExpressionValue.Null;
        }

        try
        {
            switch (Kind)
            {
                case ValueKind.Int:
                    {
                        long a = l.Long, b = r.Long;
                        return op switch
                        {
                            ArithmeticOperator.Add => ExpressionValue.FromInt(checked(a + b)),
                            ArithmeticOperator.Subtract => ExpressionValue.FromInt(checked(a - b)),
                            ArithmeticOperator.Multiply => ExpressionValue.FromInt(checked(a * b)),
                            _ => b == 0 ? ExpressionValue.Null : ExpressionValue.FromInt(a % b),
                        };
                    }

                case ValueKind.Double:
                    {
                        double a = l.AsDouble(), b = r.AsDouble();
                        if (op is ArithmeticOperator.Divide or ArithmeticOperator.Modulo && b == 0)
                        {
                            return ExpressionValue.Null;
                        }

                        return ExpressionValue.FromDouble(op switch
                        {
                            ArithmeticOperator.Add => a + b,
                            ArithmeticOperator.Subtract => a - b,
                            ArithmeticOperator.Multiply => a * b,
                            ArithmeticOperator.Divide => a / b,
                            _ => a % b,
                        });
                    }

                default:
                    {
                        decimal a = l.AsDecimal(), b = r.AsDecimal();
                        if (op is ArithmeticOperator.Divide or ArithmeticOperator.Modulo && b == 0)
                        {
                            return ExpressionValue.Null;
                        }

                        return ExpressionValue.FromDecimal(op switch
                        {
                            ArithmeticOperator.Add => a + b,
                            ArithmeticOperator.Subtract => a - b,
                            ArithmeticOperator.Multiply => a * b,
                            ArithmeticOperator.Divide => a / b,
                            _ => a % b,
                        });
                    }
            }
        }
        catch (OverflowException)
        {
            return ExpressionValue.Null;
        }
    }
}

internal sealed class NegateNode(ExpressionNode inner) : ExpressionNode(inner.Kind)
{
    public override ExpressionValue Evaluate(IExpressionRow row)
    {
        var value = inner.Evaluate(row);
        return value.Kind switch
        {
            ValueKind.Int => value.Long == long.MinValue ? ExpressionValue.Null : ExpressionValue.FromInt(-value.Long),
            ValueKind.Decimal => ExpressionValue.FromDecimal(-value.AsDecimal()),
            ValueKind.Double => ExpressionValue.FromDouble(-value.AsDouble()),
            _ => value,
        };
    }
}

internal sealed class FunctionNode(ValueKind kind, IReadOnlyList<ExpressionNode> arguments, Func<ExpressionValue[], ExpressionValue> body, bool nullPropagates)
    : ExpressionNode(kind)
{
    public override ExpressionValue Evaluate(IExpressionRow row)
    {
        var values = new ExpressionValue[arguments.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = arguments[i].Evaluate(row);
            if (nullPropagates && values[i].IsNull)
            {
                return ExpressionValue.Null;
            }
        }

        return body(values);
    }
}
