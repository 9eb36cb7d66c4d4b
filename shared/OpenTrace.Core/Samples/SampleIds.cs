namespace OpenTrace.Core.Samples;

/// <summary>The kinds of generated identifiers; each kind is its own id space.</summary>
internal enum IdKind : ulong
{
    Order = 1,
    Customer,
    CustomerUnique,
    Seller,
    Product,
    Review,
}

/// <summary>
/// Identifiers derived from indexes: a keyed four-round Feistel permutation of the 128-bit block
/// <c>(kind, index)</c>, printed as 32 lower-case hex characters. A permutation never maps two inputs to the
/// same output, so ids are unique without storing them, and foreign keys are recomputed from the index.
/// </summary>
internal sealed class SampleIds
{
    private const int Rounds = 4;
    private readonly ulong[] _keys = new ulong[Rounds];
    private readonly long _seed;
    private readonly BlockSampler? _numericLooking;

    /// <param name="seed">The generator seed; it keys the permutation.</param>
    /// <param name="numericLooking">When set, the hit indexes of customers, sellers and products get all-digit ids.</param>
    public SampleIds(long seed, BlockSampler? numericLooking)
    {
        _seed = seed;
        _numericLooking = numericLooking;
        for (var i = 0; i < Rounds; i++)
        {
            _keys[i] = SampleHash.Of(seed, SampleStream.IdKey, i);
        }
    }

    public string Get(IdKind kind, long index)
    {
        if (_numericLooking is not null && kind is IdKind.Customer or IdKind.Seller or IdKind.Product
            && _numericLooking.Hit(index))
        {
            return NumericLooking(kind, index);
        }

        var left = (ulong)kind;
        var right = (ulong)index;
        for (var i = 0; i < Rounds; i++)
        {
            (left, right) = (right, left ^ SampleHash.Mix(right ^ _keys[i]));
        }

        return string.Create(32, (left, right), static (span, words) =>
        {
            words.left.TryFormat(span[..16], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
            words.right.TryFormat(span[16..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        });
    }

    /// <summary>"00" + 12-digit index + 18 seeded digits: still 32 hex characters, but a reader that infers
    /// numbers would turn it into a number and lose the leading zeros.</summary>
    private string NumericLooking(IdKind kind, long index)
    {
        var tail = SampleHash.Of(_seed, SampleStream.DirtNumericId, ((long)kind << 40) | index) % 1_000_000_000_000_000_000UL;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"00{index:D12}{tail:D18}");
    }
}
