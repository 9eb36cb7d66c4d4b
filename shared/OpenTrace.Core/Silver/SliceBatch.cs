using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenTrace.Core.Contracts;
using ParquetSharp;
using Encoding = System.Text.Encoding;

namespace OpenTrace.Core.Silver;

/// <summary>A row kept out of silver: its number in the source file, the first rule it broke, why, and its original values as JSON.</summary>
internal sealed record QuarantinedRow(long RowNumber, string Rule, string Reason, string Record);

/// <summary>
/// One slice of rows on its way from bronze to silver: the bronze text, the converted values, which rows are
/// superseded duplicates, which rules each row broke, and finally what is published and what is quarantined.
/// </summary>
internal sealed class SliceBatch
{
    private static readonly JsonWriterOptions RecordJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Dictionary<int, Utf8Column> _inputs;
    private readonly ulong[] _rejects;
    private readonly int _words;
    private readonly bool[]?[] _invalid;

    public SliceBatch(SilverPlan plan, BronzeSlice slice, PinnedBufferPool pool)
    {
        Plan = plan;
        Group = slice.Group;
        FirstRow = slice.FirstRow;
        Rows = slice.Rows;
        EndsGroup = slice.EndsGroup;
        RowNumbers = slice.RowNumbers;
        _inputs = new Dictionary<int, Utf8Column>(slice.Columns);
        RowIssues = plan.RowIssue is { } issue && _inputs.TryGetValue(issue.Index, out var issues) ? issues : null;
        Vectors = plan.Columns.Select(c => new ColumnVector(c, Rows)).ToArray();
        Duplicate = new bool[Rows];
        Keep = new bool[Rows];
        _words = (plan.Contract.Rules.Count + 63) / 64;
        _rejects = new ulong[Rows * _words];
        _invalid = new bool[plan.Columns.Length][];
        RuleViolations = new long[plan.Contract.Rules.Count];
        NonNull = new long[plan.Columns.Length];
        Invalid = new long[plan.Columns.Length];
        InvalidSample = new string?[plan.Columns.Length];
        Carried = plan.Carried.Select(_ => new Utf8Ref[Rows]).ToArray();

        // Room for what is published: the declared text and carried columns, plus a token per pseudonymized value.
        long capacity = 4096;
        foreach (var program in plan.Columns.Where(p => p.IsString && p.Source is not null))
        {
            capacity += _inputs[program.Source!.Index].ByteLength;
            capacity += program.Column.Pii == PiiPolicy.Pseudonymize ? (long)Rows * PiiProtector.TokenLength : 0;
        }

        capacity += plan.Carried.Sum(c => (long)_inputs[c.Source.Index].ByteLength);
        Arena = new ByteArena(pool, (int)Math.Min(capacity, int.MaxValue / 2));
    }

    /// <summary>The bronze columns a slice must carry: every source column (quarantine keeps them all) and the row issue.</summary>
    public static IReadOnlyCollection<int> InputColumns(SilverPlan plan) =>
        plan.File.SourceColumns.Where(c => c.PhysicalType == PhysicalType.ByteArray).Select(c => c.Index)
            .Concat(new[] { plan.RowIssue, plan.ExtraFields }.OfType<BronzeColumn>().Where(c => c.PhysicalType == PhysicalType.ByteArray).Select(c => c.Index))
            .ToList();

    public SilverPlan Plan { get; }

    public int Group { get; }

    /// <summary>Index of the first row of the group in the file.</summary>
    public long FirstRow { get; }

    public int Rows { get; }

    /// <summary>True for the last slice of its row group.</summary>
    public bool EndsGroup { get; }

    /// <summary>Pinned bytes of every text value published from this slice.</summary>
    public ByteArena Arena { get; }

    public ColumnVector[] Vectors { get; }

    public long[] RowNumbers { get; }

    public Utf8Column? RowIssues { get; private set; }

    /// <summary>Superseded by a later version of the key.</summary>
    public bool[] Duplicate { get; }

    /// <summary>Published to silver.</summary>
    public bool[] Keep { get; }

    /// <summary>Text of carried (additive) columns for kept rows, scrubbed.</summary>
    public Utf8Ref[][] Carried { get; }

    public long[] RuleViolations { get; }

