using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Stats;

/// <summary>The fields the top rollups keep a row per value of (the dashboard's top talkers and ports).</summary>
public enum TopField : short { SrcAddr = 1, DstAddr = 2, DstPort = 3, InterfaceId = 4 }

/// <summary>
/// What the pre-aggregated tables hold and which queries they can answer. Totals: exact 5-minute buckets by action,
/// log-status and protocol. Top summaries: per <see cref="TopField"/> and hour or day, a bounded
/// <see cref="TopSummary"/> (every record's and the REJECT records' sums of at most K keys per metric, with floors).
/// Ingestion appends the 5-minute rows and an object's hourly summaries; the compaction merges them.
/// </summary>
public static class Rollups
{
    public static readonly TimeSpan TotalsBucket = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan TopHourBucket = TimeSpan.FromHours(1);
    public static readonly TimeSpan TopDayBucket = TimeSpan.FromDays(1);

    /// <summary>
    /// True while any summary or total is not current yet: appended rows, dirty hours or days without their summary wait
    /// for the compaction (RollupCompactionJob). Here, beside the tables' description, so the benchmarks can poll it too.
    /// </summary>
    public const string PendingSql = $"""
        select exists (select from flow_top_appended) or exists (select from flow_top_dirty)
            or exists (select from flow_rollups_5m where not compacted)
            or exists (select from flow_top_1h h where {DayWithoutSummary})
        """;

    /// <summary>
    /// The days and fields whose hours have summaries and the day none: the compaction deletes a day's summaries when it
    /// merges into one of its hours, and writes them again once per run (a reader reads that day's hours meanwhile).
    /// </summary>
    public const string StaleDaysSql = $"""
        select distinct date_bin('1 day', h.bucket, '2000-01-01 00:00:00+00') as day, h.field
        from flow_top_1h h
        where {DayWithoutSummary}
        """;

    /// <summary>
    /// The condition on an hourly summary <c>h</c> that its day has no day summary of its field (the compaction has not
    /// written it again yet): the compaction's days to write, and where a top reads that day's hours instead.
    /// </summary>
    public const string DayWithoutSummary =
        "not exists (select from flow_top_1d d where d.field = h.field and d.bucket = date_bin('1 day', h.bucket, '2000-01-01 00:00:00+00'))";

    /// <summary>What buckets and blocks are aligned on (<c>date_bin</c>'s origin in SQL): 2000-01-01, a midnight UTC.</summary>
    public static readonly DateTimeOffset Origin = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Filter fields whose columns the rollups keep: a filter on only these can be answered from them. The account is
    /// one, so that a caller scoped to accounts (Core.Scopes.AccessScope) reads the rollups too.
    /// </summary>
    public static readonly IReadOnlySet<string> FilterableFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "action", "log-status", "protocol", "account-id" };

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
    /// What the top summaries can answer a top under: no filter (every record) or <c>action = REJECT</c> (the rejected
    /// records, whose sums they keep too), either of them only in some accounts (<c>account-id = …</c> or
    /// <c>in (…)</c>, and-ed: a scope's and the caller's own); null for any other filter.
    /// </summary>
    public static SummaryQuery? SummaryQueryFor(FilterNode? filter)
    {
        var (rejected, accounts) = (false, (HashSet<string>?)null);
        bool Read(FilterNode? node)
        {
            switch (node)
            {
                case null:
                    return true;
                case AndNode and:
                    return Read(and.Left) && Read(and.Right);
                case ComparisonNode { Operator: FilterOperator.Equal or FilterOperator.In, Values: [{ Number: (int)FlowAction.Reject }] } c when c.Field.Name == "action":
                    rejected = true;
                    return true;
                case ComparisonNode { Operator: FilterOperator.Equal or FilterOperator.In } c when c.Field.Name == "account-id":
                    var values = c.Values.Select(v => v.Text!).ToHashSet(StringComparer.Ordinal);
                    accounts = accounts is null ? values : [.. accounts.Intersect(values)];
                    return true;
                default:
                    return false;
            }
        }
        return Read(filter) ? new SummaryQuery(rejected ? SummarySums.Rejected : SummarySums.All, accounts?.Order(StringComparer.Ordinal).ToArray()) : null;
    }

    /// <summary>The start of the UTC bucket of <paramref name="size"/> holding <paramref name="instant"/>.</summary>
    public static DateTime BucketOf(DateTimeOffset instant, TimeSpan size)
    {
        var ticks = instant.UtcTicks;
        return new DateTime(ticks - ticks % size.Ticks, DateTimeKind.Utc);
    }

    public static bool IsAligned(DateTimeOffset instant, TimeSpan size) => instant.UtcTicks % size.Ticks == 0;
}

