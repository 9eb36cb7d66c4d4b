namespace OpenTrace.Core.Samples;

/// <summary>Generated times are whole seconds since 2016-01-01 00:00:00 (local time of the marketplace, no zone).</summary>
internal static class SampleClock
{
    public const long SecondsPerDay = 86_400;

    public static readonly DateTime Epoch = new(2016, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    public static long Seconds(int year, int month, int day) => (long)(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified) - Epoch).TotalSeconds;

    public static DateTime ToDateTime(long seconds) => Epoch.AddTicks(seconds * TimeSpan.TicksPerSecond);

    /// <summary>Midnight of the day <paramref name="seconds"/> falls in.</summary>
    public static long StartOfDay(long seconds) => seconds - (seconds % SecondsPerDay);

    public static string Format(long seconds) =>
        ToDateTime(seconds).ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
}
