namespace OpenTrace.Core.Contracts.Expressions;

/// <summary>Gives an expression the values of the row it is evaluated on.</summary>
public interface IExpressionRow
{
    /// <summary>The value of the column at <paramref name="ordinal"/> (its position in the contract's columns).</summary>
    ExpressionValue Get(int ordinal);
}

/// <summary>
/// A parsed, type-checked contract expression, e.g. <c>order_delivered_customer_date &gt;= order_purchase_timestamp</c>.
/// The language is small on purpose and runs in-process per row, never as SQL: comparisons (<c>= != &lt;&gt; &lt; &lt;= &gt; &gt;=</c>),
/// <c>and</c>/<c>or</c>/<c>not</c>, <c>is [not] null</c>, <c>[not] in (…)</c>, <c>[not] between … and …</c>, arithmetic
/// (<c>+ - * / %</c>), column names, literals (<c>12</c>, <c>1.5</c>, <c>'text'</c>, <c>true</c>, <c>false</c>, <c>null</c>) and
/// the functions in <see cref="ExpressionParser.Functions"/>. NULL follows SQL: comparisons with NULL are unknown,
/// and a rule whose expression is unknown passes (as a CHECK constraint does).
/// </summary>
public sealed class ContractExpression
{
    private readonly ExpressionNode _root;

    internal ContractExpression(string text, ExpressionNode root, IReadOnlyList<string> columns)
    {
        Text = text;
        _root = root;
        Columns = columns;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>The columns it reads (target names, in order of first use).</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The type of the result.</summary>
    public ValueKind ResultKind => _root.Kind;

    /// <summary>Evaluates the expression on a row.</summary>
    public ExpressionValue Evaluate(IExpressionRow row) => _root.Evaluate(row);

    /// <summary>True when the expression is true or unknown on the row (the rule passes); false when it is false.</summary>
    public bool Holds(IExpressionRow row)
    {
        var value = _root.Evaluate(row);
        return value.IsNull || value.Bool;
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>An expression that does not parse or type-check; <see cref="Position"/> is the 0-based offset in the text.</summary>
public sealed class ExpressionException(string message, int position) : Exception(message)
{
    /// <summary>0-based offset of the problem in the expression text.</summary>
    public int Position { get; } = position;
}