/// <summary>Which of the top summaries' sums answer a top: every record's, or only the rejected records'.</summary>
public enum SummarySums { All, Rejected }

/// <summary>What a top reads from the summaries: which sums, and the summaries of which accounts (null: all of them).</summary>
public sealed record SummaryQuery(SummarySums Sums, string[]? Accounts);

/// <summary>Sums of a rollup row; negative when an object's rows are taken back out.</summary>
public struct RollupSums
{
    public long Records;
    public long Bytes;
    public long Packets;
}

/// <summary>A row key of the totals rollup; <paramref name="Account"/> is the records' <c>account-id</c>.</summary>
public readonly record struct TotalsKey(DateTime Bucket, short? Action, short? LogStatus, short? Protocol, string? Account = null);

/// <summary>
/// Sums one object's records in memory, so that they can be written in the object's own transaction: exact
/// 5-minute totals, and exact per-hour sums of each <see cref="TopField"/> value, which
/// <see cref="Summaries"/> bounds to top summaries. Records without a start are not in any time range, so they are
/// not rolled up; records without a field's value are in no summary of that field.
/// </summary>
/// <remarks>
/// It runs for every record ingested, so its keys are small and cheap to hash: the bucket's ticks and the three
/// dimensions packed in one number (totals); per hour (an object's records are mostly of one or two), the kind of
/// value and the value as two numbers (an address, a port) or a string (tops). <see cref="TotalsKey"/> and the keys'
/// text are made when rows are read, and a key's text only if its summary keeps it.
/// </remarks>
public sealed class RollupAccumulator
{
    // Hour tables of objects already written (Release), for the next objects: an hour of an object sums tens of
    // thousands of addresses, and growing dictionaries that size anew for each object kept the GC busier than the sums
    // themselves. At most Pooled wait (two workers' hours), each of at most MaxPooledKeys addresses: with their two
    // address tables (open addressing, at most 70 % full) of up to 131,072 entries of 104 bytes, about 110 MB at most.
    private const int Pooled = 4, MaxPooledKeys = 65_536;
    private static readonly ConcurrentBag<HourTops> Pool = [];

    /// <summary>The most distinct accounts one accumulator (an object, a batch) sums apart: 13 bits of a totals key.</summary>
    public const int MaxAccounts = 8191;

    private readonly Dictionary<BucketKey, RollupSums> _totals = [];
    private readonly Dictionary<long, HourTops> _hours = [];
    private long _lastHour = -1;
    private HourTops? _last;

    // The accounts met, by number (0: records without account-id); the last one at hand (an object is mostly of one).
    private readonly Dictionary<string, int> _accountNumbers = new(StringComparer.Ordinal);
    private readonly List<string?> _accounts = [null];
    private string? _lastAccount;
    private int _lastAccountNumber;

    public IEnumerable<KeyValuePair<TotalsKey, RollupSums>> Totals => _totals.Select(p => KeyValuePair.Create(
        new TotalsKey(new DateTime(p.Key.Ticks, DateTimeKind.Utc), Dimension(p.Key.Dims, 0), Dimension(p.Key.Dims, 1), Dimension(p.Key.Dims, 2),
            _accounts[(int)(p.Key.Dims >> AccountShift)]), p.Value));

    /// <summary>
    /// The exact sums of each field's values per hour and account, keyed by the values' text (<c>10.0.0.5</c>,
    /// <c>443</c>, <c>eni-…</c>); <c>Account</c> null for records without <c>account-id</c>.
    /// </summary>
    public IEnumerable<(DateTime Hour, TopField Field, Dictionary<string, TopSums> Sums, string? Account)> Hours => Tables.Select(t =>
        (t.Hour, t.Field, t.Rows.ToDictionary(p => p.Key.Text(t.Field), p => p.Value, StringComparer.Ordinal), t.Account));

