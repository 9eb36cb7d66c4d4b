using OpenTrace.Core.Samples;

namespace OpenTrace.Core.Tests.Samples;

public sealed class OlistIntegrityTests
{
    public static TheoryData<bool> Modes => new() { false, true };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task EveryForeignKey_Resolves(bool dirty)
    {
        var generated = await GeneratedOlist.GetAsync(0.02, dirty: dirty);

        var customers = generated.Customers.Values("customer_id").ToHashSet(StringComparer.Ordinal);
        var orders = generated.Orders.Values("order_id").ToHashSet(StringComparer.Ordinal);
        var products = generated.Products.Values("product_id").ToHashSet(StringComparer.Ordinal);
        var sellers = generated.Sellers.Values("seller_id").ToHashSet(StringComparer.Ordinal);
        var categories = generated.Categories.Values("product_category_name").ToHashSet(StringComparer.Ordinal);
        var zips = generated.Geolocation.Values("geolocation_zip_code_prefix").ToHashSet(StringComparer.Ordinal);

        AssertResolve(generated.Orders.Values("customer_id"), customers, "orders.customer_id");
        AssertResolve(generated.Items.Values("order_id"), orders, "order_items.order_id");
        AssertResolve(generated.Items.Values("product_id"), products, "order_items.product_id");
        AssertResolve(generated.Items.Values("seller_id"), sellers, "order_items.seller_id");
        AssertResolve(generated.Payments.Values("order_id"), orders, "order_payments.order_id");
        AssertResolve(generated.Reviews.Values("order_id"), orders, "order_reviews.order_id");
        AssertResolve(generated.Customers.Values("customer_zip_code_prefix"), zips, "customers.customer_zip_code_prefix");
        AssertResolve(generated.Sellers.Values("seller_zip_code_prefix"), zips, "sellers.seller_zip_code_prefix");

        // dirty mode drifts and empties category names on purpose; after trimming and lower-casing they resolve
        var productCategories = generated.Products.Values("product_category_name").Where(c => c.Length > 0);
        AssertResolve(dirty ? productCategories.Select(c => c.Trim().ToLowerInvariant()) : productCategories, categories, "products.product_category_name");
    }

    [Fact]
    public async Task Keys_AreUniqueInCleanData()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        AssertUnique(generated.Customers, "customer_id");
        AssertUnique(generated.Orders, "order_id");
        AssertUnique(generated.Products, "product_id");
        AssertUnique(generated.Sellers, "seller_id");
        AssertUnique(generated.Categories, "product_category_name");
        AssertUnique(generated.Reviews, "review_id");
        AssertUnique(generated.Items, "order_id", "order_item_id");
        AssertUnique(generated.Payments, "order_id", "payment_sequential");
        Assert.Equal(generated.Customers.Rows.Count, generated.Orders.Values("customer_id").Distinct().Count());
    }

    [Fact]
    public async Task EveryProductAndSeller_IsSoldAtLeastOnce()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        Assert.Empty(generated.Products.Values("product_id").Except(generated.Items.Values("product_id")));
        Assert.Empty(generated.Sellers.Values("seller_id").Except(generated.Items.Values("seller_id")));
    }

    [Fact]
    public async Task Payments_AddUpToItemPricesPlusFreight()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        var items = generated.Items.Rows.GroupBy(r => r[0])
            .ToDictionary(g => g.Key, g => g.Sum(r => GeneratedOlist.Money(r[5]) + GeneratedOlist.Money(r[6])));
        var payments = generated.Payments.Rows.GroupBy(r => r[0]).ToDictionary(g => g.Key, g => g.Sum(r => GeneratedOlist.Money(r[4])));

        Assert.Equal(generated.Orders.Rows.Count, payments.Count);
        Assert.All(items, order => Assert.Equal(order.Value, payments[order.Key]));
        Assert.All(generated.Payments.Values("payment_value"), v => Assert.True(GeneratedOlist.Money(v) > 0));
    }

    [Fact]
    public async Task Items_AreNumberedFromOneWithinEachOrder()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        foreach (var order in generated.Items.Rows.GroupBy(r => r[0]))
        {
            Assert.Equal(Enumerable.Range(1, order.Count()).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), order.Select(r => r[1]));
        }

        foreach (var order in generated.Payments.Rows.GroupBy(r => r[0]))
        {
            Assert.Equal(Enumerable.Range(1, order.Count()).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), order.Select(r => r[1]));
        }
    }

    [Fact]
    public async Task CustomersAndSellers_LiveInTheCityAndStateTheirZipHasInGeolocation()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        var places = generated.Geolocation.Rows.GroupBy(r => r[0]).ToDictionary(g => g.Key, g => (City: g.First()[3], State: g.First()[4]));

        Assert.All(generated.Customers.Rows, c => Assert.Equal(places[c[2]], (c[3], c[4])));
        Assert.All(generated.Sellers.Rows, s => Assert.Equal(places[s[1]], (s[2], s[3])));
    }

    private static void AssertResolve(IEnumerable<string> references, HashSet<string> keys, string what)
    {
        var missing = references.Where(r => !keys.Contains(r)).Distinct().Take(5).ToList();
        Assert.True(missing.Count == 0, $"{what} has references that do not resolve: {string.Join(", ", missing)}");
    }

    private static void AssertUnique(CsvTable table, params string[] columns)
    {
        var indexes = columns.Select(table.Index).ToArray();
        var keys = table.Rows.Select(r => string.Join("|", indexes.Select(i => r[i]))).ToList();
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
    }
}
