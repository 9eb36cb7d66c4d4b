using System.IO.Hashing;
using System.Runtime.InteropServices;
using OpenTrace.Core.Contracts;
using ParquetSharp;

namespace OpenTrace.Core.Silver;

/// <summary>
/// The first pass over a bronze file: reads only the key, ordering and unique-rule columns, and decides which rows
/// are superseded by a later version of the same key (latest-wins: the highest ordering value, then the later row)
/// and which rows repeat a value of a <c>unique</c> rule. Memory is about 40 bytes per distinct key plus one bit
/// per row; keys are compared by a 128-bit hash of their normalised values.
/// </summary>
internal sealed class KeyIndex
{
    private KeyIndex(BitSet superseded, long duplicates, Dictionary<int, BitSet> uniqueViolations)
    {
        Superseded = superseded;
        Duplicates = duplicates;
        UniqueViolations = uniqueViolations;
    }

    /// <summary>Rows replaced by a later version of their key (by global row index in the file).</summary>
    public BitSet Superseded { get; }

    /// <summary>How many rows are superseded.</summary>
    public long Duplicates { get; }

    /// <summary>For each unique rule (by rule index), the rows that repeat an earlier row's value.</summary>
    public Dictionary<int, BitSet> UniqueViolations { get; }

    public static async Task<KeyIndex> BuildAsync(SilverPlan plan, int degree, PinnedBufferPool pool, CancellationToken cancellationToken)
    {
        var total = plan.File.TotalRows;
        var uniqueRules = plan.Contract.Rules
            .Select((rule, index) => (rule, index))
            .Where(r => r.rule.Kind == RuleKind.Unique && !r.rule.Columns.SequenceEqual(plan.Contract.PrimaryKey))
            .Select(r => (Index: r.index, Ordinals: r.rule.Columns.Select(c => Array.FindIndex(plan.Columns, p => p.Column.Name == c)).ToArray()))
            .ToList();
        var hasKey = plan.KeyOrdinals.Length > 0;
        var superseded = new BitSet(total);
        var uniqueViolations = uniqueRules.ToDictionary(u => u.Index, _ => new BitSet(total));
        if (!hasKey && uniqueRules.Count == 0)
        {
            return new KeyIndex(superseded, 0, uniqueViolations);
        }

        var needed = plan.KeyOrdinals.Concat(plan.OrderOrdinal >= 0 ? [plan.OrderOrdinal] : []).Concat(uniqueRules.SelectMany(u => u.Ordinals)).Distinct().ToArray();
        var groups = plan.File.RowGroupRows.Length;
        var keys = new Dictionary<UInt128, (long Order, long Row)>();
        var duplicates = 0L;
        var uniqueSeen = uniqueRules.Select(_ => new HashSet<UInt128>()).ToArray();
        var groupHashes = new List<GroupKeys>(groups);
        var firstRows = new long[groups];
        for (var g = 1; g < groups; g++)
        {
            firstRows[g] = firstRows[g - 1] + plan.File.RowGroupRows[g - 1];
        }

        await OrderedParallel.RunAsync(
            groups,
            degree,
            g => HashGroup(plan, g, needed, uniqueRules.Select(u => u.Ordinals).ToArray(), pool),
            (g, hashes) =>
            {
                var first = firstRows[g];
                for (var r = 0; r < hashes.Rows; r++)
                {
                    if (!hashes.HasKey[r])
                    {
                        continue;
                    }

                    var row = first + r;
                    ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(keys, hashes.Keys[r], out var exists);
                    if (!exists)
                    {
                        slot = (hashes.Orders[r], row);
                        continue;
                    }

                    duplicates++;
                    if (hashes.Orders[r] >= slot.Order)
                    {
                        superseded.Set(slot.Row);
                        slot = (hashes.Orders[r], row);
                    }
                    else
                    {
                        superseded.Set(row);
                    }
                }

                groupHashes.Add(hashes with { Keys = [], Orders = [] });
            },
            cancellationToken);

        // Uniqueness is judged among the rows that survive deduplication, in file order.
        foreach (var hashes in groupHashes)
        {
            var first = firstRows[hashes.Group];
            for (var u = 0; u < uniqueRules.Count; u++)
            {
                var values = hashes.Unique[u];
                var present = hashes.UniquePresent[u];
                for (var r = 0; r < hashes.Rows; r++)
                {
                    if (present[r] && !superseded[first + r] && !uniqueSeen[u].Add(values[r]))
                    {
                        uniqueViolations[uniqueRules[u].Index].Set(first + r);
                    }
                }
            }
        }

        return new KeyIndex(superseded, duplicates, uniqueViolations);
    }

