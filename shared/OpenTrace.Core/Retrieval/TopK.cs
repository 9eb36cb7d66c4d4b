namespace OpenTrace.Core.Retrieval;

/// <summary>A row and its score.</summary>
/// <param name="Row">Row in the index.</param>
/// <param name="Score">Higher is better.</param>
public readonly record struct ScoredRow(int Row, float Score);

/// <summary>
/// Keeps the <c>k</c> best-scoring rows seen, in a bounded min-heap: offering a row costs one comparison unless it
/// beats the worst kept. Ties keep the lower row number, so results are deterministic.
/// </summary>
public sealed class TopK
{
    private readonly int[] _rows;
    private readonly float[] _scores;
    private int _count;

    /// <summary>Creates a collector for the <paramref name="k"/> best rows (k ≥ 1).</summary>
    public TopK(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        _rows = new int[k];
        _scores = new float[k];
    }

    /// <summary>Rows kept so far.</summary>
    public int Count => _count;

    /// <summary>The score a row must beat to be kept once the heap is full; negative infinity before that.</summary>
    public float Threshold => _count < _rows.Length ? float.NegativeInfinity : _scores[0];

    /// <summary>Offers one row. Rows must be offered in increasing row order for ties to favour the lower row.</summary>
    public void Offer(int row, float score)
    {
        if (_count < _rows.Length)
        {
            var i = _count++;
            _rows[i] = row;
            _scores[i] = score;
            SiftUp(i);
            return;
        }

        if (score <= _scores[0])
        {
            return;
        }

        _rows[0] = row;
        _scores[0] = score;
        SiftDown(0);
    }

    /// <summary>The kept rows, best first (ties: lower row first).</summary>
    public ScoredRow[] ToSortedArray()
    {
        var result = new ScoredRow[_count];
        for (var i = 0; i < _count; i++)
        {
            result[i] = new ScoredRow(_rows[i], _scores[i]);
        }

        Array.Sort(result, static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Row.CompareTo(b.Row));
        return result;
    }

    // The heap's root is the worst kept row: lowest score, and among equal scores the highest row.
    private bool Worse(int a, int b) => _scores[a] < _scores[b] || (_scores[a] == _scores[b] && _rows[a] > _rows[b]);

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Worse(i, parent))
            {
                return;
            }

            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= _count)
            {
                return;
            }

            var worst = left + 1 < _count && Worse(left + 1, left) ? left + 1 : left;
            if (!Worse(worst, i))
            {
                return;
            }

            Swap(i, worst);
            i = worst;
        }
    }

    private void Swap(int a, int b)
    {
        (_rows[a], _rows[b]) = (_rows[b], _rows[a]);
        (_scores[a], _scores[b]) = (_scores[b], _scores[a]);
    }
}
