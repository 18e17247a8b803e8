using System.Globalization;
using System.Runtime.InteropServices;
using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Stats;

/// <summary>The fields the top rollups keep a row per value of (the dashboard's top talkers and ports).</summary>
public enum TopField : short { SrcAddr = 1, DstAddr = 2, DstPort = 3, InterfaceId = 4 }

/// <summary>
/// What the pre-aggregated tables hold and which queries they can answer. Totals: 5-minute buckets by action,
/// log-status and protocol. Tops: 1-hour and 1-day buckets by one <see cref="TopField"/> value and the same three.
/// Key sums: one row per <see cref="TopField"/> and block of hours or days (<see cref="KeyBlocks"/>), holding its values'
/// ids and sums in arrays, the rejected records' sums beside all records', so that a top over days reads a few rows.
/// Ingestion writes the 5-minute and hourly rows; the compaction moves hourly sums into the daily rows and the key sums.
/// </summary>
public static class Rollups
{
    public static readonly TimeSpan TotalsBucket = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan TopHourBucket = TimeSpan.FromHours(1);
    public static readonly TimeSpan TopDayBucket = TimeSpan.FromDays(1);

    /// <summary>What buckets and blocks are aligned on (<c>date_bin</c>'s origin in SQL): 2000-01-01, a midnight UTC.</summary>
    public static readonly DateTimeOffset Origin = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The key sums' blocks within a day, in hours: each starts on a multiple of its size from midnight UTC.
    /// </summary>
    public static readonly IReadOnlyList<int> KeyHourSpans = [1, 2, 4, 8, 12];

    /// <summary>
    /// The key sums' longest block of whole days: there is one of 1 to this many days from every midnight UTC, so the
    /// whole days of a dashboard range (the last 7 days, the week before) are one block.
    /// </summary>
    public const int KeyMaxDays = 7;

    /// <summary>Filter fields whose columns the rollups keep: a filter on only these can be answered from them.</summary>
    public static readonly IReadOnlySet<string> FilterableFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "action", "log-status", "protocol" };

    public static readonly IReadOnlyDictionary<string, TopField> TopFields = new Dictionary<string, TopField>(StringComparer.OrdinalIgnoreCase)
    {
        ["srcaddr"] = TopField.SrcAddr,
        ["dstaddr"] = TopField.DstAddr,
        ["dstport"] = TopField.DstPort,
        ["interface-id"] = TopField.InterfaceId,
    };

    /// <summary>True when every comparison of the filter is on a field the rollups keep.</summary>
    public static bool CanFilter(FilterNode? filter) => filter switch
    {
        null => true,
        AndNode and => CanFilter(and.Left) && CanFilter(and.Right),
        OrNode or => CanFilter(or.Left) && CanFilter(or.Right),
        NotNode not => CanFilter(not.Operand),
        ComparisonNode c => FilterableFields.Contains(c.Field.Name),
        _ => false,
    };

    /// <summary>
    /// What the key sums can answer a top under: no filter (every record) or exactly <c>action = REJECT</c> (the
    /// rejected records, whose sums they keep too); null for any other filter.
    /// </summary>
    public static KeySums? KeySumsFor(FilterNode? filter) => filter switch
    {
        null => KeySums.All,
        ComparisonNode { Operator: FilterOperator.Equal or FilterOperator.In, Values: [{ Number: (int)FlowAction.Reject }] } c
            when c.Field.Name == "action" => KeySums.Rejected,
        _ => null,
    };

    /// <summary>
    /// The fewest key sums blocks (<see cref="KeyHourSpans"/>, and 1 to <see cref="KeyMaxDays"/> days from a midnight)
    /// that tile a range on whole hours, in order; the larger block first where two tilings are as short. Empty when
    /// the range is not on whole hours.
    /// </summary>
    public static IReadOnlyList<(int Hours, DateTime Bucket)> KeyBlocks(DateTimeOffset from, DateTimeOffset to)
    {
        var blocks = new List<(int, DateTime)>();
        if (!IsAligned(from, TopHourBucket) || !IsAligned(to, TopHourBucket) || from >= to)
        {
            return blocks;
        }
        var start = (from - Origin).Ticks / TopHourBucket.Ticks;
        var length = (int)((to - Origin).Ticks / TopHourBucket.Ticks - start);
        // fewest[i]: the fewest blocks that tile hours i to the end; next[i]: the first block's size.
        var fewest = new int[length + 1];
        var next = new int[length + 1];
        for (var i = length - 1; i >= 0; i--)
        {
            fewest[i] = int.MaxValue;
            foreach (var span in SpansFrom(start + i).Where(span => i + span <= length))
            {
                if (fewest[i + span] + 1 < fewest[i])
                {
                    (fewest[i], next[i]) = (fewest[i + span] + 1, span);
                }
            }
        }
        for (var i = 0; i < length; i += next[i])
        {
            blocks.Add((next[i], Origin.UtcDateTime.AddHours(start + i)));
        }
        return blocks;
    }

    /// <summary>The sizes of the key sums blocks that start at an hour (counted from 2000-01-01), largest first.</summary>
    private static IEnumerable<int> SpansFrom(long hour)
    {
        if (hour % 24 == 0)
        {
            for (var days = KeyMaxDays; days >= 1; days--)
            {
                yield return days * 24;
            }
        }
        foreach (var span in KeyHourSpans.Reverse().Where(span => hour % span == 0))
        {
            yield return span;
        }
    }

    /// <summary>The start of the UTC bucket of <paramref name="size"/> holding <paramref name="instant"/>.</summary>
    public static DateTime BucketOf(DateTimeOffset instant, TimeSpan size)
    {
        var ticks = instant.UtcTicks;
        return new DateTime(ticks - ticks % size.Ticks, DateTimeKind.Utc);
    }

    /// <summary>The key of records without the field, as AWS writes an absent value.</summary>
    public const string Absent = "-";

    public static bool IsAligned(DateTimeOffset instant, TimeSpan size) => instant.UtcTicks % size.Ticks == 0;
}

