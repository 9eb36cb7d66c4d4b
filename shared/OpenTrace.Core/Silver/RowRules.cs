using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using OpenTrace.Core.Contracts;
using OpenTrace.Core.Contracts.Expressions;

namespace OpenTrace.Core.Silver;

/// <summary>A set of bits over the rows of a file (or a row group).</summary>
internal sealed class BitSet(long length)
{
    private readonly ulong[] _words = new ulong[(length + 63) / 64];

    public bool this[long index] => (_words[index >> 6] & (1UL << (int)(index & 63))) != 0;

    public void Set(long index) => _words[index >> 6] |= 1UL << (int)(index & 63);
}

/// <summary>A contract rule compiled for row-by-row checking in a row group.</summary>
internal abstract class RowRule(ContractRule rule, int index)
{
    public ContractRule Rule { get; } = rule;

    /// <summary>Position in the contract's rules (and in the per-rule counters).</summary>
    public int Index { get; } = index;

    /// <summary>True when a violation keeps the row out of silver.</summary>
    public bool Rejects => Rule.Severity != RuleSeverity.Warn;

    /// <summary>Checks every row of the batch that is not a superseded duplicate, calling <see cref="SliceBatch.Violate"/>.</summary>
    public abstract void Check(SliceBatch batch, WorkerScratch scratch);

    /// <summary>Why <paramref name="row"/> violates the rule (only asked for quarantined rows).</summary>
    public abstract string Describe(SliceBatch batch, int row);

    /// <summary>
    /// Compiles the row-level rules of a plan (relationships are checked in the warehouse; type and row-issue
    /// rules are applied while converting). Returns one entry per contract rule, null where no row check applies.
    /// </summary>
    public static RowRule?[] Compile(SilverPlan plan, IReadOnlyDictionary<int, BitSet> uniqueViolations)
    {
        var rules = plan.Contract.Rules;
        var compiled = new RowRule?[rules.Count];
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var column = rule.Column is null ? null : plan.Columns.First(c => c.Column.Name == rule.Column);
            compiled[i] = rule.Kind switch
            {
                RuleKind.NotNull => new NotNullRule(rule, i, column!),
                RuleKind.AcceptedValues => new AcceptedValuesRule(rule, i, column!),
                RuleKind.Range => new RangeRule(rule, i, column!),
                RuleKind.Regex => new RegexRule(rule, i, column!),
                RuleKind.Expression => new ExpressionRule(rule, i),
                RuleKind.Unique => new UniqueRule(rule, i, uniqueViolations.TryGetValue(i, out var bits) ? bits : null),
                RuleKind.RowIssue => new RowIssueRule(rule, i),
                RuleKind.Type => new TypeRule(rule, i, column!),
                _ => null,
            };
        }

        return compiled;
    }

    /// <summary>A value for a message: quoted, shortened, hidden for personal-data columns.</summary>
    protected static string Show(ColumnProgram column, ReadOnlySpan<byte> utf8)
    {
        if (column.Column.Pii != PiiPolicy.None)
        {
            return "(value hidden: personal data)";
        }

        var text = Encoding.UTF8.GetString(utf8);
        return text.Length <= 80 ? $"'{text}'" : $"'{text[..77]}...'";
    }

    protected static string Show(ColumnProgram column, SliceBatch batch, int row)
    {
        var vector = batch.Vectors[column.Ordinal];
        if (vector.Nulls[row])
        {
            return "null";
        }

        return vector.Text is not null ? Show(column, batch.Arena[vector.Text[row]]) : vector.Get(row, batch.Arena).ToString();
    }
}

internal sealed class NotNullRule(ContractRule rule, int index, ColumnProgram column) : RowRule(rule, index)
{
    public override void Check(SliceBatch batch, WorkerScratch scratch)
    {
        var nulls = batch.Vectors[column.Ordinal].Nulls;
        for (var row = 0; row < batch.Rows; row++)
        {
            if (nulls[row] && !batch.Duplicate[row] && !batch.IsInvalid(column.Ordinal, row))
            {
                batch.Violate(row, this);
            }
        }
    }