    /// <summary>Each hour's, field's and account's sums bounded to a summary of at most <paramref name="topKeys"/> keys per metric.</summary>
    public IEnumerable<(DateTime Hour, TopField Field, TopSummary Summary, string? Account)> Summaries(int topKeys) => Tables.Select(t =>
        (t.Hour, t.Field, TopSummary.Truncate(t.Rows, key => key.Text(t.Field), TopKey.Order, topKeys), t.Account));

    /// <summary>
    /// Each field's sums of each hour and account that has any. An hour's table holds every account's keys (the account
    /// is part of the key): split only when it holds several, as objects are mostly of one account.
    /// </summary>
    private IEnumerable<(DateTime Hour, TopField Field, IReadOnlyCollection<KeyValuePair<TopKey, TopSums>> Rows, string? Account)> Tables =>
        from f in (TopField[])[TopField.SrcAddr, TopField.DstAddr, TopField.DstPort, TopField.InterfaceId]
        from hour in _hours
        let rows = hour.Value.Of(f)
        where rows.Count > 0
        from part in rows.Mixed
            ? rows.GroupBy(p => p.Key.Account).Select(g => ((IReadOnlyCollection<KeyValuePair<TopKey, TopSums>>)g.ToList(), g.Key))
            : [((IReadOnlyCollection<KeyValuePair<TopKey, TopSums>>)rows, rows.Account)]
        select (new DateTime(hour.Key, DateTimeKind.Utc), f, part.Item1, _accounts[part.Item2]);

    public void Add(FlowRecord r, int sign = 1) =>
        Add(r.Start, r.SrcAddr, r.DstAddr, r.DstPort, r.InterfaceId, (int?)r.Action, (int?)r.LogStatus, r.Protocol, r.Packets, r.Bytes, sign, r.AccountId);

    /// <summary>
    /// Adds a record's sums, apart for each <paramref name="account"/>; with <paramref name="sign"/> -1 (rows deleted),
    /// to the totals only: a bounded summary cannot take sums out, so deletions mark its hours for a rebuild instead
    /// (RollupWriter.DeleteFlowsAsync).
    /// </summary>
    public void Add(DateTimeOffset? start, FlowAddress? srcAddr, FlowAddress? dstAddr, int? dstPort, string? interfaceId,
        int? action, int? logStatus, int? protocol, long? packets, long? bytes, int sign = 1, string? account = null)
    {
        if (start is not { } at)
        {
            return;
        }
        var accountNumber = AccountNumber(account);
        ref var totals = ref CollectionsMarshal.GetValueRefOrAddDefault(_totals,
            new BucketKey(Rollups.BucketOf(at, Rollups.TotalsBucket).Ticks,
                Pack(action) | Pack(logStatus) << 17 | Pack(protocol) << 34 | (ulong)accountNumber << AccountShift), out _);
        totals.Records += sign;
        totals.Bytes += sign * (bytes ?? 0);
        totals.Packets += sign * (packets ?? 0);
        if (sign < 0)
        {
            return;
        }
        var flow = logStatus == (int)LogStatus.Ok ? 1 : 0;
        var rejected = action == (int)FlowAction.Reject ? 1 : 0;
        var sums = new TopSums
        {
            Records = 1, Flows = flow, Bytes = bytes ?? 0, Packets = packets ?? 0,
            RejectedRecords = rejected, RejectedFlows = rejected * flow, RejectedBytes = rejected * (bytes ?? 0), RejectedPackets = rejected * (packets ?? 0),
        };
        var hour = HourOf(Rollups.BucketOf(at, Rollups.TopHourBucket).Ticks);
        AddTop(hour.SrcAddr, TopKey.Of(srcAddr, accountNumber), sums);
        AddTop(hour.DstAddr, TopKey.Of(dstAddr, accountNumber), sums);
        AddTop(hour.DstPort, TopKey.Of(dstPort, accountNumber), sums);
        AddTop(hour.InterfaceId, interfaceId is null ? null : new TopKey(0, 0, 0, interfaceId, accountNumber), sums);
    }

    /// <summary>The hour's tables; the last one used is at hand (an object's records are mostly of one hour).</summary>
    private HourTops HourOf(long ticks)
    {
        if (ticks != _lastHour || _last is null)
        {
            ref var hour = ref CollectionsMarshal.GetValueRefOrAddDefault(_hours, ticks, out _);
            (_lastHour, _last) = (ticks, hour ??= Pool.TryTake(out var pooled) ? pooled : new HourTops());
        }
        return _last;
    }

