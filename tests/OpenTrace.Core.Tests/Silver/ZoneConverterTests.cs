using OpenTrace.Core.Silver;

namespace OpenTrace.Core.Tests.Silver;

public sealed class ZoneConverterTests
{
    [Theory]
    [InlineData("America/Sao_Paulo")]
    [InlineData("Europe/Berlin")]
    [InlineData("UTC")]
    public void ToUtcTicks_OutsideDaylightSavingChanges_AgreesWithTheZoneRules(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var converter = ZoneConverter.For(zone);

        // Every 37 minutes over four years, crossing blocks of the offset table and several daylight-saving changes,
        // twice: the second pass reads the cached offsets.
        for (var pass = 0; pass < 2; pass++)
        {
            for (var local = new DateTime(2016, 1, 1, 0, 7, 0); local < new DateTime(2020, 1, 1); local = local.AddMinutes(37))
            {
                if (zone.IsInvalidTime(local) || zone.IsAmbiguousTime(local))
                {
                    continue;
                }

                Assert.Equal(TimeZoneInfo.ConvertTimeToUtc(local, zone).Ticks, converter.ToUtcTicks(local.Ticks));
            }
        }
    }

    [Fact]
    public void ToUtcTicks_FirstAndLastHourOfTheCalendar_AreConverted()
    {
        var converter = ZoneConverter.For(TimeZoneInfo.Utc);

        Assert.Equal(0, converter.ToUtcTicks(0));
        Assert.Equal(DateTime.MaxValue.Ticks, converter.ToUtcTicks(DateTime.MaxValue.Ticks));
    }
}