    public override string Describe(SliceBatch batch, int row) => $"{column.Column.Name} is null.";
}

internal sealed class AcceptedValuesRule : RowRule
{
    private readonly ColumnProgram _column;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _text;
    private readonly HashSet<TypedValue> _typed = [];

    public AcceptedValuesRule(ContractRule rule, int index, ColumnProgram column)
        : base(rule, index)
    {
        _column = column;
        _text = rule.Values.ToFrozenSet(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        if (column.Parser is not null)
        {
            var parser = ValueParser.ForLiterals(column.Column.Type);
            foreach (var value in rule.Values)
            {
                if (parser.TryParse(Encoding.UTF8.GetBytes(value.Trim()), out var typed))
                {
                    _typed.Add(typed);
                }
            }
        }
    }

    public override void Check(SliceBatch batch, WorkerScratch scratch)
    {
        var vector = batch.Vectors[_column.Ordinal];
        for (var row = 0; row < batch.Rows; row++)
        {
            if (vector.Nulls[row] || batch.Duplicate[row])
            {
                continue;
            }

            var accepted = vector.Text is not null
                ? _text.Contains(scratch.Decode(batch.Arena[vector.Text[row]]))
                : _typed.Contains(vector.GetTyped(row));
            if (!accepted)
            {
                batch.Violate(row, this);
            }
        }
    }

    public override string Describe(SliceBatch batch, int row) =>
        $"{_column.Column.Name} {Show(_column, batch, row)} is not one of the accepted values ({string.Join(", ", Rule.Values)}).";
}

internal sealed class RangeRule : RowRule
{
    private readonly ColumnProgram _column;
    private readonly TypedValue? _min;
    private readonly TypedValue? _max;

    public RangeRule(ContractRule rule, int index, ColumnProgram column)
        : base(rule, index)
    {
        _column = column;
        var parser = ValueParser.ForLiterals(column.Column.Type);
        if (rule.Min is not null && parser.TryParse(Encoding.UTF8.GetBytes(rule.Min.Trim()), out var min))
        {
            _min = min;
        }

        if (rule.Max is not null && parser.TryParse(Encoding.UTF8.GetBytes(rule.Max.Trim()), out var max))
        {
            _max = max;
        }
    }

    public override void Check(SliceBatch batch, WorkerScratch scratch)
    {
        var vector = batch.Vectors[_column.Ordinal];
        for (var row = 0; row < batch.Rows; row++)
        {
            if (vector.Nulls[row] || batch.Duplicate[row])
            {
                continue;
            }

            var value = vector.GetTyped(row);
            var tooLow = _min is { } min && (Rule.MinExclusive ? Compare(vector, value, min) <= 0 : Compare(vector, value, min) < 0);
            var tooHigh = _max is { } max && (Rule.MaxExclusive ? Compare(vector, value, max) >= 0 : Compare(vector, value, max) > 0);
            if (tooLow || tooHigh)
            {
                batch.Violate(row, this);
            }
        }
    }

    public override string Describe(SliceBatch batch, int row)
    {
        var bounds = new List<string>(2);
        if (Rule.Min is not null)
        {
            bounds.Add((Rule.MinExclusive ? "> " : ">= ") + Rule.Min);
        }

        if (Rule.Max is not null)
        {
            bounds.Add((Rule.MaxExclusive ? "< " : "<= ") + Rule.Max);
        }

        return $"{_column.Column.Name} {Show(_column, batch, row)} is outside the range {string.Join(" and ", bounds)}.";
    }