/// <summary>Which of the key sums' columns answer a top: every record's, or only the rejected records'.</summary>
public enum KeySums { All, Rejected }

/// <summary>Sums of a rollup row; negative when an object's rows are taken back out.</summary>
public struct RollupSums
{
    public long Records;
    public long Bytes;
    public long Packets;
}

/// <summary>A row key of the totals rollup.</summary>
public readonly record struct TotalsKey(DateTime Bucket, short? Action, short? LogStatus, short? Protocol);

/// <summary>
/// A row key of the top rollups; the value is an address, a number or a text, by field, or <see cref="Rollups.Absent"/>
/// for records without the field (NODATA rows, formats without it), so that every record is in every field's sums.
/// </summary>
public readonly record struct TopKey(DateTime Bucket, TopField Field, FlowAddress? Address, int? Number, string? Text, short? Action, short? LogStatus, short? Protocol)
{
    /// <summary>The value as the API shows it: <c>10.0.0.5</c>, <c>443</c>, <c>eni-...</c>, or <c>-</c>.</summary>
    public string KeyText => Field switch
    {
        _ when Address is null && Number is null && Text is null => Rollups.Absent,
        TopField.SrcAddr or TopField.DstAddr => Address!.Value.ToString(),
        TopField.DstPort => Number!.Value.ToString(CultureInfo.InvariantCulture),
        _ => Text!,
    };
}

/// <summary>
/// Sums one object's records into rollup rows, in memory, so that they can be written in the object's own
/// transaction. Records without a start are not in any time range, so they are not rolled up.
/// </summary>
/// <remarks>
/// It runs for every record ingested, so its keys are small and cheap to hash: one table per rollup, each keyed by
/// the bucket's ticks, the three dimensions packed in one number, and the field's value as two numbers (an address, a
/// port) or a string; <see cref="TotalsKey"/> and <see cref="TopKey"/>, what readers see, are made when rows are read.
/// </remarks>
public sealed class RollupAccumulator
{
    private readonly Dictionary<Key, RollupSums> _totals = [];
    private readonly Dictionary<Key, RollupSums> _srcAddr = [];
    private readonly Dictionary<Key, RollupSums> _dstAddr = [];
    private readonly Dictionary<Key, RollupSums> _dstPort = [];
    private readonly Dictionary<Key, RollupSums> _interfaceId = [];

    public IEnumerable<KeyValuePair<TotalsKey, RollupSums>> Totals => _totals.Select(p =>
        KeyValuePair.Create(new TotalsKey(p.Key.Bucket, p.Key.Dimension(0), p.Key.Dimension(1), p.Key.Dimension(2)), p.Value));

    public IEnumerable<KeyValuePair<TopKey, RollupSums>> Hours => TopTables.SelectMany(table =>
        table.Rows.Select(p => KeyValuePair.Create(p.Key.Top(table.Field), p.Value)));

