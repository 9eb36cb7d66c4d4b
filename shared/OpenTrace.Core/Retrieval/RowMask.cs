using System.Numerics;

namespace OpenTrace.Core.Retrieval;

/// <summary>A set of index rows as a bitmap: the rows a metadata filter allows. Searches visit only these rows.</summary>
public sealed class RowMask
{
    private readonly ulong[] _bits;

    /// <summary>An empty mask over <paramref name="rowCount"/> rows.</summary>
    public RowMask(int rowCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        RowCount = rowCount;
        _bits = new ulong[(rowCount + 63) / 64];
    }

    /// <summary>Rows the mask covers (allowed or not).</summary>
    public int RowCount { get; }

    /// <summary>Rows allowed.</summary>
    public int Count => _bits.Sum(b => BitOperations.PopCount(b));

    /// <summary>A mask from a list of rows.</summary>
    public static RowMask Of(int rowCount, IEnumerable<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var mask = new RowMask(rowCount);
        foreach (var row in rows)
        {
            mask.Add(row);
        }

        return mask;
    }

    /// <summary>Allows a row.</summary>
    public void Add(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, RowCount);
        _bits[row >> 6] |= 1UL << (row & 63);
    }

    /// <summary>True when the row is allowed.</summary>
    public bool Contains(int row) => (uint)row < (uint)RowCount && (_bits[row >> 6] & (1UL << (row & 63))) != 0;

    /// <summary>Keeps only rows also allowed by <paramref name="other"/>.</summary>
    public void IntersectWith(RowMask other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.RowCount != RowCount)
        {
            throw new ArgumentException($"Masks over {RowCount} and {other.RowCount} rows cannot be combined.", nameof(other));
        }

        for (var i = 0; i < _bits.Length; i++)
        {
            _bits[i] &= other._bits[i];
        }
    }

    /// <summary>The allowed rows in increasing order.</summary>
    public IEnumerable<int> Rows()
    {
        for (var w = 0; w < _bits.Length; w++)
        {
            var word = _bits[w];
            while (word != 0)
            {
                var bit = BitOperations.TrailingZeroCount(word);
                yield return (w << 6) + bit;
                word &= word - 1;
            }
        }
    }

    internal ReadOnlySpan<ulong> Words => _bits;
}
