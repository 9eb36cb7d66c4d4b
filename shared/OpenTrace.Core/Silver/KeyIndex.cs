using System.IO.Hashing;
using System.Runtime.InteropServices;
using OpenTrace.Core.Contracts;

namespace OpenTrace.Core.Silver;

/// <summary>
/// The first pass over a bronze file: reads only the key, ordering and unique-rule columns, and decides which rows
/// are superseded by a later version of the same key (latest-wins: the highest ordering value, then the later row)
/// and which rows repeat a value of a <c>unique</c> rule. Memory is about 25 bytes per row for the keys (35 with an
/// ordering column, see <see cref="KeyTable"/>), one bit per row, and 16 bytes per row per unique rule; values are
/// compared by a 128-bit hash of their normalised form.
/// </summary>
internal sealed class KeyIndex
{
    private KeyIndex(BitSet superseded, long duplicates, Dictionary<int, BitSet> uniqueViolations)
    {
        Superseded = superseded;
        Duplicates = duplicates;
        UniqueViolations = uniqueViolations;
    }

    /// <summary>Rows replaced by a later version of their key (by index in the file).</summary>
    public BitSet Superseded { get; }

    /// <summary>How many rows are superseded.</summary>
    public long Duplicates { get; }

    /// <summary>For each unique rule (by rule index), the rows that repeat an earlier row's value.</summary>
    public Dictionary<int, BitSet> UniqueViolations { get; }

    public static async Task<KeyIndex> BuildAsync(SilverPlan plan, int degree, int sliceRows, CancellationToken cancellationToken)
    {
        var total = plan.File.TotalRows;
        var uniqueRules = plan.Contract.Rules
            .Select((rule, index) => (rule, index))
            .Where(r => r.rule.Kind == RuleKind.Unique && !r.rule.Columns.SequenceEqual(plan.Contract.PrimaryKey))
            .Select(r => (Index: r.index, Ordinals: r.rule.Columns.Select(c => Array.FindIndex(plan.Columns, p => p.Column.Name == c)).ToArray()))
            .ToList();
        var superseded = new BitSet(total);
        var uniqueViolations = uniqueRules.ToDictionary(u => u.Index, _ => new BitSet(total));
        if (plan.KeyOrdinals.Length == 0 && uniqueRules.Count == 0)
        {
            return new KeyIndex(superseded, 0, uniqueViolations);
        }

        var needed = plan.KeyOrdinals.Concat(plan.OrderOrdinal >= 0 ? [plan.OrderOrdinal] : []).Concat(uniqueRules.SelectMany(u => u.Ordinals)).Distinct().ToArray();
        var sources = needed.Select(o => plan.Columns[o].Source).OfType<BronzeColumn>().Select(c => c.Index).Distinct().ToArray();
        var uniqueOrdinals = uniqueRules.Select(u => u.Ordinals).ToArray();
        var keys = plan.KeyOrdinals.Length == 0 ? null : new KeyTable(total, plan.OrderOrdinal >= 0);
        var uniqueHashes = uniqueRules.Select(_ => new UInt128[total]).ToArray();
        var uniquePresent = uniqueRules.Select(_ => new BitSet(total)).ToArray();
        var duplicates = 0L;

        await OrderedParallel.RunAsync(
            plan.File.ReadSlices(sources, sliceRows),
            degree,
            slice =>
            {
                var hashed = Hash(plan, slice, uniqueOrdinals);
                foreach (var column in slice.Columns.Values)
                {
                    column.Release();
                }

                return hashed;
            },
            hashes =>
            {
                var first = hashes.FirstRow;
                for (var r = 0; r < hashes.HasKey.Length; r++)
                {
                    if (!hashes.HasKey[r])
                    {
                        continue;
                    }

                    var loser = keys!.Add(hashes.Keys[r], hashes.Orders[r], first + r);
                    if (loser >= 0)
                    {
                        duplicates++;
                        superseded.Set(loser);
                    }
                }

                for (var u = 0; u < uniqueOrdinals.Length; u++)
                {
                    for (var r = 0; r < hashes.Unique[u].Length; r++)
                    {
                        if (hashes.UniquePresent[u][r])
                        {
                            uniqueHashes[u][first + r] = hashes.Unique[u][r];
                            uniquePresent[u].Set(first + r);
                        }
                    }
                }
            },
            cancellationToken);

        // Uniqueness is judged among the rows that survive deduplication, in file order.
        for (var u = 0; u < uniqueRules.Count; u++)
        {
            var seen = new HashSet<UInt128>();
            for (long row = 0; row < total; row++)
            {
                if (uniquePresent[u][row] && !superseded[row] && !seen.Add(uniqueHashes[u][row]))
                {
                    uniqueViolations[uniqueRules[u].Index].Set(row);
                }
            }
        }

        return new KeyIndex(superseded, duplicates, uniqueViolations);
    }

