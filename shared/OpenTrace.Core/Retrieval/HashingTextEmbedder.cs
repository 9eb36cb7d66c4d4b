using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace OpenTrace.Core.Retrieval;

/// <summary>
/// A deterministic lexical embedder that needs no model download: signed feature hashing of analysed words, word
/// pairs, character n-grams (3 to 5 letters of each word, with word boundaries) and domain concepts (a small
/// English–Portuguese lexicon mapping <c>delayed</c>, <c>overdue</c> and <c>atrasou</c> to <c>late</c>) into
/// <see cref="Dimensions"/> buckets, with sublinear term frequency (1 + ln tf) and L2 normalisation. Similar wording
/// gives similar vectors; inflections and misspellings overlap through the n-grams, and synonyms and Portuguese review
/// text through the concepts, which is what the vector ranking adds to BM25's exact terms in hybrid search.
/// Documents and queries are embedded alike.
/// </summary>
public sealed class HashingTextEmbedder : ITextEmbedder
{
    /// <summary>Default vector length.</summary>
    public const int DefaultDimensions = 384;

    private const float WordWeight = 1.0f;
    private const float PairWeight = 0.6f;
    private const float NGramWeight = 0.25f;
    private const float ConceptWeight = 1.6f;

    /// <summary>Creates the embedder; <paramref name="dimensions"/> defaults to <see cref="DefaultDimensions"/>.</summary>
    public HashingTextEmbedder(int dimensions = DefaultDimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 16);
        Dimensions = dimensions;
        ModelId = string.Create(CultureInfo.InvariantCulture, $"opentrace-hashing-v1-{dimensions}");
    }

    /// <inheritdoc />
    public string ModelId { get; }

    /// <inheritdoc />
    public int Dimensions { get; }

    /// <inheritdoc />
    public Task<IReadOnlyList<float[]>> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var vectors = new float[texts.Count][];
        for (var i = 0; i < texts.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            vectors[i] = Embed(texts[i]);
        }

        return Task.FromResult<IReadOnlyList<float[]>>(vectors);
    }

    /// <summary>Embeds one text synchronously (the work is CPU only).</summary>
    public float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var counts = new Dictionary<ulong, (float Weight, int Count)>();
        var terms = TextAnalyzer.Terms(text);
        for (var i = 0; i < terms.Count; i++)
        {
            var term = terms[i];
            Count(counts, Hash("w", term), WordWeight);
            if (ConceptLexicon.ConceptOf(term) is { } concept)
            {
                Count(counts, Hash("c", concept), ConceptWeight);
            }

            if (i > 0)
            {
                Count(counts, Hash("p", terms[i - 1], term), PairWeight);
            }

            AddNGrams(counts, term);
        }

        var vector = new float[Dimensions];
        foreach (var (hash, (weight, count)) in counts)
        {
            var bucket = (int)(hash % (ulong)Dimensions);
            var sign = (hash >> 63) == 0 ? 1f : -1f;
            vector[bucket] += sign * weight * (1f + MathF.Log(count));
        }

        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }

        return vector;
    }

    private static void AddNGrams(Dictionary<ulong, (float Weight, int Count)> counts, string term)
    {
        if (term.Contains('_', StringComparison.Ordinal))
        {
            return; // its parts follow as terms of their own
        }

        Span<char> padded = stackalloc char[term.Length + 2];
        padded[0] = '<';
        term.AsSpan().CopyTo(padded[1..]);
        padded[^1] = '>';
        for (var n = 3; n <= 5; n++)
        {
            for (var start = 0; start + n <= padded.Length; start++)
            {
                Count(counts, Hash("g", padded.Slice(start, n)), NGramWeight);
            }
        }
    }

    private static void Count(Dictionary<ulong, (float Weight, int Count)> counts, ulong hash, float weight)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(counts, hash, out _);
        entry = (weight, entry.Count + 1);
    }

    private static ulong Hash(string kind, ReadOnlySpan<char> a, ReadOnlySpan<char> b = default)
    {
        // FNV-1a over the UTF-16 code units, then a SplitMix64 finaliser so every bit (the sign bit included) mixes.
        var hash = 14695981039346656037UL;
        hash = Mix(hash, kind);
        hash = Mix(hash, a);
        if (!b.IsEmpty)
        {
            hash = Mix(hash, " ");
            hash = Mix(hash, b);
        }

        hash ^= hash >> 30;
        hash *= 0xBF58476D1CE4E5B9UL;
        hash ^= hash >> 27;
        hash *= 0x94D049BB133111EBUL;
        hash ^= hash >> 31;
        return hash;
    }

    private static ulong Mix(ulong hash, ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return hash;
    }
}
