using System.Text;
using OpenTrace.Core.Features;
using OpenTrace.Core.Serving;
using OpenTrace.Core.Tests.Gold;
using OpenTrace.Core.Training;

namespace OpenTrace.Core.Tests.Serving;

/// <summary>Predict request bodies of the late-delivery task, valid and not.</summary>
public sealed class PredictionRequestReaderTests
{
    private static readonly FeatureCatalog Catalog = FeatureCatalog.Load(RepositoryFiles.Pipelines);
    private static readonly FeatureLayout Layout = new(Catalog.Tasks.Single(), Catalog.Groups);
    private static readonly PredictionRequestReader Reader = new(Layout);
    private static readonly DateTimeOffset Now = new(2018, 9, 1, 8, 0, 0, TimeSpan.Zero);

    private const string Valid = """
        {"order_id": "o1", "customer_unique_id": "c1", "seller_id": "s1", "product_id": "p1", "customer_state": "RJ",
         "seller_state": "SP", "price": 99.9, "freight_value": 15.1, "item_count": 2, "estimated_delivery_date": "2018-09-20"}
        """;

    [Fact]
    public void ValidBody_GivesTheIdsAndInputs_WithTheRequestTimeAsEventTime()
    {
        var read = Reader.Read(Encoding.UTF8.GetBytes(Valid), Now);

        Assert.True(read.IsValid);
        var input = read.Value!;
        Assert.Equal(("o1", Now), (input.Key, input.EventTimestamp));
        Assert.Equal(["c1", "s1", "p1"], input.EntityIds);
        var vector = new float[Layout.Length];
        Layout.FillRequest(vector, input.Inputs);
        var features = Layout.Names.Skip(Layout.RequestSlot).Zip(vector.Skip(Layout.RequestSlot)).ToDictionary(p => p.First, p => p.Second);
        Assert.Equal(0, features["same_state"]);
        Assert.Equal(15.1f / 99.9f, features["freight_ratio"], 5);
        Assert.Equal(9, features["purchase_month"]);
        Assert.Equal(19 - (8 / 24f), features["promised_days"], 4);
    }

    [Fact]
    public void EventTime_GivenInTheBody_IsUsed()
    {
        var read = Reader.Read(Encoding.UTF8.GetBytes(Valid.Replace("\"price\"", "\"purchase_timestamp\": \"2018-08-30T10:00:00-03:00\", \"price\"", StringComparison.Ordinal)), Now);

        Assert.Equal(new DateTimeOffset(2018, 8, 30, 13, 0, 0, TimeSpan.Zero), read.Value!.EventTimestamp);
    }

    [Theory]
    [InlineData("\"price\": 99.9", "\"price\": 0", "price", "0 is out of range: 0.01 to 100000.")]
    [InlineData("\"price\": 99.9", "\"price\": \"99.9\"", "price", "Must be a number.")]
    [InlineData("\"seller_state\": \"SP\"", "\"seller_state\": \"sp\"", "seller_state", "'sp' is not a Brazilian state code (two upper-case letters, e.g. SP).")]
    [InlineData("\"seller_id\": \"s1\"", "\"seller_id\": \"\"", "seller_id", "Must be 1 to 200 printable characters.")]
    [InlineData("\"seller_id\": \"s1\"", "\"seller_id\": 7", "seller_id", "Must be a string.")]
    [InlineData("\"seller_id\": \"s1\", ", "", "seller_id", "Required.")]
    [InlineData("\"order_id\": \"o1\"", "\"order_id\": \"o1\", \"order_id\": \"o2\"", "order_id", "Given twice.")]
    [InlineData("\"order_id\": \"o1\"", "\"order_id\": \"o1\", \"coupon\": {\"code\": 1}", "coupon", "Not a field of late_delivery.")]
    [InlineData("\"2018-09-20\"", "\"next week\"", "estimated_delivery_date", "Must be an ISO 8601 date or time")]
    public void BadField_IsReportedWithItsName(string find, string replace, string field, string message)
    {
        var read = Reader.Read(Encoding.UTF8.GetBytes(Valid.Replace(find, replace, StringComparison.Ordinal)), Now);

        Assert.False(read.IsValid);
        var error = Assert.Single(read.Errors);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"order_id\": ")]
    [InlineData("{} {}")]
    [InlineData("{\"order_id\": \"o1\"} // note")]
    public void NotOneJsonObject_IsABodyError(string body)
    {
        var read = Reader.Read(Encoding.UTF8.GetBytes(body), Now);

        Assert.Equal("body", Assert.Single(read.Errors).Field);
    }
}
