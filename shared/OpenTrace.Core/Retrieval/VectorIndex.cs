using System.Numerics.Tensors;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// Exact (brute-force) nearest-neighbour search over L2-normalised vectors held in one contiguous row-major
/// <c>float[]</c>: a query is a SIMD dot product (<see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>)
/// with every allowed row, kept in a bounded heap of the best <c>k</c>. The cost is one pass over the matrix, so a
/// query is bound by memory bandwidth; no approximation, no recall loss.
/// </summary>
public sealed class VectorIndex
{
    private readonly float[] _matrix;

    /// <summary>
    /// Wraps <paramref name="matrix"/> (row-major, <paramref name="dimensions"/> values per row) without copying.
    /// Rows are normalised in place unless <paramref name="normalised"/> says they already are.
    /// </summary>
    public VectorIndex(float[] matrix, int dimensions, bool normalised = false)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        if (matrix.Length % dimensions != 0)
        {
            throw new ArgumentException($"A matrix of {matrix.Length} values is not a whole number of {dimensions}-value rows.", nameof(matrix));
        }

        _matrix = matrix;
        Dimensions = dimensions;
        Count = matrix.Length / dimensions;
        if (!normalised)
        {
            for (var row = 0; row < Count; row++)
            {
                Normalise(matrix.AsSpan(row * dimensions, dimensions));
            }
        }
    }

    /// <summary>Values per vector.</summary>
    public int Dimensions { get; }

    /// <summary>Rows in the index.</summary>
    public int Count { get; }

    /// <summary>Bytes one unfiltered query reads.</summary>
    public long BytesPerQuery => (long)_matrix.Length * sizeof(float);

    /// <summary>The stored (normalised) vector of a row.</summary>
    public ReadOnlySpan<float> Row(int row) => _matrix.AsSpan(row * Dimensions, Dimensions);

    /// <summary>Scales <paramref name="vector"/> to unit length in place; a zero vector stays zero.</summary>
    public static void Normalise(Span<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0 && MathF.Abs(norm - 1f) > 1e-6f)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
    }

    /// <summary>
    /// The <paramref name="k"/> rows most similar to <paramref name="query"/> (cosine similarity), best first, among the
    /// rows <paramref name="mask"/> allows (null: all rows).
    /// </summary>
    public ScoredRow[] Search(ReadOnlySpan<float> query, int k, RowMask? mask = null)
    {
        if (query.Length != Dimensions)
        {
            throw new ArgumentException($"The query has {query.Length} values; the index holds {Dimensions}-value vectors.", nameof(query));
        }

        var q = query.ToArray();
        Normalise(q);
        var top = new TopK(k);
        var matrix = _matrix.AsSpan();
        var d = Dimensions;
        if (mask is null)
        {
            var threshold = float.NegativeInfinity;
            for (var row = 0; row < Count; row++)
            {
                var score = TensorPrimitives.Dot(matrix.Slice(row * d, d), q);
                if (score > threshold)
                {
                    top.Offer(row, score);
                    threshold = top.Threshold;
                }
            }
        }
        else
        {
            if (mask.RowCount != Count)
            {
                throw new ArgumentException($"The mask covers {mask.RowCount} rows; the index has {Count}.", nameof(mask));
            }

            foreach (var row in mask.Rows())
            {
                top.Offer(row, TensorPrimitives.Dot(matrix.Slice(row * d, d), q));
            }
        }

        return top.ToSortedArray();
    }
}
