namespace OpenTrace.Core.Samples;

/// <summary>
/// Stream tags that keep every random decision of the generator independent: an entity's values come from
/// <c>(seed, stream, index)</c>, so any file can recompute any row of another without having stored it.
/// </summary>
internal enum SampleStream : ulong
{
    Prefix = 1,
    GeoRow,
    Person,
    CustomerLocation,
    Seller,
    Product,
    ProductDetail,
    Order,
    Review,
    Permutation,
    IdKey,
    DirtDuplicate = 100,
    DirtDuplicateDelay,
    DirtDrift,
    DirtEmpty,
    DirtDate,
    DirtReviewId,
    DirtNumericId,
    TextEmail = 200,
    TextPhone,
    TextMultiLine,
}

/// <summary>SplitMix64 finalisers: a fixed, platform-independent hash of 64-bit words.</summary>
internal static class SampleHash
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    /// <summary>SplitMix64's output function.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A well-mixed word for <c>(seed, stream, index)</c>.</summary>
    public static ulong Of(long seed, SampleStream stream, long index) =>
        Mix(Mix(Mix((ulong)seed + Golden) ^ ((ulong)stream * Golden)) + ((ulong)index * Golden));

    /// <summary>A mixed FNV-1a hash of a text (ordinal, stable across runtimes, unlike string.GetHashCode).</summary>
    public static ulong OfText(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 0x100000001B3UL;
        }

        return Mix(hash);
    }

    /// <summary>Advances a SplitMix64 state and returns its next output.</summary>
    public static ulong Next(ref ulong state)
    {
        state += Golden;
        return Mix(state);
    }
}

/// <summary>
/// xoshiro256** seeded through SplitMix64. Only integer arithmetic and IEEE basic operations, so the same
/// seed gives the same numbers on every machine and runtime.
/// </summary>
internal sealed class SampleRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public SampleRandom(long seed, SampleStream stream, long index)
    {
        var state = SampleHash.Of(seed, stream, index);
        _s0 = SampleHash.Next(ref state);
        _s1 = SampleHash.Next(ref state);
        _s2 = SampleHash.Next(ref state);
        _s3 = SampleHash.Next(ref state);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int Next(int n) => (int)Math.BigMul(NextUInt64(), (ulong)n, out _);

    /// <summary>Uniform integer in [min, maxExclusive).</summary>
    public int Next(int min, int maxExclusive) => min + Next(maxExclusive - min);

    /// <summary>Uniform long in [0, n).</summary>
    public long NextLong(long n) => (long)Math.BigMul(NextUInt64(), (ulong)n, out _);

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>Approximately standard normal (Irwin–Hall sum of twelve uniforms), bounded to ±6.</summary>
    public double Normal()
    {
        var sum = 0.0;
        for (var i = 0; i < 12; i++)
        {
            sum += NextDouble();
        }

        return sum - 6.0;
    }

    /// <summary>Picks from a table of cumulative weights (last entry is the total).</summary>
    public int Pick(ReadOnlySpan<double> cumulative) => SampleMath.Search(cumulative, NextDouble() * cumulative[^1]);

    /// <summary>Picks an element of a small list.</summary>
    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];
}

/// <summary>
/// Exactly one hit in every block of <see cref="BlockSize"/> consecutive indexes, at a seeded position:
/// a rate that is exact and present even in small outputs, without any state.
/// </summary>
internal sealed class BlockSampler(long seed, SampleStream stream, int blockSize)
{
    public int BlockSize { get; } = blockSize;

    public bool Hit(long index)
    {
        var block = index / BlockSize;
        var position = (long)(SampleHash.Of(seed, stream, block) % (ulong)BlockSize);
        return index % BlockSize == position;
    }

    /// <summary>The block an index falls in, to vary the kind of dirt from block to block.</summary>
    public long Block(long index) => index / BlockSize;
}

/// <summary>Math that gives the same bits everywhere: no calls into the platform's libm.</summary>
internal static class SampleMath
{
    private const double Ln2 = 0.6931471805599453;

    /// <summary>e^x by range reduction and a Taylor polynomial (relative error below 1e-15).</summary>
    public static double Exp(double x)
    {
        x = Math.Clamp(x, -700.0, 700.0);
        var k = Math.Round(x / Ln2);
        var r = x - (k * Ln2);
        var term = 1.0;
        var sum = 1.0;
        for (var n = 1; n <= 18; n++)
        {
            term = term * r / n;
            sum += term;
        }

        return Math.ScaleB(sum, (int)k);
    }

    /// <summary>The logistic function.</summary>
    public static double Logistic(double x) => 1.0 / (1.0 + Exp(-x));

    /// <summary>cos(x) for |x| ≤ π/2 by its Taylor polynomial.</summary>
    public static double Cos(double x)
    {
        var x2 = x * x;
        var term = 1.0;
        var sum = 1.0;
        for (var n = 1; n <= 10; n++)
        {
            term = -term * x2 / ((2 * n - 1) * (2 * n));
            sum += term;
        }

        return sum;
    }

    /// <summary>Running sums of <paramref name="weights"/>.</summary>
    public static double[] Cumulative(ReadOnlySpan<double> weights)
    {
        var result = new double[weights.Length];
        var total = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            total += weights[i];
            result[i] = total;
        }

        return result;
    }

    /// <summary>First index whose cumulative weight exceeds <paramref name="target"/>.</summary>
    public static int Search(ReadOnlySpan<double> cumulative, double target)
    {
        int lo = 0, hi = cumulative.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (cumulative[mid] > target)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }

    /// <summary>
    /// Splits <paramref name="total"/> into parts proportional to <paramref name="weights"/> that add up exactly,
    /// by rounding the running sum.
    /// </summary>
    public static long[] Apportion(long total, ReadOnlySpan<double> weights)
    {
        var cumulative = Cumulative(weights);
        var sum = cumulative.Length == 0 ? 0 : cumulative[^1];
        var result = new long[weights.Length];
        long previous = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            var upTo = i == weights.Length - 1 ? total : (long)Math.Round(total * (cumulative[i] / sum));
            result[i] = upTo - previous;
            previous = upTo;
        }

        return result;
    }
}