    private static GroupKeys HashGroup(SilverPlan plan, int group, int[] needed, int[][] uniqueOrdinals, PinnedBufferPool pool)
    {
        var rows = (int)plan.File.RowGroupRows[group];
        using var reader = new ParquetFileReader(plan.File.Path);
        using var rowGroup = reader.RowGroup(group);
        var inputs = new Dictionary<int, Utf8Column>();
        foreach (var ordinal in needed)
        {
            if (plan.Columns[ordinal].Source is { } source && !inputs.ContainsKey(source.Index))
            {
                using var column = rowGroup.Column(source.Index);
                inputs[source.Index] = Utf8Column.Read(column, rows, plan.File.RowGroupBytes[group] / Math.Max(1, plan.File.Columns.Count));
            }
        }

        var arena = new ByteArena(pool, 1 << 16);
        var scratch = new WorkerScratch();
        var values = new Dictionary<int, (ConvertStatus Status, Utf8Ref Text, TypedValue Typed)[]>();
        foreach (var ordinal in needed)
        {
            var program = plan.Columns[ordinal];
            var input = program.Source is null ? null : inputs[program.Source.Index];
            var converted = new (ConvertStatus, Utf8Ref, TypedValue)[rows];
            for (var r = 0; r < rows; r++)
            {
                var status = program.Convert(input is null ? default : input[r], input is null || input.IsNull(r), arena, scratch, out var text, out var typed);
                converted[r] = (status, text, typed);
            }

            values[ordinal] = converted;
        }

        var result = new GroupKeys(group, rows, new UInt128[rows], new long[rows], new bool[rows], new UInt128[uniqueOrdinals.Length][], new bool[uniqueOrdinals.Length][]);
        var buffer = new List<byte>(128);
        for (var r = 0; r < rows; r++)
        {
            if (plan.KeyOrdinals.Length > 0 && TryHash(plan, plan.KeyOrdinals, values, arena, r, buffer, out var key))
            {
                result.Keys[r] = key;
                result.HasKey[r] = true;
                result.Orders[r] = plan.OrderOrdinal < 0 ? long.MinValue : OrderValue(plan.Columns[plan.OrderOrdinal], values[plan.OrderOrdinal][r]);
            }
        }

        for (var u = 0; u < uniqueOrdinals.Length; u++)
        {
            result.Unique[u] = new UInt128[rows];
            result.UniquePresent[u] = new bool[rows];
            for (var r = 0; r < rows; r++)
            {
                if (TryHash(plan, uniqueOrdinals[u], values, arena, r, buffer, out var hash))
                {
                    result.Unique[u][r] = hash;
                    result.UniquePresent[u][r] = true;
                }
            }
        }

        arena.Release();
        return result;
    }

    /// <summary>Hashes the values of <paramref name="ordinals"/> in a row; false when one is null or invalid (the row has no key).</summary>
    private static bool TryHash(SilverPlan plan, int[] ordinals, Dictionary<int, (ConvertStatus Status, Utf8Ref Text, TypedValue Typed)[]> values, ByteArena arena, int row, List<byte> buffer, out UInt128 hash)
    {
        hash = default;
        buffer.Clear();
        Span<byte> number = stackalloc byte[32];
        foreach (var ordinal in ordinals)
        {
            var (status, text, typed) = values[ordinal][row];
            if (status != ConvertStatus.Value)
            {
                return false;
            }

            if (plan.Columns[ordinal].IsString)
            {
                var bytes = arena[text];
                BitConverter.TryWriteBytes(number, bytes.Length);
                buffer.AddRange(number[..4]);
                buffer.AddRange(bytes);
            }
            else
            {
                BitConverter.TryWriteBytes(number, typed.Long);
                BitConverter.TryWriteBytes(number[8..], BitConverter.DoubleToInt64Bits(typed.Double));
                BitConverter.TryWriteBytes(number[16..], (ulong)(typed.Wide >> 64));
                BitConverter.TryWriteBytes(number[24..], (ulong)typed.Wide);
                buffer.AddRange(number);
            }
        }

        hash = XxHash128.HashToUInt128(CollectionsMarshal.AsSpan(buffer));
        return true;
    }

    /// <summary>A long that orders like the value (null and invalid values are the oldest).</summary>
    private static long OrderValue(ColumnProgram column, (ConvertStatus Status, Utf8Ref Text, TypedValue Typed) value)
    {
        if (value.Status != ConvertStatus.Value)
        {
            return long.MinValue;
        }

        var type = column.Column.Type;
        if (type.Kind == ContractTypeKind.Float64)
        {
            var bits = BitConverter.DoubleToInt64Bits(value.Typed.Double);
            return bits >= 0 ? bits : bits ^ long.MaxValue;
        }

        if (type.Kind == ContractTypeKind.Decimal && type.Precision > ContractType.MaxInt64DecimalPrecision)
        {
            return (long)Int128.Clamp(value.Typed.Wide, long.MinValue + 1, long.MaxValue);
        }

        return value.Typed.Long;
    }

    private sealed record GroupKeys(int Group, int Rows, UInt128[] Keys, long[] Orders, bool[] HasKey, UInt128[][] Unique, bool[][] UniquePresent);
}
