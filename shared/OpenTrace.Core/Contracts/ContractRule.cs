using System.Globalization;
using System.Text.RegularExpressions;
using OpenTrace.Core.Contracts.Expressions;
using OpenTrace.Core.Pipelines;

namespace OpenTrace.Core.Contracts;

/// <summary>The kinds of rule a contract can declare.</summary>
public enum RuleKind
{
    /// <summary>The column has a value.</summary>
    NotNull,

    /// <summary>The column (or combination of columns) is unique among the file's latest rows.</summary>
    Unique,

    /// <summary>The value is one of a list.</summary>
    AcceptedValues,

    /// <summary>The value lies between a minimum and a maximum (either may be open).</summary>
    Range,

    /// <summary>The whole text value matches a regular expression.</summary>
    Regex,

    /// <summary>A boolean expression over the row is not false.</summary>
    Expression,

    /// <summary>The value exists in another table's column; checked in the warehouse after the load.</summary>
    Relationships,

    /// <summary>The value parses as the column's type (implied by every typed column).</summary>
    Type,

    /// <summary>Bronze flagged the row as ragged (implied by <see cref="DataContract.RaggedRows"/>).</summary>
    RowIssue,
}

/// <summary>What a rule violation does.</summary>
public enum RuleSeverity
{
    /// <summary>Keep the row and record the violation.</summary>
    Warn,

    /// <summary>Quarantine the row (with its original values, the rule and the reason); publish the rest.</summary>
    Drop,

    /// <summary>
    /// Quarantine the whole file and publish nothing when the violations exceed the rule's threshold; violating rows
    /// within the threshold are quarantined as with <see cref="Drop"/>.
    /// </summary>
    Fail,
}

/// <summary>How many violations a <see cref="RuleSeverity.Fail"/> rule tolerates: a row count or a fraction of the rows checked.</summary>
/// <param name="Rows">Violating rows tolerated, or null when <paramref name="Fraction"/> is used.</param>
/// <param name="Fraction">Fraction of rows checked tolerated (0.05 for 5%), or null when <paramref name="Rows"/> is used.</param>
public sealed record RuleThreshold(long? Rows, double? Fraction)
{
    /// <summary>No violation tolerated (the default).</summary>
    public static RuleThreshold None { get; } = new(0, null);

    /// <summary>True when <paramref name="violations"/> out of <paramref name="checkedRows"/> exceed the threshold.</summary>
    public bool IsExceeded(long violations, long checkedRows) =>
        Fraction is { } fraction ? violations > fraction * checkedRows : violations > (Rows ?? 0);

    /// <summary>As the contract writes it: <c>5%</c> or <c>10</c>.</summary>
    public override string ToString() => Fraction is { } f
        ? (f * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%"
        : (Rows ?? 0).ToString(CultureInfo.InvariantCulture);
}

/// <summary>One rule of a contract.</summary>
public sealed record ContractRule
{
    /// <summary>The kind.</summary>
    public required RuleKind Kind { get; init; }

    /// <summary>The name used in quality events and quarantine records, e.g. <c>not_null(order_id)</c>.</summary>
    public required string Name { get; init; }

    /// <summary>What a violation does.</summary>
    public required RuleSeverity Severity { get; init; }

    /// <summary>With <see cref="RuleSeverity.Fail"/>: the violations tolerated. Default none.</summary>
    public RuleThreshold Threshold { get; init; } = RuleThreshold.None;

    /// <summary>Target names of the columns it checks (one for most kinds; empty for expressions).</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];

    /// <summary><see cref="RuleKind.AcceptedValues"/>: the accepted values as written (compared after normalisation).</summary>
    public IReadOnlyList<string> Values { get; init; } = [];

    /// <summary><see cref="RuleKind.Range"/>: the minimum as written (parsed as the column's type), or null for none.</summary>
    public string? Min { get; init; }

    /// <summary><see cref="RuleKind.Range"/>: the maximum as written, or null for none.</summary>
    public string? Max { get; init; }

    /// <summary><see cref="RuleKind.Range"/>: true when the minimum itself is a violation. Default false.</summary>
    public bool MinExclusive { get; init; }

    /// <summary><see cref="RuleKind.Range"/>: true when the maximum itself is a violation. Default false.</summary>
    public bool MaxExclusive { get; init; }

    /// <summary><see cref="RuleKind.Regex"/>: the pattern, matched against the whole value; null for other kinds.</summary>
    public Regex? Pattern { get; init; }

    /// <summary><see cref="RuleKind.Expression"/>: the parsed expression; null for other kinds.</summary>
    public ContractExpression? Expression { get; init; }

    /// <summary><see cref="RuleKind.Relationships"/>: the referenced table; null for other kinds.</summary>
    public TableRoute? ToTable { get; init; }

    /// <summary><see cref="RuleKind.Relationships"/>: the referenced column; null for other kinds.</summary>
    public string? ToColumn { get; init; }

    /// <summary>Free text, or null.</summary>
    public string? Description { get; init; }

    /// <summary>The first (often only) column checked, or null.</summary>
    public string? Column => Columns.Count > 0 ? Columns[0] : null;

    /// <summary>The contract spelling of a kind, e.g. <c>accepted_values</c>.</summary>
    public static string KindName(RuleKind kind) => kind switch
    {
        RuleKind.NotNull => "not_null",
        RuleKind.Unique => "unique",
        RuleKind.AcceptedValues => "accepted_values",
        RuleKind.Range => "range",
        RuleKind.Regex => "regex",
        RuleKind.Expression => "expression",
        RuleKind.Relationships => "relationships",
        RuleKind.Type => "type",
        _ => "row_issue",
    };

    /// <summary>The contract spelling of a severity: warn, drop or fail.</summary>
    public static string SeverityName(RuleSeverity severity) => severity switch
    {
        RuleSeverity.Warn => "warn",
        RuleSeverity.Drop => "drop",
        _ => "fail",
    };
}
