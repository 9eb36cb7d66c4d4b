using System.Globalization;
using System.Text;
using OpenTrace.Core.Contracts;
using OpenTrace.Core.Silver;

namespace OpenTrace.Core.Tests.Silver;

public sealed class ValueParserTests
{
    [Theory]
    [InlineData("42", 42L)]
    [InlineData("-7", -7L)]
    [InlineData("+7", 7L)]
    [InlineData("40.0", 40L)]
    [InlineData("40.000", 40L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void Int64_Valid_Parses(string text, long expected)
    {
        Assert.True(Parser("int64").TryParse(Encoding.UTF8.GetBytes(text), out var value));
        Assert.Equal(expected, value.Long);
    }

    [Theory]
    [InlineData("4.5")]
    [InlineData("40.")]
    [InlineData("1e3")]
    [InlineData("9223372036854775808")]
    [InlineData("12 345")]
    [InlineData("")]
    [InlineData("-")]
    public void Int64_Invalid_IsRejected(string text) =>
        Assert.False(Parser("int64").TryParse(Encoding.UTF8.GetBytes(text), out _));

    [Theory]
    [InlineData("12.5", "12.50")]
    [InlineData("12", "12.00")]
    [InlineData("0.005", "0.01")]
    [InlineData("1.004", "1.00")]
    [InlineData("-1.005", "-1.01")]
    [InlineData("9999999999.99", "9999999999.99")]
    [InlineData(".5", "0.50")]
    public void Decimal_RoundsHalfAwayFromZeroToTheScale(string text, string expected)
    {
        var parser = Parser("decimal(12,2)");

        Assert.True(parser.TryParse(Encoding.UTF8.GetBytes(text), out var value));
        Assert.Equal(decimal.Parse(expected, CultureInfo.InvariantCulture), ValueParser.ToDecimal(value.Long, 2));
    }

    [Theory]
    [InlineData("10000000000.00")]
    [InlineData("1,5")]
    [InlineData("1.2.3")]
    [InlineData("R$ 5")]
    public void Decimal_BeyondPrecisionOrMalformed_IsRejected(string text) =>
        Assert.False(Parser("decimal(12,2)").TryParse(Encoding.UTF8.GetBytes(text), out _));

    [Fact]
    public void Decimal_WiderThanInt64_UsesTheWideSlot()
    {
        var parser = Parser("decimal(38,4)");

        Assert.True(parser.TryParse("12345678901234567890123456.1234"u8, out var value));

        Assert.Equal(Int128.Parse("123456789012345678901234561234", CultureInfo.InvariantCulture), value.Wide);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("FALSE", false)]
    [InlineData("Yes", true)]
    [InlineData("n", false)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    public void Bool_AcceptsTheUsualSpellings(string text, bool expected)
    {
        Assert.True(Parser("bool").TryParse(Encoding.UTF8.GetBytes(text), out var value));
        Assert.Equal(expected ? 1 : 0, value.Long);
    }

    [Theory]
    [InlineData("2018-02-28", true)]
    [InlineData("2016-02-29", true)]
    [InlineData("2018-02-29", false)]
    [InlineData("2017-04-31", false)]
    [InlineData("2018-13-01", false)]
    [InlineData("2018-1-5", false)]
    [InlineData("2018-01-05 00:00:00", false)]
    public void Date_Iso_ChecksTheCalendar(string text, bool valid) =>
        Assert.Equal(valid, Parser("date").TryParse(Encoding.UTF8.GetBytes(text), out _));

    [Theory]
    [InlineData("2018-01-31 12:34:56", "2018-01-31T12:34:56Z")]
    [InlineData("2018-01-31T12:34:56", "2018-01-31T12:34:56Z")]
    [InlineData("2018-01-31T12:34:56.123456", "2018-01-31T12:34:56.123456Z")]
    [InlineData("2018-01-31T12:34:56Z", "2018-01-31T12:34:56Z")]
    [InlineData("2018-01-31T12:34:56+02:00", "2018-01-31T10:34:56Z")]
    [InlineData("2018-01-31T12:34-0300", "2018-01-31T15:34:00Z")]
    [InlineData("2018-01-31", "2018-01-31T00:00:00Z")]
    public void Timestamp_Iso_ReadsOffsetsAndAssumesUtcOtherwise(string text, string expected)
    {
        Assert.True(Parser("timestamp").TryParse(Encoding.UTF8.GetBytes(text), out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), Instant(value.Long));
    }

    [Theory]
    [InlineData("2018-06-01 10:00:00", "2018-06-01T13:00:00Z")] // standard time, UTC-3
    [InlineData("2018-01-01 10:00:00", "2018-01-01T12:00:00Z")] // summer time then, UTC-2
    [InlineData("2017-10-15 00:30:00", "2017-10-15T03:30:00Z")] // skipped by the change to summer time: moved forward
    [InlineData("2018-02-17 23:30:00", "2018-02-18T02:30:00Z")] // repeated by the change back: read as standard time
    public void Timestamp_InAZone_ConvertsWallTimeToUtc(string text, string expected)
    {
        var type = Type("timestamp") with { Formats = ["yyyy-MM-dd HH:mm:ss"], TimeZone = TimeZoneInfo.FindSystemTimeZoneById("America/Sao_Paulo") };

        Assert.True(new ValueParser(type).TryParse(Encoding.UTF8.GetBytes(text), out var value));

        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), Instant(value.Long));
    }

    [Theory]
    [InlineData("2018-01-31 12:34:56", true)]
    [InlineData("2018-01-31T12:34:56", false)]
    [InlineData("2018-01-31", false)]
    [InlineData("2018-02-29 10:15:00", false)]
    [InlineData("2018-01-31 24:00:00", false)]
    public void Timestamp_ExplicitFormat_AcceptsOnlyThatFormat(string text, bool valid)
    {
        var type = Type("timestamp") with { Formats = ["yyyy-MM-dd HH:mm:ss"] };

        Assert.Equal(valid, new ValueParser(type).TryParse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void Timestamp_CustomFormats_AreTriedInOrder()
    {
        var parser = new ValueParser(Type("timestamp") with { Formats = ["dd/MM/yyyy HH:mm", "dd/MM/yyyy HH:mm zzz"] });

        Assert.True(parser.TryParse("31/01/2018 12:34"u8, out var plain));
        Assert.True(parser.TryParse("31/01/2018 12:34 +01:00"u8, out var offset));
        Assert.False(parser.TryParse("2018-01-31 12:34"u8, out _));

        Assert.Equal(DateTimeOffset.Parse("2018-01-31T12:34:00Z", CultureInfo.InvariantCulture), Instant(plain.Long));
        Assert.Equal(DateTimeOffset.Parse("2018-01-31T11:34:00Z", CultureInfo.InvariantCulture), Instant(offset.Long));
    }

    [Fact]
    public void ForLiterals_ReadsIsoWhateverTheDataFormat()
    {
        var type = Type("timestamp") with { Formats = ["dd/MM/yyyy HH:mm"] };

        Assert.True(ValueParser.ForLiterals(type).TryParseText("2030-12-31", out var bound));
        Assert.False(new ValueParser(type).TryParseText("2030-12-31", out _));
        Assert.Equal(DateTimeOffset.Parse("2030-12-31T00:00:00Z", CultureInfo.InvariantCulture), Instant(bound.Long));
    }

    private static ContractType Type(string name) => ContractType.TryParse(name, out _)!;

    private static ValueParser Parser(string type) => new(Type(type));

    private static DateTimeOffset Instant(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
}
