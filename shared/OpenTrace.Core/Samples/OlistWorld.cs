namespace OpenTrace.Core.Samples;

/// <summary>
/// What the generator must remember, kept in small flat arrays: zip prefixes (about 19,000 at scale 1), sellers
/// (3,095) and products (32,951) with the attributes other files refer to. Customers, orders and everything below
/// them are recomputed from their index when needed, never stored.
/// </summary>
internal sealed class OlistWorld
{
    private const double RepeatCustomerRate = 0.0336;
    private const int RepeatCustomerLookBack = 20_000;
    private const long E12 = 1_000_000_000_000;

    private readonly int[] _zip;
    private readonly byte[] _prefixState;
    private readonly byte[] _prefixCity;
    private readonly long[] _latE14;
    private readonly long[] _lngE14;
    private readonly long[] _geoRows;
    private readonly double[] _prefixCumulative;
    private readonly int[] _stateFirstPrefix;
    private readonly int[] _statePrefixCount;
    private readonly double[] _customerStates;
    private readonly double[] _sellerStates;
    private readonly double[] _categoryProducts;
    private readonly double[,] _distance;
    private readonly Permutation _customerOfOrder;
    private readonly Permutation _productOrder;
    private readonly Permutation _sellerOrder;

    public OlistWorld(OlistGeneratorOptions options)
    {
        options.Validate();
        Options = options;
        Seed = options.Seed;
        Volumes = OlistVolumes.ForScale(options.Scale);
        Ids = new SampleIds(Seed, options.Dirty ? new BlockSampler(Seed, SampleStream.DirtNumericId, OlistDirt.NumericLookingIdOneIn) : null);

        var states = BrazilGeography.States;
        var perState = BrazilGeography.AllocatePrefixes(OlistVolumes.Scaled(OlistVolumes.PublishedZipPrefixes, options.Scale));
        var prefixCount = perState.Sum();
        _zip = new int[prefixCount];
        _prefixState = new byte[prefixCount];
        _prefixCity = new byte[prefixCount];
        _latE14 = new long[prefixCount];
        _lngE14 = new long[prefixCount];
        _prefixCumulative = new double[prefixCount];
        _stateFirstPrefix = new int[states.Count];
        _statePrefixCount = perState;
        var geoWeights = new double[prefixCount];
        var next = 0;
        for (var s = 0; s < states.Count; s++)
        {
            _stateFirstPrefix[s] = next;
            BuildPrefixes(s, perState[s], next, geoWeights);
            next += perState[s];
        }

        _geoRows = SampleMath.Apportion(Volumes.GeolocationRows - prefixCount, geoWeights);
        for (var i = 0; i < prefixCount; i++)
        {
            _geoRows[i]++;
        }

        _customerStates = StateWeights(s => s.Customers);
        _sellerStates = StateWeights(s => s.Sellers);
        _distance = new double[states.Count, states.Count];
        for (var a = 0; a < states.Count; a++)
        {
            for (var b = 0; b < states.Count; b++)
            {
                _distance[a, b] = BrazilGeography.DistanceThousandKm(states[a], states[b]);
            }
        }

        _categoryProducts = SampleMath.Cumulative(OlistCategories.All.Select(c => (double)c.Products).ToArray());
        _customerOfOrder = new Permutation(Seed, 0, Volumes.Orders);
        _productOrder = new Permutation(Seed, 1, Volumes.Products);
        _sellerOrder = new Permutation(Seed, 2, Volumes.Sellers);
        BuildSellers();
        BuildProducts();
        StandardiseSellers();
    }

    public OlistGeneratorOptions Options { get; }

    public long Seed { get; }

    public OlistVolumes Volumes { get; }

    public SampleIds Ids { get; }

    public int PrefixCount => _zip.Length;

    // ---- zip prefixes and places

    public int Zip(int prefix) => _zip[prefix];

    public int StateOf(int prefix) => _prefixState[prefix];

    public BrazilState State(int state) => BrazilGeography.States[state];

    public BrazilCity City(int prefix) => BrazilGeography.States[_prefixState[prefix]].Cities[_prefixCity[prefix]];

    public long LatitudeE14(int prefix) => _latE14[prefix];

    public long LongitudeE14(int prefix) => _lngE14[prefix];

