using System.Globalization;
using System.Text.RegularExpressions;
using OpenTrace.Core.Samples;

namespace OpenTrace.Core.Tests.Samples;

public sealed partial class OlistDirtyModeTests
{
    private static readonly string[] Statuses = ["delivered", "shipped", "canceled", "unavailable", "invoiced", "processing", "created", "approved"];
    private static readonly string[] PaymentTypes = ["credit_card", "boleto", "voucher", "debit_card"];

    public static TheoryData<bool> Modes => new() { false, true };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DuplicateRows_AppearInEveryFileOnlyWhenDirty(bool dirty)
    {
        var generated = await GeneratedOlist.GetAsync(0.02, dirty: dirty);

        foreach (var file in OlistDataset.Files.Where(f => f != OlistDataset.CategoryTranslation && f != OlistDataset.Sellers))
        {
            var rows = generated.Table(file).Rows.Select(r => string.Join('\u001f', r)).ToList();
            var duplicates = rows.Count - rows.Distinct(StringComparer.Ordinal).Count();
            if (dirty)
            {
                Assert.InRange(duplicates, 1, (rows.Count / OlistDirt.DuplicateRowOneIn) + 1);
            }
            else
            {
                Assert.Equal(0, duplicates);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task CategoricalValues_DriftInCaseAndWhitespaceOnlyWhenDirty(bool dirty)
    {
        var generated = await GeneratedOlist.GetAsync(0.02, dirty: dirty);

        var states = generated.Customers.Values("customer_state").Concat(generated.Geolocation.Values("geolocation_state")).ToList();
        var statuses = generated.Orders.Values("order_status").ToList();
        var payments = generated.Payments.Values("payment_type").ToList();
        var driftedStates = states.Where(s => !TwoCapitals().IsMatch(s) && s.Length > 0).ToList();
        var driftedStatuses = statuses.Where(s => !Statuses.Contains(s)).ToList();
        var driftedPayments = payments.Where(s => !PaymentTypes.Contains(s)).ToList();

        if (!dirty)
        {
            Assert.Empty(driftedStates);
            Assert.Empty(driftedStatuses);
            Assert.Empty(driftedPayments);
            return;
        }

        Assert.Contains(driftedStates, s => s.StartsWith(' '));
        Assert.Contains(driftedStates, s => s.Any(char.IsLower));
        Assert.Contains(driftedPayments, p => p == "Credit_Card" || p.EndsWith(' ') || p.StartsWith(' ') || p == "CREDIT_CARD");
        Assert.NotEmpty(driftedStatuses);
        // drift never changes meaning: trimmed and lower-cased, every value is a known one again
        Assert.All(driftedStatuses, s => Assert.Contains(s.Trim().ToLowerInvariant(), Statuses));
        Assert.All(driftedPayments, p => Assert.Contains(p.Trim().ToLowerInvariant(), PaymentTypes));
        Assert.InRange(driftedStates.Count / (double)states.Count, 0.5 / OlistDirt.DriftOneIn, 2.5 / OlistDirt.DriftOneIn);
        Assert.Contains(generated.Geolocation.Values("geolocation_city"), c => c.Any(ch => ch > 127));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task EmptyStrings_AreQuotedEmptyFieldsOnlyWhenDirty(bool dirty)
    {
        var generated = await GeneratedOlist.GetAsync(0.02, dirty: dirty);

        var customers = generated.Text(OlistDataset.Customers);
        var orders = generated.Text(OlistDataset.Orders);

        Assert.Equal(dirty, customers.Contains(",\"\",", StringComparison.Ordinal));
        Assert.Equal(dirty, orders.Contains(",\"\",", StringComparison.Ordinal));
        Assert.Equal(dirty, generated.Products.Values("product_category_name").Any(c => c.Length == 0));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ImpossibleDates_OfEachKindAppearOnlyWhenDirty(bool dirty)
    {
        var generated = await GeneratedOlist.GetAsync(0.02, dirty: dirty);
        var rows = generated.Orders.Rows.DistinctBy(r => r[0]).ToList();

        var deliveredBeforePurchase = rows.Count(r => r[6].Length > 0 && IsDate(r[3]) && GeneratedOlist.Time(r[6]) < GeneratedOlist.Time(r[3]));
        var nonexistentDay = rows.Count(r => !IsDate(r[3]));
        var year2099 = rows.Count(r => r[7].StartsWith("2099-", StringComparison.Ordinal));

        if (dirty)
        {
            Assert.True(deliveredBeforePurchase > 0 && nonexistentDay > 0 && year2099 > 0, $"{deliveredBeforePurchase}, {nonexistentDay}, {year2099}");
            Assert.InRange(deliveredBeforePurchase + nonexistentDay + year2099, rows.Count / OlistDirt.ImpossibleDateOneIn, (rows.Count / OlistDirt.ImpossibleDateOneIn) + 1);
            Assert.All(rows.Where(r => !IsDate(r[3])), r => Assert.Matches(Timestamp(), r[3]));
        }
        else
        {
            Assert.Equal(0, deliveredBeforePurchase + nonexistentDay + year2099);
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ReviewIds_RepeatAcrossOrdersOnlyWhenDirty(bool dirty)
    {
        var generated = await GeneratedOlist.GetAsync(0.02, dirty: dirty);

        var shared = generated.Reviews.Rows
            .GroupBy(r => r[0])
            .Where(g => g.Select(r => r[1]).Distinct().Count() > 1)
            .Count();

        if (dirty)
        {
            Assert.InRange(shared, 1, (generated.Reviews.Rows.Count / OlistDirt.DuplicateReviewIdOneIn) + 1);
        }
        else
        {
            Assert.Equal(0, shared);
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task NumericLookingIds_KeepTheirLeadingZerosAndResolveOnlyWhenDirty(bool dirty)
    {
        var generated = await GeneratedOlist.GetAsync(0.02, dirty: dirty);

        var numeric = generated.Customers.Values("customer_id")
            .Concat(generated.Products.Values("product_id"))
            .Concat(generated.Sellers.Values("seller_id"))
            .Where(id => AllDigits().IsMatch(id))
            .Distinct()
            .ToList();

        Assert.Equal(dirty, numeric.Count > 0);
        Assert.All(numeric, id => Assert.StartsWith("00", id, StringComparison.Ordinal));
        var customers = generated.Customers.Values("customer_id").ToHashSet(StringComparer.Ordinal);
        var orderCustomers = generated.Orders.Values("customer_id").ToHashSet(StringComparer.Ordinal);
        Assert.All(numeric.Where(customers.Contains), id => Assert.Contains(id, orderCustomers));
    }

    private static bool IsDate(string value) =>
        DateTime.TryParseExact(value, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex TwoCapitals();

    [GeneratedRegex("^[0-9]{32}$")]
    private static partial Regex AllDigits();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")]
    private static partial Regex Timestamp();
}