    private static SliceKeys Hash(SilverPlan plan, BronzeSlice slice, int[][] uniqueOrdinals)
    {
        var rows = slice.Rows;
        var scratch = new WorkerScratch();
        var buffer = new HashBuffer();
        var result = new SliceKeys(slice.FirstRow, new UInt128[rows], new long[rows], new bool[rows],
            uniqueOrdinals.Select(_ => new UInt128[rows]).ToArray(), uniqueOrdinals.Select(_ => new bool[rows]).ToArray());
        for (var r = 0; r < rows; r++)
        {
            if (plan.KeyOrdinals.Length > 0 && TryHash(plan, plan.KeyOrdinals, slice, r, scratch, buffer, out var key))
            {
                result.Keys[r] = key;
                result.HasKey[r] = true;
                result.Orders[r] = plan.OrderOrdinal < 0 ? long.MinValue : OrderValue(plan.Columns[plan.OrderOrdinal], slice, r, scratch);
            }

            for (var u = 0; u < uniqueOrdinals.Length; u++)
            {
                if (TryHash(plan, uniqueOrdinals[u], slice, r, scratch, buffer, out var hash))
                {
                    result.Unique[u][r] = hash;
                    result.UniquePresent[u][r] = true;
                }
            }
        }

        return result;
    }

    /// <summary>Hashes the normalised values of <paramref name="ordinals"/> in a row; false when one is null or invalid (the row has no key).</summary>
    private static bool TryHash(SilverPlan plan, int[] ordinals, BronzeSlice slice, int row, WorkerScratch scratch, HashBuffer buffer, out UInt128 hash)
    {
        hash = default;
        buffer.Clear();
        foreach (var ordinal in ordinals)
        {
            var program = plan.Columns[ordinal];
            var input = program.Source is null ? null : slice.Columns[program.Source.Index];
            var status = program.Convert(input is null ? default : input[row], input is null || input.IsNull(row), scratch, out var text, out var typed);
            if (status != ConvertStatus.Value)
            {
                return false;
            }

            if (program.IsString)
            {
                buffer.AddLength(text.Length);
                buffer.Add(text);
            }
            else
            {
                buffer.Add(typed);
            }
        }

        hash = XxHash128.HashToUInt128(buffer.Span);
        return true;
    }

    /// <summary>A long that orders like the value (null and invalid values are the oldest).</summary>
    private static long OrderValue(ColumnProgram column, BronzeSlice slice, int row, WorkerScratch scratch)
    {
        var input = column.Source is null ? null : slice.Columns[column.Source.Index];
        if (column.Convert(input is null ? default : input[row], input is null || input.IsNull(row), scratch, out _, out var typed) != ConvertStatus.Value)
        {
            return long.MinValue;
        }

        var type = column.Column.Type;
        if (type.Kind == ContractTypeKind.Float64)
        {
            var bits = BitConverter.DoubleToInt64Bits(typed.Double);
            return bits >= 0 ? bits : bits ^ long.MaxValue;
        }

        if (type.Kind == ContractTypeKind.Decimal && type.Precision > ContractType.MaxInt64DecimalPrecision)
        {
            return (long)Int128.Clamp(typed.Wide, long.MinValue + 1, long.MaxValue);
        }

        return typed.Long;
    }

    private sealed record SliceKeys(long FirstRow, UInt128[] Keys, long[] Orders, bool[] HasKey, UInt128[][] Unique, bool[][] UniquePresent);

    /// <summary>The bytes a composite value is hashed from.</summary>
    private sealed class HashBuffer
    {
        private byte[] _bytes = new byte[256];
        private int _length;

        public ReadOnlySpan<byte> Span => _bytes.AsSpan(0, _length);

        public void Clear() => _length = 0;

        public void AddLength(int length) => Add(MemoryMarshal.AsBytes(new ReadOnlySpan<int>(in length)));

        public void Add(in TypedValue value)
        {
            var number = value.Long;
            Add(MemoryMarshal.AsBytes(new ReadOnlySpan<long>(in number)));
            var bits = BitConverter.DoubleToInt64Bits(value.Double);
            Add(MemoryMarshal.AsBytes(new ReadOnlySpan<long>(in bits)));
            var wide = value.Wide;
            Add(MemoryMarshal.AsBytes(new ReadOnlySpan<Int128>(in wide)));
        }

        public void Add(ReadOnlySpan<byte> bytes)
        {
            if (_length + bytes.Length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _length + bytes.Length));
            }

            bytes.CopyTo(_bytes.AsSpan(_length));
            _length += bytes.Length;
        }
    }
}
