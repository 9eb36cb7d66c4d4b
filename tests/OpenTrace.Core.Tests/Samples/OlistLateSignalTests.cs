using OpenTrace.Core.Samples;

namespace OpenTrace.Core.Tests.Samples;

/// <summary>The late-delivery signal must be visible in the files, not only in the model that made them.</summary>
public sealed class OlistLateSignalTests
{
    /// <summary>Late rate of the least reliable tenth of sellers' orders minus that of the most reliable tenth.</summary>
    private const double SellerDecileMargin = 0.15;

    /// <summary>Late rate of orders shipped 2,000 km or more minus that of orders within one state.</summary>
    private const double DistanceMargin = 0.10;

    [Fact]
    public async Task LateRate_DiffersBySellerReliabilityDecile()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);
        var world = new OlistWorld(generated.Options);
        var unreliability = Enumerable.Range(0, (int)world.Volumes.Sellers)
            .ToDictionary(s => world.Ids.Get(IdKind.Seller, s), s => world.SellerUnreliability[s], StringComparer.Ordinal);

        var ranked = DeliveredWithFirstItem(generated)
            .Select(o => (Unreliability: unreliability[o.Seller], o.Late))
            .OrderBy(o => o.Unreliability)
            .ToList();
        var decile = ranked.Count / 10;
        var mostReliable = ranked.Take(decile).Average(o => o.Late ? 1.0 : 0.0);
        var leastReliable = ranked.TakeLast(decile).Average(o => o.Late ? 1.0 : 0.0);

        Assert.True(
            leastReliable - mostReliable >= SellerDecileMargin,
            $"late rate {leastReliable:P1} in the least reliable decile vs {mostReliable:P1} in the most reliable");
    }

    [Fact]
    public async Task LateRate_GrowsWithDistanceBetweenCustomerAndSellerStates()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);
        var states = BrazilGeography.States.ToDictionary(s => s.Code, StringComparer.Ordinal);
        var sellerState = generated.Sellers.Rows.ToDictionary(r => r[0], r => r[3], StringComparer.Ordinal);
        var customerState = generated.Customers.Rows.ToDictionary(r => r[0], r => r[4], StringComparer.Ordinal);

        var orders = DeliveredWithFirstItem(generated)
            .Select(o => (Distance: BrazilGeography.DistanceThousandKm(states[customerState[o.Customer]], states[sellerState[o.Seller]]), o.Late))
            .ToList();
        var near = orders.Where(o => o.Distance == 0).Average(o => o.Late ? 1.0 : 0.0);
        var far = orders.Where(o => o.Distance >= 2.0).Average(o => o.Late ? 1.0 : 0.0);

        Assert.True(far - near >= DistanceMargin, $"late rate {far:P1} at 2,000 km or more vs {near:P1} within a state");
    }

    [Fact]
    public async Task LateOrders_GetWorseReviews()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);
        var scores = generated.Reviews.Rows.GroupBy(r => r[1]).ToDictionary(g => g.Key, g => int.Parse(g.First()[2], System.Globalization.CultureInfo.InvariantCulture));

        var orders = DeliveredWithFirstItem(generated).Where(o => scores.ContainsKey(o.Order)).ToList();
        var late = orders.Where(o => o.Late).Average(o => scores[o.Order]);
        var onTime = orders.Where(o => !o.Late).Average(o => scores[o.Order]);

        Assert.True(onTime - late >= 1.0, $"mean score {late:F2} when late vs {onTime:F2} on time");
    }

    private static IEnumerable<(string Order, string Customer, string Seller, bool Late)> DeliveredWithFirstItem(GeneratedOlist generated)
    {
        var firstSeller = generated.Items.Rows.Where(r => r[1] == "1").ToDictionary(r => r[0], r => r[3], StringComparer.Ordinal);
        return generated.Orders.Rows
            .Where(r => r[2] == "delivered")
            .Select(r => (r[0], r[1], firstSeller[r[0]], GeneratedOlist.Time(r[6]) > GeneratedOlist.Time(r[7])));
    }
}