    /// <summary>The account's number in this accumulator: 0 for none, else 1 and up in the order met.</summary>
    private int AccountNumber(string? account)
    {
        if (account is null)
        {
            return 0;
        }
        if (string.Equals(account, _lastAccount, StringComparison.Ordinal))
        {
            return _lastAccountNumber;
        }
        ref var number = ref CollectionsMarshal.GetValueRefOrAddDefault(_accountNumbers, account, out var exists);
        if (!exists)
        {
            if (_accounts.Count > MaxAccounts)
            {
                _accountNumbers.Remove(account);
                throw new InvalidOperationException($"More than {MaxAccounts} accounts in one object: its rollups cannot tell them apart.");
            }
            number = _accounts.Count;
            _accounts.Add(account);
        }
        (_lastAccount, _lastAccountNumber) = (account, number);
        return number;
    }

    private static void AddTop(TopTable rows, TopKey? key, in TopSums sums)
    {
        if (key is { } k)
        {
            rows.GetOrAdd(k).Add(sums);
        }
    }

    /// <summary>Empties the accumulator once its sums are written, handing its hour tables to the next one.</summary>
    public void Release()
    {
        foreach (var hour in _hours.Values)
        {
            if (Pool.Count < Pooled && hour.Count <= MaxPooledKeys)
            {
                hour.Clear();
                Pool.Add(hour);
            }
        }
        _hours.Clear();
        _totals.Clear();
        (_lastHour, _last) = (-1, null);
        _accountNumbers.Clear();
        _accounts.RemoveRange(1, _accounts.Count - 1);
        (_lastAccount, _lastAccountNumber) = (null, 0);
    }

    /// <summary>Where a totals key's account number starts: after action, log-status and protocol (51 bits).</summary>
    private const int AccountShift = 51;

    /// <summary>Action, log-status or protocol in 17 bits: 0 for none, else the value plus one.</summary>
    private static ulong Pack(int? value) => value is { } v ? (ushort)v + 1UL : 0;

    private static short? Dimension(ulong dims, int index) => ((dims >> (17 * index)) & 0x1FFFF) is var v && v == 0 ? null : (short)(ushort)(v - 1);

    /// <summary>A totals row key: the 5-minute bucket's start in ticks, and action, log-status, protocol (<see cref="Pack"/>ed) and the account's number.</summary>
    private readonly record struct BucketKey(long Ticks, ulong Dims);

    /// <summary>One hour's sums of each <see cref="TopField"/>'s values.</summary>
    private sealed class HourTops
    {
        public readonly TopTable SrcAddr = new();
        public readonly TopTable DstAddr = new();
        public readonly TopTable DstPort = new();
        public readonly TopTable InterfaceId = new();

        public int Count => Math.Max(SrcAddr.Count, DstAddr.Count);

        public void Clear()
        {
            SrcAddr.Clear();
            DstAddr.Clear();
            DstPort.Clear();
            InterfaceId.Clear();
        }

        public TopTable Of(TopField field) => field switch
        {
            TopField.SrcAddr => SrcAddr,
            TopField.DstAddr => DstAddr,
            TopField.DstPort => DstPort,
            _ => InterfaceId,
        };
    }

    /// <summary>
    /// One hour's sums of one field's values: open addressing with each key, its hash and its sums inline, so that a
    /// record's lookup reads one place in memory (a Dictionary reads its bucket, then its entry: two cache misses per
    /// record and field at internet cardinality, the largest single cost of ingestion; docs/benchmarks.md).
    /// </summary>
    private sealed class TopTable : IReadOnlyCollection<KeyValuePair<TopKey, TopSums>>
    {
        private Entry[] _entries = new Entry[16];
        private int _shift = 32 - 4;
        private int _count;

        public int Count => _count;

        /// <summary>The account of the first key; <see cref="Mixed"/> once a key of another was added.</summary>
        public int Account { get; private set; }

        public bool Mixed { get; private set; }