    private static int Compare(ColumnVector vector, TypedValue a, TypedValue b) =>
        vector.Longs is not null ? a.Long.CompareTo(b.Long)
        : vector.Doubles is not null ? a.Double.CompareTo(b.Double)
        : a.Wide.CompareTo(b.Wide);
}

internal sealed class RegexRule(ContractRule rule, int index, ColumnProgram column) : RowRule(rule, index)
{
    public override void Check(SliceBatch batch, WorkerScratch scratch)
    {
        var vector = batch.Vectors[column.Ordinal];
        for (var row = 0; row < batch.Rows; row++)
        {
            if (vector.Nulls[row] || batch.Duplicate[row])
            {
                continue;
            }

            if (!Rule.Pattern!.IsMatch(scratch.Decode(batch.Arena[vector.Text![row]])))
            {
                batch.Violate(row, this);
            }
        }
    }

    public override string Describe(SliceBatch batch, int row) =>
        $"{column.Column.Name} {Show(column, batch, row)} does not match the pattern {Rule.Pattern!.ToString()[5..^3]}.";
}

internal sealed class ExpressionRule(ContractRule rule, int index) : RowRule(rule, index)
{
    public override void Check(SliceBatch batch, WorkerScratch scratch)
    {
        var view = new BatchRow(batch);
        for (var row = 0; row < batch.Rows; row++)
        {
            if (batch.Duplicate[row])
            {
                continue;
            }

            view.Row = row;
            if (!Rule.Expression!.Holds(view))
            {
                batch.Violate(row, this);
            }
        }
    }

    public override string Describe(SliceBatch batch, int row)
    {
        var values = Rule.Columns.Select(name =>
        {
            var column = batch.Plan.Columns.First(c => c.Column.Name == name);
            return $"{name} = {Show(column, batch, row)}";
        });
        return $"{Rule.Expression!.Text} is false ({string.Join(", ", values)}).";
    }

    private sealed class BatchRow(SliceBatch batch) : IExpressionRow
    {
        public int Row { get; set; }

        public ExpressionValue Get(int ordinal) => batch.Vectors[ordinal].Get(Row, batch.Arena);
    }
}

internal sealed class UniqueRule(ContractRule rule, int index, BitSet? violations) : RowRule(rule, index)
{
    public override void Check(SliceBatch batch, WorkerScratch scratch)
    {
        if (violations is null)
        {
            return;
        }

        for (var row = 0; row < batch.Rows; row++)
        {
            if (!batch.Duplicate[row] && violations[batch.FirstRow + row])
            {
                batch.Violate(row, this);
            }
        }
    }

    public override string Describe(SliceBatch batch, int row) =>
        $"({string.Join(", ", Rule.Columns)}) repeats a value already used by an earlier row of the file.";
}

/// <summary>Applied while reading: a row bronze flagged (too many or too few fields).</summary>
internal sealed class RowIssueRule(ContractRule rule, int index) : RowRule(rule, index)
{
    public override void Check(SliceBatch batch, WorkerScratch scratch)
    {
        if (batch.RowIssues is not { } issues)
        {
            return;
        }

        for (var row = 0; row < batch.Rows; row++)
        {
            if (!batch.Duplicate[row] && !issues.IsNull(row))
            {
                batch.Violate(row, this);
            }
        }
    }

    public override string Describe(SliceBatch batch, int row) =>
        $"bronze flagged the row: {Encoding.UTF8.GetString(batch.RowIssues![row])}";
}

/// <summary>Applied while converting: the value does not parse as the column's type.</summary>
internal sealed class TypeRule(ContractRule rule, int index, ColumnProgram column) : RowRule(rule, index)
{
    public ColumnProgram Column { get; } = column;

    public override void Check(SliceBatch batch, WorkerScratch scratch)
    {
    }

    public override string Describe(SliceBatch batch, int row)
    {
        var raw = Column.Source is null ? default : batch.Input(Column.Source.Index)[row];
        var formats = Column.Column.Type.Formats.Count > 0
            ? $" (formats: {string.Join(", ", Column.Column.Type.Formats)})"
            : Column.Column.Type.Kind is ContractTypeKind.Date or ContractTypeKind.Timestamp ? " (ISO 8601 expected)" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{Column.Column.Name} {Show(Column, raw)} is not a valid {Column.Column.Type}{formats}.");
    }
}