    /// <summary>Per column: values present, and values that did not parse (for type drift).</summary>
    public long[] NonNull { get; }

    public long[] Invalid { get; }

    public string?[] InvalidSample { get; }

    public List<QuarantinedRow> Quarantined { get; } = [];

    public long CheckedRows { get; private set; }

    public long DuplicateRows { get; private set; }

    public long KeptRows { get; private set; }

    public Utf8Column Input(int bronzeIndex) => _inputs[bronzeIndex];

    public void MarkDuplicates(BitSet superseded)
    {
        for (var r = 0; r < Rows; r++)
        {
            if (superseded[FirstRow + r])
            {
                Duplicate[r] = true;
                DuplicateRows++;
            }
        }

        CheckedRows = Rows - DuplicateRows;
    }

    /// <summary>Converts every declared column; values that do not parse break the column's type rule.</summary>
    public void Convert(IReadOnlyList<RowRule?> rules, WorkerScratch scratch)
    {
        foreach (var program in Plan.Columns)
        {
            var vector = Vectors[program.Ordinal];
            var input = program.Source is null ? null : _inputs[program.Source.Index];
            var typeRule = program.IsString ? null : rules.OfType<TypeRule>().First(t => t.Column == program);
            for (var r = 0; r < Rows; r++)
            {
                if (Duplicate[r])
                {
                    vector.Nulls[r] = true;
                    if (vector.Text is not null)
                    {
                        vector.Text[r] = Utf8Ref.Null;
                    }

                    continue;
                }

                var status = program.Convert(input is null ? default : input[r], input is null || input.IsNull(r), Arena, scratch, out var text, out var typed);
                switch (status)
                {
                    case ConvertStatus.Value:
                        NonNull[program.Ordinal]++;
                        if (vector.Text is not null)
                        {
                            vector.Text[r] = text;
                        }
                        else
                        {
                            vector.Set(r, typed);
                        }

                        break;
                    case ConvertStatus.Invalid:
                        NonNull[program.Ordinal]++;
                        Invalid[program.Ordinal]++;
                        InvalidSample[program.Ordinal] ??= Encoding.UTF8.GetString(input![r]);
                        (_invalid[program.Ordinal] ??= new bool[Rows])[r] = true;
                        vector.Nulls[r] = true;
                        Violate(r, typeRule!);
                        break;
                    default:
                        vector.Nulls[r] = true;
                        if (vector.Text is not null)
                        {
                            vector.Text[r] = Utf8Ref.Null;
                        }

                        break;
                }
            }
        }
    }

    public bool IsInvalid(int ordinal, int row) => _invalid[ordinal] is { } flags && flags[row];

    public void Violate(int row, RowRule rule)
    {
        RuleViolations[rule.Index]++;
        if (rule.Rejects)
        {
            _rejects[(row * _words) + (rule.Index >> 6)] |= 1UL << (rule.Index & 63);
        }
    }