        /// <summary>The key's sums, added as zero when new.</summary>
        public ref TopSums GetOrAdd(in TopKey key)
        {
            if (_count * 10 >= _entries.Length * 7)
            {
                Grow();
            }
            var hash = key.GetHashCode() | 1; // never 0: 0 marks an empty slot
            var mask = _entries.Length - 1;
            for (var i = Slot(hash); ; i = (i + 1) & mask)
            {
                ref var entry = ref _entries[i];
                if (entry.Hash == 0)
                {
                    (entry.Hash, entry.Key) = (hash, key);
                    if (_count++ == 0)
                    {
                        Account = key.Account;
                    }
                    else if (key.Account != Account)
                    {
                        Mixed = true;
                    }
                    return ref entry.Sums;
                }
                if (entry.Hash == hash && entry.Key.Equals(key))
                {
                    return ref entry.Sums;
                }
            }
        }

        public void Clear()
        {
            if (_count > 0)
            {
                Array.Clear(_entries);
                (_count, Account, Mixed) = (0, 0, false);
            }
        }

        public IEnumerator<KeyValuePair<TopKey, TopSums>> GetEnumerator()
        {
            foreach (var entry in _entries)
            {
                if (entry.Hash != 0)
                {
                    yield return KeyValuePair.Create(entry.Key, entry.Sums);
                }
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        // Fibonacci hashing: the top bits of the hash times 2^32 / φ, so that keys whose hashes differ only high spread too.
        private int Slot(int hash) => (int)(((uint)hash * 2654435769u) >> _shift);

        private void Grow()
        {
            var old = _entries;
            (_entries, _shift) = (new Entry[old.Length * 2], _shift - 1);
            var mask = _entries.Length - 1;
            foreach (var entry in old)
            {
                if (entry.Hash != 0)
                {
                    var i = Slot(entry.Hash);
                    while (_entries[i].Hash != 0)
                    {
                        i = (i + 1) & mask;
                    }
                    _entries[i] = entry;
                }
            }
        }

        private struct Entry
        {
            public int Hash;
            public TopKey Key;
            public TopSums Sums;
        }
    }

    /// <summary>A top row key: the records' account (its number in the accumulator), which kind of value it holds, and the value as two numbers, or a string.</summary>
    private readonly struct TopKey(ulong kind, ulong high, ulong low, string? text, int account) : IEquatable<TopKey>
    {
        private const ulong HasNumber = 1, HasIPv4 = 2, HasIPv6 = 3;

        /// <summary>An order of keys of one field, for ties: by address or number, or by text (ordinal).</summary>
        public static readonly IComparer<TopKey> Order = Comparer<TopKey>.Create((a, b) =>
            a.Account != b.Account ? a.Account.CompareTo(b.Account)
            : a._kind != b._kind ? a._kind.CompareTo(b._kind)
            : a._high != b._high ? a._high.CompareTo(b._high)
            : a._low != b._low ? a._low.CompareTo(b._low)
            : string.CompareOrdinal(a._text, b._text));

        private readonly ulong _kind = kind;
        private readonly ulong _high = high;
        private readonly ulong _low = low;
        private readonly string? _text = text;

        public int Account { get; } = account;

        public static TopKey? Of(FlowAddress? address, int account)
        {
            if (address is not { } a)
            {
                return null;
            }
            var (high, low) = a.Parts;
            return new TopKey(a.IsIPv4 ? HasIPv4 : HasIPv6, high, low, null, account);
        }

        public static TopKey? Of(int? number, int account) => number is { } n ? new TopKey(HasNumber, 0, (ulong)(uint)n, null, account) : null;

        /// <summary>The value as the API shows it: <c>10.0.0.5</c>, <c>443</c>, <c>eni-...</c>.</summary>
        public string Text(TopField field) => field switch
        {
            TopField.SrcAddr or TopField.DstAddr => FlowAddress.FromParts(_high, _low, _kind == HasIPv4).ToString(),
            TopField.DstPort => ((int)(uint)_low).ToString(CultureInfo.InvariantCulture),
            _ => _text!,
        };

        public bool Equals(TopKey other) =>
            _kind == other._kind && _low == other._low && _high == other._high && Account == other.Account && string.Equals(_text, other._text);

        public override bool Equals(object? obj) => obj is TopKey other && Equals(other);

        public override int GetHashCode()
        {
            if (_text is not null)
            {
                return _text.GetHashCode() ^ Account * 0x2F0B3C5;
            }
            var h = (_kind + ((ulong)Account << 8)) * 0xC2B2AE3D27D4EB4F ^ _high * 0x165667B19E3779F9 ^ _low * 0xD6E8FEB86659FD93;
            return (int)(h ^ h >> 32);
        }
    }
}
