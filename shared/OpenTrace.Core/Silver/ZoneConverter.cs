using System.Collections.Concurrent;

namespace OpenTrace.Core.Silver;

/// <summary>
/// Converts wall-clock times of one zone to UTC quickly: the offset of each local hour is computed once and cached,
/// and only hours that contain a daylight-saving change take the exact path. A wall time the change skips (a gap)
/// is read with the offset in force just before it, i.e. moved forward by the gap; an ambiguous one (the hour that
/// repeats) is read as standard time. Thread-safe.
/// </summary>
internal sealed class ZoneConverter
{
    private const long TicksPerHour = TimeSpan.TicksPerHour;
    private const long Transitional = long.MinValue;

    private static readonly ConcurrentDictionary<string, ZoneConverter> Shared = new(StringComparer.Ordinal);

    private readonly TimeZoneInfo _zone;
    private readonly ConcurrentDictionary<long, long> _offsetByHour = new();

    private ZoneConverter(TimeZoneInfo zone) => _zone = zone;

    /// <summary>The converter of a zone, shared process-wide.</summary>
    public static ZoneConverter For(TimeZoneInfo zone) => Shared.GetOrAdd(zone.Id, _ => new ZoneConverter(zone));

    /// <summary>Converts local ticks (0001-01-01 based, unspecified kind) to UTC ticks.</summary>
    public long ToUtcTicks(long localTicks)
    {
        var hour = localTicks / TicksPerHour;
        if (!_offsetByHour.TryGetValue(hour, out var offset))
        {
            offset = HourOffset(hour);
            _offsetByHour.TryAdd(hour, offset);
        }

        return offset != Transitional ? localTicks - offset : Exact(localTicks);
    }

    private long HourOffset(long hour)
    {
        var start = new DateTime(hour * TicksPerHour, DateTimeKind.Unspecified);
        var end = start.AddTicks(TicksPerHour - 1);
        if (_zone.IsInvalidTime(start) || _zone.IsInvalidTime(end) || _zone.IsAmbiguousTime(start) || _zone.IsAmbiguousTime(end))
        {
            return Transitional;
        }

        var offset = _zone.GetUtcOffset(start);
        return offset == _zone.GetUtcOffset(end) ? offset.Ticks : Transitional;
    }

    private long Exact(long localTicks)
    {
        var local = new DateTime(localTicks, DateTimeKind.Unspecified);
        if (_zone.IsInvalidTime(local))
        {
            // Offset in force before the gap: a few hours earlier is safely before any real-world transition.
            return localTicks - _zone.GetUtcOffset(local.AddHours(-6)).Ticks;
        }

        return localTicks - _zone.GetUtcOffset(local).Ticks;
    }
}
