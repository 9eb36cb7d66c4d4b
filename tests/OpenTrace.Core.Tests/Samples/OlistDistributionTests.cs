using OpenTrace.Core.Samples;

namespace OpenTrace.Core.Tests.Samples;

/// <summary>Bounds are wide enough for the sampling noise of ~2,000 orders (scale 0.02) and narrow enough to catch a
/// distribution that drifted from the published one.</summary>
public sealed class OlistDistributionTests
{
    [Fact]
    public async Task OrderStatus_IsDominatedByDelivered()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        var shares = Shares(generated.Orders.Values("order_status"));

        Assert.InRange(shares["delivered"], 0.95, 0.99);
        Assert.InRange(shares["shipped"], 0.004, 0.02);
        Assert.InRange(shares.GetValueOrDefault("canceled") + shares.GetValueOrDefault("unavailable"), 0.005, 0.025);
        Assert.Subset(
            new HashSet<string> { "delivered", "shipped", "canceled", "unavailable", "invoiced", "processing", "created", "approved" },
            shares.Keys.ToHashSet());
    }

    [Fact]
    public async Task PaymentTypes_FollowThePublishedMix()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        var shares = Shares(generated.Payments.Values("payment_type"));

        Assert.InRange(shares["credit_card"], 0.69, 0.79);
        Assert.InRange(shares["boleto"], 0.15, 0.23);
        Assert.InRange(shares["voucher"], 0.03, 0.08);
        Assert.InRange(shares["debit_card"], 0.005, 0.03);
        Assert.Equal(4, shares.Count);
    }

    [Fact]
    public async Task Installments_AreMostlyOneToTenForCardsAndOneOtherwise()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);
        var type = generated.Payments.Index("payment_type");
        var installments = generated.Payments.Index("payment_installments");

        var cards = generated.Payments.Rows.Where(r => r[type] == "credit_card").Select(r => int.Parse(r[installments], System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.InRange(cards.Count(i => i <= 10) / (double)cards.Count, 0.97, 1.0);
        Assert.InRange(cards.Count(i => i == 1) / (double)cards.Count, 0.25, 0.42);
        Assert.Contains(cards, i => i >= 6);
        Assert.All(generated.Payments.Rows.Where(r => r[type] != "credit_card"), r => Assert.Equal("1", r[installments]));
    }

    [Fact]
    public async Task Vouchers_AreWhatMakesPaymentSequentialExceedOne()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        var later = generated.Payments.Rows.Where(r => r[1] != "1").ToList();

        Assert.InRange(later.Count / (double)generated.Orders.Rows.Count, 0.02, 0.08);
        Assert.All(later, r => Assert.Equal("voucher", r[2]));
    }

    [Fact]
    public async Task ReviewScores_AreSkewedToFiveWithATailOfOnes()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        var shares = Shares(generated.Reviews.Values("review_score"));

        Assert.InRange(shares["5"], 0.52, 0.63);
        Assert.InRange(shares["4"], 0.15, 0.24);
        Assert.InRange(shares["1"], 0.08, 0.15);
        Assert.True(shares["1"] > shares["2"] && shares["1"] > shares["3"]);
        Assert.InRange(generated.Reviews.Rows.Count / (double)generated.Orders.Rows.Count, 0.99, 1.0);
    }

    [Fact]
    public async Task Purchases_Span2016To2018AndGrowOverTime()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        var purchases = generated.Orders.Values("order_purchase_timestamp").Select(GeneratedOlist.Time).ToList();

        Assert.All(purchases, p => Assert.InRange(p, new DateTime(2016, 9, 1), new DateTime(2018, 10, 31, 23, 59, 59)));
        var in2017 = purchases.Count(p => p.Year == 2017 && p.Month <= 8);
        var in2018 = purchases.Count(p => p.Year == 2018 && p.Month <= 8);
        Assert.True(in2018 > in2017 * 1.5, $"Jan–Aug 2018 ({in2018}) should well exceed Jan–Aug 2017 ({in2017})");
        Assert.True(purchases.Count(p => p.Month == 11 && p.Year == 2017) > purchases.Count(p => p.Month == 10 && p.Year == 2017));
    }

    [Fact]
    public async Task CustomerStates_AreWeightedWithSaoPauloDominant()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        var shares = Shares(generated.Customers.Values("customer_state"));

        Assert.InRange(shares["SP"], 0.36, 0.48);
        Assert.Equal("SP", shares.MaxBy(s => s.Value).Key);
        Assert.True(shares["RJ"] > shares.GetValueOrDefault("BA"));
        Assert.InRange(Shares(generated.Sellers.Values("seller_state"))["SP"], 0.45, 0.75);
    }

    [Fact]
    public async Task OrderDates_AreConsistentAndNullWhereTheStatusSaysSo()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);
        var estimatedDays = new List<double>();

        foreach (var row in generated.Orders.Rows)
        {
            var status = row[2];
            var purchase = GeneratedOlist.Time(row[3]);
            DateTime? approved = row[4].Length > 0 ? GeneratedOlist.Time(row[4]) : null;
            DateTime? carrier = row[5].Length > 0 ? GeneratedOlist.Time(row[5]) : null;
            DateTime? delivered = row[6].Length > 0 ? GeneratedOlist.Time(row[6]) : null;
            var estimated = GeneratedOlist.Time(row[7]);

            Assert.Equal(status == "created", approved is null && status != "canceled");
            Assert.Equal(status is "delivered" or "shipped", carrier is not null && status != "canceled");
            Assert.Equal(status == "delivered", delivered is not null);
            Assert.True(approved is null || approved >= purchase);
            Assert.True(carrier is null || carrier >= approved);
            Assert.True(delivered is null || delivered >= carrier);
            Assert.True(estimated > purchase);
            estimatedDays.Add((estimated - purchase).TotalDays);
        }

        Assert.InRange(estimatedDays.Average(), 18, 28);
    }

    [Fact]
    public async Task LateDeliveries_AreAboutEightPercentOfDelivered()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        var delivered = generated.Orders.Rows.Where(r => r[2] == "delivered").ToList();
        var late = delivered.Count(r => GeneratedOlist.Time(r[6]) > GeneratedOlist.Time(r[7]));

        Assert.InRange(late / (double)delivered.Count, 0.05, 0.12);
    }

    [Fact]
    public async Task Categories_AreThe71PublishedWithTheirTranslations()
    {
        var generated = await GeneratedOlist.GetAsync(0.01);

        var translations = generated.Categories.Rows.ToDictionary(r => r[0], r => r[1]);

        Assert.Equal(71, translations.Count);
        Assert.Equal("health_beauty", translations["beleza_saude"]);
        Assert.Equal("bed_bath_table", translations["cama_mesa_banho"]);
        Assert.Equal("fashio_female_clothing", translations["fashion_roupa_feminina"]);
        Assert.Equal("costruction_tools_garden", translations["construcao_ferramentas_jardim"]);
        Assert.Equal("security_and_services", translations["seguros_e_servicos"]);
        Assert.True(generated.Products.Values("product_category_name").Distinct().Count() >= 30);
    }

    private static Dictionary<string, double> Shares(IEnumerable<string> values)
    {
        var list = values.ToList();
        return list.GroupBy(v => v, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count() / (double)list.Count, StringComparer.Ordinal);
    }
}