    public long GeolocationRows(int prefix) => _geoRows[prefix];

    public double Distance(int stateA, int stateB) => _distance[stateA, stateB];

    // ---- sellers

    public int[] SellerPrefix { get; private set; } = [];

    /// <summary>Each seller's standard-normal unreliability: higher ships late more often.</summary>
    public double[] SellerUnreliability { get; private set; } = [];

    public double[] SellerCumulative { get; private set; } = [];

    // ---- products

    public byte[] ProductCategory { get; private set; } = [];

    public int[] ProductWeight { get; private set; } = [];

    public int[] ProductSeller { get; private set; } = [];

    public int[] ProductPriceCents { get; private set; } = [];

    /// <summary>The product's late log-odds: its category's effect plus a weight effect.</summary>
    public double[] ProductLateEffect { get; private set; } = [];

    public double[] ProductCumulative { get; private set; } = [];

    // ---- customers: recomputed from the index

    /// <summary>The customer that order <paramref name="order"/> belongs to (a fixed permutation of order indexes).</summary>
    public long CustomerOfOrder(long order) => _customerOfOrder.Apply(order);

    /// <summary>The product at position <paramref name="position"/> of a seeded order of all products.</summary>
    public int ProductInSeededOrder(long position) => (int)_productOrder.Apply(position);

    /// <summary>The person behind a customer row: about 3.4% of customers are a repeat buyer (an earlier person).</summary>
    public long Person(long customer)
    {
        while (customer > 0)
        {
            var random = new SampleRandom(Seed, SampleStream.Person, customer);
            if (!random.Chance(RepeatCustomerRate))
            {
                break;
            }

            customer -= 1 + random.NextLong(Math.Min(customer, RepeatCustomerLookBack));
        }

        return customer;
    }

    /// <summary>The zip prefix index of a customer; repeat buyers live where they lived before.</summary>
    public int CustomerPrefix(long customer) => PickPrefix(new SampleRandom(Seed, SampleStream.CustomerLocation, Person(customer)), _customerStates);

    public int PickProduct(SampleRandom random) => random.Pick(ProductCumulative);

    public int PickSeller(SampleRandom random) => random.Pick(SellerCumulative);

    private int PickPrefix(SampleRandom random, double[] stateCumulative)
    {
        var state = random.Pick(stateCumulative);
        var first = _stateFirstPrefix[state];
        return first + random.Pick(_prefixCumulative.AsSpan(first, _statePrefixCount[state]));
    }

    private void BuildPrefixes(int stateIndex, int count, int first, double[] geoWeights)
    {
        var state = BrazilGeography.States[stateIndex];
        var cityCumulative = SampleMath.Cumulative(state.Cities.Select(c => (double)c.Weight).ToArray());
        var total = 0.0;
        for (var j = 0; j < count; j++)
        {
            var i = first + j;
            var random = new SampleRandom(Seed, SampleStream.Prefix, i);
            var start = (long)j * state.ZipCount / count;
            var end = (long)(j + 1) * state.ZipCount / count;
            _zip[i] = state.ZipLow + (int)(start + random.NextLong(end - start));
            _prefixState[i] = (byte)stateIndex;
            var city = SampleMath.Search(cityCumulative, (j + 0.5) / count * cityCumulative[^1]);
            _prefixCity[i] = (byte)city;
            _latE14[i] = (state.Cities[city].LatE2 * E12) + random.NextLong(16 * E12) - (8 * E12);
            _lngE14[i] = (state.Cities[city].LngE2 * E12) + random.NextLong(16 * E12) - (8 * E12);
            geoWeights[i] = SampleMath.Exp(0.9 * random.Normal());
            total += geoWeights[i];
            _prefixCumulative[i] = total;
        }
    }

    private double[] StateWeights(Func<BrazilState, int> weight)
    {
        var states = BrazilGeography.States;
        var weights = new double[states.Count];
        for (var s = 0; s < weights.Length; s++)
        {
            weights[s] = _statePrefixCount[s] > 0 ? weight(states[s]) : 0;
        }

        if (weights.Sum() == 0)
        {
            for (var s = 0; s < weights.Length; s++)
            {
                weights[s] = _statePrefixCount[s] > 0 ? states[s].Customers : 0;
            }
        }

        return SampleMath.Cumulative(weights);
    }

