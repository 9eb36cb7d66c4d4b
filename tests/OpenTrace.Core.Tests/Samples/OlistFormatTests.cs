using System.Text;
using System.Text.RegularExpressions;
using OpenTrace.Core.Samples;

namespace OpenTrace.Core.Tests.Samples;

public sealed partial class OlistFormatTests
{
    public static TheoryData<string, string> PublishedHeaders => new()
    {
        { "olist_customers_dataset.csv", "customer_id,customer_unique_id,customer_zip_code_prefix,customer_city,customer_state" },
        { "olist_geolocation_dataset.csv", "geolocation_zip_code_prefix,geolocation_lat,geolocation_lng,geolocation_city,geolocation_state" },
        { "olist_order_items_dataset.csv", "order_id,order_item_id,product_id,seller_id,shipping_limit_date,price,freight_value" },
        { "olist_order_payments_dataset.csv", "order_id,payment_sequential,payment_type,payment_installments,payment_value" },
        { "olist_order_reviews_dataset.csv", "review_id,order_id,review_score,review_comment_title,review_comment_message,review_creation_date,review_answer_timestamp" },
        { "olist_orders_dataset.csv", "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date" },
        { "olist_products_dataset.csv", "product_id,product_category_name,product_name_lenght,product_description_lenght,product_photos_qty,product_weight_g,product_length_cm,product_height_cm,product_width_cm" },
        { "olist_sellers_dataset.csv", "seller_id,seller_zip_code_prefix,seller_city,seller_state" },
        { "product_category_name_translation.csv", "product_category_name,product_category_name_english" },
    };

    [Theory]
    [MemberData(nameof(PublishedHeaders))]
    public async Task EveryFile_StartsWithThePublishedHeader(string fileName, string header)
    {
        var generated = await GeneratedOlist.GetAsync(0.01);

        var text = Encoding.UTF8.GetString(generated.Files[fileName]);

        Assert.StartsWith(header + "\n", text, StringComparison.Ordinal);
        Assert.Equal(header.Split(','), OlistDataset.FindByFileName(fileName)!.Columns);
    }

    [Fact]
    public void Dataset_MapsEachPublishedFileToItsTable()
    {
        Assert.Equal(
            ["customers", "geolocation", "order_items", "order_payments", "order_reviews", "orders", "products", "sellers", "product_category_name_translation"],
            OlistDataset.Files.Select(f => f.Table));
        Assert.Equal("orders", OlistDataset.TableByFileName["olist_orders_dataset.csv"]);
        Assert.Equal("olist_order_items_dataset.csv", OlistDataset.FindByTable("order_items")!.FileName);
        Assert.Null(OlistDataset.FindByFileName("orders.csv"));
    }

