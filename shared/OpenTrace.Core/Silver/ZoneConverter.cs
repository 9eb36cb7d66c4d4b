using System.Collections.Concurrent;

namespace OpenTrace.Core.Silver;

/// <summary>
/// Converts wall-clock times of one zone to UTC quickly: the offset of each local hour is computed once and cached in
/// a table indexed by the hour (blocks of <see cref="BlockHours"/> hours, made when first needed), so a conversion is
/// two array reads; only hours that contain a daylight-saving change take the exact path. A wall time the change skips (a gap)
/// is read with the offset in force just before it, i.e. moved forward by the gap; an ambiguous one (the hour that
/// repeats) is read as standard time. Thread-safe.
/// </summary>
internal sealed class ZoneConverter
{
    /// <summary>Hours per block of the offset table (about eleven months).</summary>
    public const int BlockHours = 1 << BlockBits;

    private const int BlockBits = 13;
    private const long TicksPerHour = TimeSpan.TicksPerHour;
    private const long Transitional = long.MinValue;
    private const long Unknown = long.MaxValue;
    private const long LastHour = 3155378975999999999 / TicksPerHour; // DateTime.MaxValue.Ticks

    private static readonly ConcurrentDictionary<string, ZoneConverter> Shared = new(StringComparer.Ordinal);

    private readonly TimeZoneInfo _zone;

    // Offsets by local hour; Unknown until computed. Writers race only to store the same value, and 64-bit stores
    // are atomic, so readers need no lock.
    private readonly long[]?[] _blocks = new long[]?[(LastHour >> BlockBits) + 1];

    private ZoneConverter(TimeZoneInfo zone) => _zone = zone;

    /// <summary>The converter of a zone, shared process-wide.</summary>
    public static ZoneConverter For(TimeZoneInfo zone) => Shared.GetOrAdd(zone.Id, _ => new ZoneConverter(zone));

    /// <summary>Converts local ticks (0001-01-01 based, unspecified kind) to UTC ticks.</summary>
    public long ToUtcTicks(long localTicks)
    {
        var hour = localTicks / TicksPerHour;
        if ((ulong)hour > LastHour)
        {
            return Exact(localTicks); // not a DateTime: let it say so
        }

        var block = Volatile.Read(ref _blocks[hour >> BlockBits]) ?? NewBlock(hour >> BlockBits);
        ref var slot = ref block[hour & (BlockHours - 1)];
        var offset = slot;
        if (offset == Unknown)
        {
            offset = HourOffset(hour);
            slot = offset;
        }

        return offset != Transitional ? localTicks - offset : Exact(localTicks);
    }

    private long[] NewBlock(long index)
    {
        var block = new long[BlockHours];
        Array.Fill(block, Unknown);
        return Interlocked.CompareExchange(ref _blocks[index], block, null) ?? block;
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