    public bool IsRejected(int row)
    {
        for (var w = 0; w < _words; w++)
        {
            if (_rejects[(row * _words) + w] != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Decides what is kept, protects personal data in kept rows, scrubs carried text, and builds the quarantine
    /// records of rejected rows. The bronze text is released afterwards.
    /// </summary>
    public void Finish(IReadOnlyList<RowRule?> rules, PiiProtector pii, WorkerScratch scratch)
    {
        for (var r = 0; r < Rows; r++)
        {
            if (Duplicate[r])
            {
                continue;
            }

            if (IsRejected(r))
            {
                Quarantined.Add(Quarantine(r, rules, pii, scratch));
            }
            else
            {
                Keep[r] = true;
                KeptRows++;
            }
        }

        foreach (var program in Plan.Published)
        {
            if (program.Column.Pii is PiiPolicy.Pseudonymize or PiiPolicy.Mask or PiiPolicy.Scrub)
            {
                Protect(Vectors[program.Ordinal], pii, scratch);
            }
        }

        for (var c = 0; c < Plan.Carried.Count; c++)
        {
            var input = _inputs[Plan.Carried[c].Source.Index];
            for (var r = 0; r < Rows; r++)
            {
                Carried[c][r] = Keep[r] && !input.IsNull(r) ? AppendScrubbed(input[r], scratch) : Utf8Ref.Null;
            }
        }

        foreach (var input in _inputs.Values)
        {
            input.Release();
        }

        _inputs.Clear();
        RowIssues = null;
    }

    private void Protect(ColumnVector vector, PiiProtector pii, WorkerScratch scratch)
    {
        var policy = vector.Program.Column.Pii;
        var text = vector.Text!;
        Span<byte> token = stackalloc byte[PiiProtector.TokenLength];
        for (var r = 0; r < Rows; r++)
        {
            if (!Keep[r] || text[r].IsNull)
            {
                continue;
            }

            switch (policy)
            {
                case PiiPolicy.Pseudonymize:
                    pii.Pseudonymize(Arena[text[r]], token);
                    text[r] = Arena.Append(token);
                    break;
                case PiiPolicy.Mask:
                    text[r] = Arena.Append(Encoding.UTF8.GetBytes(PiiProtector.Mask(Encoding.UTF8.GetString(Arena[text[r]]), vector.Program.Column.MaskKeepLast)));
                    break;
                default:
                    text[r] = AppendScrubbed(Arena[text[r]], scratch);
                    break;
            }
        }
    }

    private Utf8Ref AppendScrubbed(ReadOnlySpan<byte> value, WorkerScratch scratch)
    {
        if (!TextScrubber.MayContainPersonalData(value))
        {
            return Arena.Append(value);
        }

        var scrubbed = TextScrubber.Scrub(new string(scratch.Decode(value)))!;
        return Arena.Append(Encoding.UTF8.GetBytes(scrubbed));
    }

    private QuarantinedRow Quarantine(int row, IReadOnlyList<RowRule?> rules, PiiProtector pii, WorkerScratch scratch)
    {
        string? first = null;
        var reasons = new List<string>(2);
        foreach (var rule in rules)
        {
            if (rule is null || (_rejects[(row * _words) + (rule.Index >> 6)] & (1UL << (rule.Index & 63))) == 0)
            {
                continue;
            }

            first ??= rule.Rule.Name;
            reasons.Add(rule.Describe(this, row));
        }

        return new QuarantinedRow(RowNumbers[row], first!, string.Join(" ", reasons), OriginalRecord(row, pii, scratch));
    }

    /// <summary>The row's bronze values by source header name; personal data protected as in silver.</summary>
    private string OriginalRecord(int row, PiiProtector pii, WorkerScratch scratch)
    {
        Span<byte> token = stackalloc byte[PiiProtector.TokenLength];
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, RecordJson))
        {
            json.WriteStartObject();
            foreach (var column in Plan.File.SourceColumns)
            {
                if (!_inputs.TryGetValue(column.Index, out var input))
                {
                    continue;
                }

                var program = Array.Find(Plan.Columns, p => p.Source == column);
                var policy = program?.Column.Pii ?? PiiPolicy.Scrub;
                if (policy == PiiPolicy.Drop)
                {
                    continue;
                }

                json.WritePropertyName(column.SourceName);
                if (input.IsNull(row))
                {
                    json.WriteNullValue();
                    continue;
                }

                var raw = input[row];
                switch (policy)
                {
                    case PiiPolicy.None:
                        json.WriteStringValue(raw);
                        break;
                    case PiiPolicy.Pseudonymize:
                        var vector = Vectors[program!.Ordinal];
                        var normalized = vector.Nulls[row] ? ColumnProgram.TrimUtf8(raw) : Arena[vector.Text![row]];
                        pii.Pseudonymize(normalized, token);
                        json.WriteStringValue(token);
                        break;
                    case PiiPolicy.Mask:
                        json.WriteStringValue(PiiProtector.Mask(Encoding.UTF8.GetString(raw), program!.Column.MaskKeepLast));
                        break;
                    default:
                        json.WriteStringValue(TextScrubber.Scrub(new string(scratch.Decode(raw))));
                        break;
                }
            }

            foreach (var extra in new[] { Plan.RowIssue, Plan.ExtraFields })
            {
                if (extra is not null && _inputs.TryGetValue(extra.Index, out var input) && !input.IsNull(row))
                {
                    json.WriteString(extra.Name, TextScrubber.Scrub(Encoding.UTF8.GetString(input[row])));
                }
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