    private void BuildSellers()
    {
        var count = (int)Volumes.Sellers;
        SellerPrefix = new int[count];
        SellerUnreliability = new double[count];
        var popularity = new double[count];
        for (var i = 0; i < count; i++)
        {
            var random = new SampleRandom(Seed, SampleStream.Seller, i);
            SellerPrefix[i] = PickPrefix(random, _sellerStates);
            SellerUnreliability[i] = random.Normal();
            popularity[i] = SampleMath.Exp(1.6 * random.Normal());
        }

        SellerCumulative = SampleMath.Cumulative(popularity);
    }

    private void BuildProducts()
    {
        var count = (int)Volumes.Products;
        ProductCategory = new byte[count];
        ProductWeight = new int[count];
        ProductSeller = new int[count];
        ProductPriceCents = new int[count];
        ProductLateEffect = new double[count];
        var popularity = new double[count];
        for (var i = 0; i < count; i++)
        {
            var random = new SampleRandom(Seed, SampleStream.Product, i);
            var categoryIndex = random.Pick(_categoryProducts);
            var category = OlistCategories.All[categoryIndex];
            var weightZ = random.Normal();
            ProductCategory[i] = (byte)categoryIndex;
            ProductWeight[i] = (int)Math.Clamp(Math.Round(category.MedianWeight * SampleMath.Exp(0.9 * weightZ)), 50, 40_000);
            ProductPriceCents[i] = (int)Math.Clamp(Math.Round(category.MedianPrice * 100 * SampleMath.Exp(0.75 * random.Normal())), 85, 673_500);
            // the first products go one to each seller (in a seeded order) so that every seller sells something
            ProductSeller[i] = i < SellerCumulative.Length ? (int)_sellerOrder.Apply(i) : random.Pick(SellerCumulative);
            ProductLateEffect[i] = (category.LateEffect / 10.0) + (0.25 * weightZ);
            popularity[i] = SampleMath.Exp(1.2 * random.Normal());
        }

        ProductCumulative = SampleMath.Cumulative(popularity);
    }

    /// <summary>
    /// Centres and scales the sellers' unreliability weighted by the share of items each can expect, so that a few
    /// large sellers drawn unlucky do not swing the overall late rate from seed to seed.
    /// </summary>
    private void StandardiseSellers()
    {
        var load = new double[SellerUnreliability.Length];
        var popularityTotal = ProductCumulative[^1];
        var previous = 0.0;
        for (var p = 0; p < ProductSeller.Length; p++)
        {
            load[ProductSeller[p]] += ((ProductCumulative[p] - previous) / popularityTotal) + (1.0 / ProductSeller.Length);
            previous = ProductCumulative[p];
        }

        double total = 0, mean = 0, variance = 0;
        for (var s = 0; s < load.Length; s++)
        {
            total += load[s];
            mean += load[s] * SellerUnreliability[s];
        }

        mean /= total;
        for (var s = 0; s < load.Length; s++)
        {
            var d = SellerUnreliability[s] - mean;
            variance += load[s] * d * d;
        }

        var scale = variance > 0 ? Math.Sqrt(total / variance) : 1.0;
        for (var s = 0; s < load.Length; s++)
        {
            SellerUnreliability[s] = (SellerUnreliability[s] - mean) * scale;
        }
    }

    /// <summary>A seeded bijection of [0, n): i ↦ (a·i + b) mod n with a coprime to n.</summary>
    private sealed class Permutation
    {
        private readonly long _factor = 1;
        private readonly long _offset;
        private readonly long _count;

        public Permutation(long seed, long which, long count)
        {
            _count = count;
            var random = new SampleRandom(seed, SampleStream.Permutation, which);
            _offset = random.NextLong(count);
            for (var attempt = 0; attempt < 64 && count > 2; attempt++)
            {
                var candidate = 1 + random.NextLong(count - 1);
                if (Gcd(candidate, count) == 1)
                {
                    _factor = candidate;
                    break;
                }
            }
        }

        public long Apply(long index) => (long)(((UInt128)(ulong)_factor * (ulong)index + (ulong)_offset) % (ulong)_count);

        private static long Gcd(long a, long b)
        {
            while (b != 0)
            {
                (a, b) = (b, a % b);
            }

            return a;
        }
    }
}
