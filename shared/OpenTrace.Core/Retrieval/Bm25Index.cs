using System.Buffers;
using System.Runtime.InteropServices;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// Okapi BM25 over analysed terms (<see cref="TextAnalyzer"/>), with an inverted index of term → (row, term frequency).
/// <c>k1</c> = 1.2 and <c>b</c> = 0.75 by default; idf = ln(1 + (N − df + 0.5) / (df + 0.5)), never negative.
/// </summary>
public sealed class Bm25Index
{
    private readonly Dictionary<string, int> _termIds = new(StringComparer.Ordinal);
    private readonly int[][] _postingRows;
    private readonly float[][] _postingTf;
    private readonly float[] _lengthNorm;
    private readonly float _k1;

    /// <summary>Indexes one term list per row.</summary>
    public Bm25Index(IReadOnlyList<IReadOnlyList<string>> rows, float k1 = 1.2f, float b = 0.75f)
    {
        ArgumentNullException.ThrowIfNull(rows);
        Count = rows.Count;
        _k1 = k1;
        var rowLists = new List<List<int>>();
        var tfLists = new List<List<float>>();
        var lengths = new float[Count];
        var counts = new Dictionary<int, int>();
        for (var row = 0; row < Count; row++)
        {
            counts.Clear();
            foreach (var term in rows[row])
            {
                ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_termIds, term, out var exists);
                if (!exists)
                {
                    id = rowLists.Count;
                    rowLists.Add([]);
                    tfLists.Add([]);
                }

                counts[id] = counts.GetValueOrDefault(id) + 1;
            }

            lengths[row] = rows[row].Count;
            foreach (var (id, tf) in counts.OrderBy(c => c.Key))
            {
                rowLists[id].Add(row);
                tfLists[id].Add(tf);
            }
        }

        _postingRows = rowLists.Select(l => l.ToArray()).ToArray();
        _postingTf = tfLists.Select(l => l.ToArray()).ToArray();
        var average = Count == 0 ? 1f : Math.Max(lengths.Average(), 1f);
        _lengthNorm = lengths.Select(l => k1 * (1 - b + (b * l / average))).ToArray();
        MaxIdf = Idf(0);
    }

    /// <summary>Rows indexed.</summary>
    public int Count { get; }

    /// <summary>Distinct terms indexed.</summary>
    public int Vocabulary => _termIds.Count;

    /// <summary>The idf a term found in no row would have: the upper bound of <see cref="IdfOf"/>.</summary>
    public float MaxIdf { get; }

    /// <summary>Inverse document frequency of an analysed term; <see cref="MaxIdf"/> for an unknown term.</summary>
    public float IdfOf(string term) => _termIds.TryGetValue(term, out var id) ? Idf(_postingRows[id].Length) : MaxIdf;

    /// <summary>True when some row contains the analysed term.</summary>
    public bool Contains(string term) => _termIds.ContainsKey(term);

    /// <summary>
    /// The <paramref name="k"/> best rows for the analysed <paramref name="queryTerms"/> (each distinct term counts once),
    /// among rows <paramref name="mask"/> allows (null: all). Rows matching no term are not returned.
    /// </summary>
    public ScoredRow[] Search(IReadOnlyList<string> queryTerms, int k, RowMask? mask = null)
    {
        ArgumentNullException.ThrowIfNull(queryTerms);

        // Pooled: a fresh array per query would land on the large-object heap once the corpus passes ~21,000 rows.
        var scores = ArrayPool<float>.Shared.Rent(Count);
        try
        {
            Array.Clear(scores, 0, Count);
            return Score(queryTerms, k, mask, scores, []);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    private ScoredRow[] Score(IReadOnlyList<string> queryTerms, int k, RowMask? mask, float[] scores, List<int> touched)
    {
        foreach (var term in queryTerms.Distinct(StringComparer.Ordinal))
        {
            if (!_termIds.TryGetValue(term, out var id))
            {
                continue;
            }

            var rows = _postingRows[id];
            var tfs = _postingTf[id];
            var idf = Idf(rows.Length);
            for (var i = 0; i < rows.Length; i++)
            {
                var row = rows[i];
                if (mask is not null && !mask.Contains(row))
                {
                    continue;
                }

                if (scores[row] == 0)
                {
                    touched.Add(row);
                }

                var tf = tfs[i];
                scores[row] += idf * tf * (_k1 + 1) / (tf + _lengthNorm[row]);
            }
        }

        touched.Sort();
        var top = new TopK(k);
        foreach (var row in touched)
        {
            top.Offer(row, scores[row]);
        }

        return top.ToSortedArray();
    }

    private float Idf(int documentFrequency) => MathF.Log(1f + ((Count - documentFrequency + 0.5f) / (documentFrequency + 0.5f)));
}