    [Fact]
    public async Task Files_AreUtf8WithoutBomWithLfLineEnds()
    {
        var generated = await GeneratedOlist.GetAsync(0.01);

        foreach (var (name, bytes) in generated.Files)
        {
            Assert.False(bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble), name);
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            Assert.EndsWith("\n", text, StringComparison.Ordinal);
            if (name != OlistDataset.OrderReviews.FileName)
            {
                Assert.DoesNotContain('\r', text);
            }
        }
    }

    [Fact]
    public async Task Ids_Are32LowerCaseHexCharacters()
    {
        var generated = await GeneratedOlist.GetAsync(0.01);

        var ids = generated.Orders.Values("order_id")
            .Concat(generated.Orders.Values("customer_id"))
            .Concat(generated.Customers.Values("customer_unique_id"))
            .Concat(generated.Items.Values("product_id"))
            .Concat(generated.Items.Values("seller_id"))
            .Concat(generated.Reviews.Values("review_id"));

        Assert.All(ids, id => Assert.Matches(HexId(), id));
        Assert.Equal(generated.Orders.Rows.Count, generated.Orders.Values("order_id").Distinct().Count());
    }

    [Fact]
    public async Task Timestamps_AreYearMonthDayHourMinuteSecond()
    {
        var generated = await GeneratedOlist.GetAsync(0.01);

        var stamps = generated.Orders.Header.Skip(3).SelectMany(generated.Orders.Values)
            .Concat(generated.Items.Values("shipping_limit_date"))
            .Concat(generated.Reviews.Values("review_creation_date"))
            .Concat(generated.Reviews.Values("review_answer_timestamp"))
            .Where(v => v.Length > 0)
            .ToList();

        Assert.NotEmpty(stamps);
        Assert.All(stamps, s => Assert.Matches(Timestamp(), s));
        Assert.All(generated.Orders.Values("order_estimated_delivery_date"), s => Assert.EndsWith(" 00:00:00", s, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ZipPrefixes_AreFiveDigitTextAndSomeStartWithZero()
    {
        var generated = await GeneratedOlist.GetAsync(0.01);

        var zips = generated.Geolocation.Values("geolocation_zip_code_prefix")
            .Concat(generated.Customers.Values("customer_zip_code_prefix"))
            .Concat(generated.Sellers.Values("seller_zip_code_prefix"))
            .ToList();

        Assert.All(zips, z => Assert.Matches(FiveDigits(), z));
        Assert.Contains(generated.Customers.Values("customer_zip_code_prefix"), z => z.StartsWith('0'));
        Assert.Contains(generated.Geolocation.Values("geolocation_zip_code_prefix"), z => z.StartsWith('0'));
    }

    [Fact]
    public async Task MoneyAndCoordinates_AreInvariantDecimals()
    {
        var generated = await GeneratedOlist.GetAsync(0.01);

        var money = generated.Items.Values("price").Concat(generated.Items.Values("freight_value")).Concat(generated.Payments.Values("payment_value"));
        Assert.All(money, m => Assert.Matches(TwoDecimals(), m));
        var coordinates = generated.Geolocation.Values("geolocation_lat").Concat(generated.Geolocation.Values("geolocation_lng"));
        Assert.All(coordinates, c => Assert.Matches(Coordinate(), c));
        Assert.All(generated.Geolocation.Values("geolocation_lat"), c => Assert.InRange(decimal.Parse(c, System.Globalization.CultureInfo.InvariantCulture), -34m, 6m));
    }

    [Fact]
    public async Task Fields_AreQuotedOnlyWhenNeeded()
    {
        var generated = await GeneratedOlist.GetAsync(0.02);

        foreach (var file in OlistDataset.Files.Where(f => f != OlistDataset.OrderReviews))
        {
            Assert.DoesNotContain('"', generated.Text(file));
        }

        var reviews = generated.Text(OlistDataset.OrderReviews);
        Assert.Contains("\"", reviews, StringComparison.Ordinal);
        Assert.Contains("\"\"original\"\"", reviews, StringComparison.Ordinal);
        Assert.Contains(generated.Reviews.Values("review_comment_message"), m => m.Contains("\"original\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Volumes_AtScaleOne_AreThePublishedCounts()
    {
        var volumes = OlistVolumes.ForScale(1.0);

        Assert.Equal(99_441, volumes.Orders);
        Assert.Equal(99_441, volumes.Customers);
        Assert.Equal(32_951, volumes.Products);
        Assert.Equal(3_095, volumes.Sellers);
        Assert.Equal(71, volumes.Categories);
        Assert.Equal(1_000_163, volumes.GeolocationRows);
        Assert.Equal(19_015, volumes.ZipPrefixes);
    }

    [Fact]
    public async Task TinyScale_StillWritesAtLeastOneOfEachAndAll71Categories()
    {
        var generated = await GeneratedOlist.GenerateAsync(new OlistGeneratorOptions { Scale = 0.00001 });

        Assert.Equal(71, generated.Summary.RowsFor("product_category_name_translation"));
        foreach (var table in new[] { "customers", "orders", "products", "sellers" })
        {
            Assert.Equal(1, generated.Summary.RowsFor(table));
        }

        Assert.InRange(generated.Summary.RowsFor("geolocation"), 1, 10);
        Assert.All(generated.Summary.Files, f => Assert.True(f.Rows >= 1, f.FileName));
        Assert.Equal(generated.Customers.Values("customer_zip_code_prefix"), generated.Geolocation.Values("geolocation_zip_code_prefix").Distinct());
    }

    [Fact]
    public async Task Summary_CountsEveryRowAndByte()
    {
        var generated = await GeneratedOlist.GetAsync(0.01);

        foreach (var file in generated.Summary.Files)
        {
            Assert.Equal(generated.Table(OlistDataset.FindByFileName(file.FileName)!).Rows.Count, file.Rows);
            Assert.Equal(generated.Files[file.FileName].LongLength, file.Bytes);
        }

        Assert.Equal(OlistDataset.Files.Select(f => f.FileName), generated.Summary.Files.Select(f => f.FileName));
        Assert.Equal(994, generated.Summary.RowsFor("orders"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(101)]
    [InlineData(double.NaN)]
    public void Options_ScaleOutOfRange_IsRejectedNamingTheSetting(double scale)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new OlistGenerator(new OlistGeneratorOptions { Scale = scale }));

        Assert.Equal("Scale", error.ParamName);
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex HexId();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")]
    private static partial Regex Timestamp();

    [GeneratedRegex(@"^\d{5}$")]
    private static partial Regex FiveDigits();

    [GeneratedRegex(@"^\d+\.\d{2}$")]
    private static partial Regex TwoDecimals();

    [GeneratedRegex(@"^-?\d{1,2}\.\d{14}$")]
    private static partial Regex Coordinate();
}
