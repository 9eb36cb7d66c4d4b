namespace OpenTrace.Core.Silver;

/// <summary>
/// The latest version of each key seen so far, for <see cref="KeyIndex"/>: an open-addressing table of 128-bit key
/// hashes sized once from the file's row count, so it never grows or rehashes. A slot costs 20 bytes (28 with an
/// ordering column) and the table is kept at most four fifths full: about 25 bytes per row without ordering.
/// </summary>
internal sealed class KeyTable
{
    private readonly UInt128[] _keys;

    // The row holding each slot's key, plus one: 0 marks an empty slot, so a new array starts empty.
    private readonly uint[] _rows;
    private readonly long[]? _orders;
    private readonly ulong _capacity;

    /// <param name="rows">The most keys the table will hold (the file's row count).</param>
    /// <param name="ordered">True when the file has an ordering column whose value each key keeps.</param>
    public KeyTable(long rows, bool ordered)
    {
        if (rows >= uint.MaxValue || rows > (long)Array.MaxLength * 4 / 5 - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), rows, "Too many rows in one file to deduplicate in memory.");
        }

        var capacity = Math.Max(16, rows + (rows / 4) + 1);
        _capacity = (ulong)capacity;
        _keys = new UInt128[capacity];
        _rows = new uint[capacity];
        _orders = ordered ? new long[capacity] : null;
    }

    /// <summary>
    /// Records <paramref name="row"/> with <paramref name="key"/>. Returns -1 when the key is new; otherwise the row
    /// the caller must mark superseded: the earlier row when this one wins (its order is at least the kept one's),
    /// or this row when the kept one is newer.
    /// </summary>
    public long Add(UInt128 key, long order, long row)
    {
        // The high 64 bits scaled to the capacity pick the first slot; collisions probe the next slots.
        var slot = (long)(ulong)(((UInt128)(ulong)(key >> 64) * _capacity) >> 64);
        var capacity = (long)_capacity;
        while (true)
        {
            var stored = _rows[slot];
            if (stored == 0)
            {
                _keys[slot] = key;
                _rows[slot] = (uint)(row + 1);
                if (_orders is not null)
                {
                    _orders[slot] = order;
                }

                return -1;
            }

            if (_keys[slot] == key)
            {
                var kept = _orders is null ? long.MinValue : _orders[slot];
                if (order >= kept)
                {
                    _rows[slot] = (uint)(row + 1);
                    if (_orders is not null)
                    {
                        _orders[slot] = order;
                    }

                    return stored - 1;
                }

                return row;
            }

            if (++slot == capacity)
            {
                slot = 0;
            }
        }
    }
}