    private (TopField Field, Dictionary<Key, RollupSums> Rows)[] TopTables =>
        [(TopField.SrcAddr, _srcAddr), (TopField.DstAddr, _dstAddr), (TopField.DstPort, _dstPort), (TopField.InterfaceId, _interfaceId)];

    public void Add(FlowRecord r, int sign = 1) =>
        Add(r.Start, r.SrcAddr, r.DstAddr, r.DstPort, r.InterfaceId, (int?)r.Action, (int?)r.LogStatus, r.Protocol, r.Packets, r.Bytes, sign);

    public void Add(DateTimeOffset? start, FlowAddress? srcAddr, FlowAddress? dstAddr, int? dstPort, string? interfaceId,
        int? action, int? logStatus, int? protocol, long? packets, long? bytes, int sign = 1)
    {
        if (start is not { } at)
        {
            return;
        }
        long records = sign, b = sign * (bytes ?? 0), p = sign * (packets ?? 0);
        var dims = Key.Pack(action) | Key.Pack(logStatus) << 17 | Key.Pack(protocol) << 34;
        Add(_totals, new Key(Rollups.BucketOf(at, Rollups.TotalsBucket).Ticks, dims, 0, 0, null), records, b, p);
        var hour = Rollups.BucketOf(at, Rollups.TopHourBucket).Ticks;
        Add(_srcAddr, Key.Of(hour, dims, srcAddr), records, b, p);
        Add(_dstAddr, Key.Of(hour, dims, dstAddr), records, b, p);
        Add(_dstPort, Key.Of(hour, dims, dstPort), records, b, p);
        Add(_interfaceId, new Key(hour, dims, 0, 0, interfaceId), records, b, p);
    }

    private static void Add(Dictionary<Key, RollupSums> rows, Key key, long records, long bytes, long packets)
    {
        ref var sums = ref CollectionsMarshal.GetValueRefOrAddDefault(rows, key, out _);
        sums.Records += records;
        sums.Bytes += bytes;
        sums.Packets += packets;
    }

    /// <summary>
    /// A row key: the bucket's start in ticks; action, log-status and protocol in 17 bits each (0 for none, else the
    /// value plus one) and which kind of value the key holds; the value as two numbers, or a string.
    /// </summary>
    private readonly struct Key(long ticks, ulong dims, ulong high, ulong low, string? text) : IEquatable<Key>
    {
        public const ulong HasNumber = 1UL << 51, HasIPv4 = 1UL << 52, HasIPv6 = 1UL << 53;

        private readonly long _ticks = ticks;
        private readonly ulong _dims = dims;
        private readonly ulong _high = high;
        private readonly ulong _low = low;
        private readonly string? _text = text;

        public static ulong Pack(int? value) => value is { } v ? (ushort)v + 1UL : 0;

        public static Key Of(long hour, ulong dims, FlowAddress? address)
        {
            if (address is not { } a)
            {
                return new Key(hour, dims, 0, 0, null);
            }
            var (high, low) = a.Parts;
            return new Key(hour, dims | (a.IsIPv4 ? HasIPv4 : HasIPv6), high, low, null);
        }

        public static Key Of(long hour, ulong dims, int? number) =>
            number is { } n ? new Key(hour, dims | HasNumber, 0, (ulong)(uint)n, null) : new Key(hour, dims, 0, 0, null);

        public DateTime Bucket => new(_ticks, DateTimeKind.Utc);

        public short? Dimension(int index) => ((_dims >> (17 * index)) & 0x1FFFF) is var v && v == 0 ? null : (short)(ushort)(v - 1);

        public TopKey Top(TopField field) => new(Bucket, field,
            (_dims & (HasIPv4 | HasIPv6)) != 0 ? FlowAddress.FromParts(_high, _low, (_dims & HasIPv4) != 0) : null,
            (_dims & HasNumber) != 0 ? (int)(uint)_low : null,
            _text, Dimension(0), Dimension(1), Dimension(2));

        public bool Equals(Key other) =>
            _ticks == other._ticks && _dims == other._dims && _low == other._low && _high == other._high && string.Equals(_text, other._text);

        public override bool Equals(object? obj) => obj is Key other && Equals(other);

        public override int GetHashCode()
        {
            var h = (ulong)_ticks * 0x9E3779B97F4A7C15 ^ _dims * 0xC2B2AE3D27D4EB4F ^ _high * 0x165667B19E3779F9 ^ _low * 0xD6E8FEB86659FD93;
            if (_text is not null)
            {
                h ^= (uint)_text.GetHashCode();
            }
            return (int)(h ^ h >> 32);
        }
    }
}
