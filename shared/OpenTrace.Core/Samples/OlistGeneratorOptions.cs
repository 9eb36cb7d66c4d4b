namespace OpenTrace.Core.Samples;

/// <summary>What to generate.</summary>
public sealed record OlistGeneratorOptions
{
    /// <summary>The largest accepted <see cref="Scale"/>.</summary>
    public const double MaxScale = 100.0;

    /// <summary>
    /// Size relative to the published dataset: 1.0 gives its volumes (99,441 orders, about 1,000,000 geolocation rows),
    /// 0.01 a hundredth. Every entity table gets at least one row; the 71 categories never scale. Default 1.0;
    /// must be greater than 0 and at most <see cref="MaxScale"/>.
    /// </summary>
    public double Scale { get; init; } = 1.0;

    /// <summary>Seed of every random choice: the same seed and scale give byte-identical files. Default 42.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>Adds the controlled dirt that <see cref="OlistDirt"/> describes. Default false (clean data).</summary>
    public bool Dirty { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the setting when a value is out of range.</summary>
    public void Validate()
    {
        if (!double.IsFinite(Scale) || Scale <= 0 || Scale > MaxScale)
        {
            throw new ArgumentOutOfRangeException(nameof(Scale), Scale, $"Scale must be greater than 0 and at most {MaxScale}.");
        }
    }
}

/// <summary>The entity counts a scale produces (child tables — items, payments, reviews — follow from the orders).</summary>
/// <param name="Orders">Orders, and as many customers (one customer row per order, as published).</param>
/// <param name="Products">Products.</param>
/// <param name="Sellers">Sellers.</param>
/// <param name="Categories">Categories: always 71.</param>
/// <param name="GeolocationRows">Geolocation rows.</param>
/// <param name="ZipPrefixes">Distinct zip prefixes in geolocation; customers and sellers use only these.</param>
public sealed record OlistVolumes(long Orders, long Products, long Sellers, int Categories, long GeolocationRows, int ZipPrefixes)
{
    /// <summary>Orders in the published dataset.</summary>
    public const long PublishedOrders = 99_441;

    /// <summary>Products in the published dataset.</summary>
    public const long PublishedProducts = 32_951;

    /// <summary>Sellers in the published dataset.</summary>
    public const long PublishedSellers = 3_095;

    /// <summary>Geolocation rows in the published dataset.</summary>
    public const long PublishedGeolocationRows = 1_000_163;

    /// <summary>Distinct zip prefixes in the published geolocation file.</summary>
    public const int PublishedZipPrefixes = 19_015;

    /// <summary>Customers: one per order.</summary>
    public long Customers => Orders;

    /// <summary>The volumes for a scale (see <see cref="OlistGeneratorOptions.Scale"/>).</summary>
    public static OlistVolumes ForScale(double scale)
    {
        new OlistGeneratorOptions { Scale = scale }.Validate();
        var prefixes = BrazilGeography.AllocatePrefixes(Scaled(PublishedZipPrefixes, scale)).Sum();
        return new OlistVolumes(
            Scaled(PublishedOrders, scale),
            Scaled(PublishedProducts, scale),
            Scaled(PublishedSellers, scale),
            OlistCategories.All.Count,
            Math.Max(prefixes, Scaled(PublishedGeolocationRows, scale)),
            prefixes);
    }

    internal static long Scaled(long published, double scale) => Math.Max(1, (long)Math.Round(published * scale));
}
