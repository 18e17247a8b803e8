using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Stats;

namespace FlowLens.Core.Detections;

/// <summary>The groups a built-in detector counts in: what is grouped, and whose distinct values are counted.</summary>
public enum DigestFamily : short
{
    /// <summary>Port scan: REJECTed flows by srcaddr and dstaddr; members are the distinct dstport.</summary>
    Ports = 1,
    /// <summary>Host sweep: REJECTed flows by srcaddr and dstport; members are the distinct dstaddr.</summary>
    Hosts = 2,
    /// <summary>Brute force: flows from outside to port 22 or 3389 by srcaddr and dstport; members are the distinct srcport.</summary>
    Connections = 3,
    /// <summary>New port: ACCEPTed flows an interface served, by interface-id and dstport (<see cref="DetectionDigest.IsServed"/>).</summary>
    ServedPorts = 4,
    /// <summary>Exfiltration: bytes of ACCEPTed flows from inside to outside, by interface-id.</summary>
    BytesOut = 5,
}

/// <summary>
/// One group of a family in one 5-minute slice of one object: its key (addresses and port, or interface and port),
/// flows, bytes, and every distinct member (ports or hosts) of the families that count them.
/// </summary>
public sealed record DigestKey(DigestFamily Family, FlowAddress? SrcAddr, FlowAddress? DstAddr, int? DstPort, string? InterfaceId, int Flows, long Bytes,
    int[] Ports, FlowAddress[] Hosts)
{
    /// <summary>What ranks the group and bounds the ones left out: its distinct members; for bytes out, its bytes; for served ports, its flows.</summary>
    public long Measure => Family switch
    {
        DigestFamily.Hosts => Hosts.Length,
        DigestFamily.ServedPorts => Flows,
        DigestFamily.BytesOut => Bytes,
        _ => Ports.Length,
    };
}

/// <summary>
/// One object's 5-minute slice as the detections read it: its records (as the 5-minute totals count them), the groups
/// kept, and per family the <b>floor</b>: the most members of any group left out (0 when none was).
/// </summary>
public sealed record DigestSlice(DateTime Slice, long Records, long[] Floors, IReadOnlyList<DigestKey> Keys)
{
    public const int Families = 5;

    public long Floor(DigestFamily family) => Floors[(int)family - 1];
}

/// <summary>
/// What the built-in detectors need of an object's records, summed while ingestion streams them, so that judging a
/// window reads a few rows per object instead of every flow again (docs/detections.md, "Digests"). Per 5-minute slice
/// it keeps each group's distinct members exactly; <see cref="Slices"/> keeps the <c>k</c> groups with the most members
/// per family and bounds the rest by a floor. Invariant, for a group g of a family in one slice of one object: listed,
/// its members are exact; not listed, it has at most the floor's members. Merged over a window's objects, a group's
/// distinct members are at least the union of its listed members and at most that plus the floors of the slices where
/// it is not listed.
/// </summary>
public sealed class DetectionDigest
{
    private readonly Dictionary<long, SliceState> _slices = [];
    private long _lastTicks = -1;
    private SliceState? _last;

    public void Add(FlowRecord r)
    {
        if (r.Start is not { } start)
        {
            return;
        }
        var slice = SliceOf(Rollups.BucketOf(start, Rollups.TotalsBucket).Ticks);
        slice.Records++;
        if (r.LogStatus != LogStatus.Ok || r.SrcAddr is not { } src || r.DstAddr is not { } dst || r.DstPort is not { } port)
        {
            return;
        }
        var (srcInside, dstInside) = (IsInside(src), IsInside(dst));
        if (r.Action == FlowAction.Accept && r.InterfaceId is { } eni)
        {
            if (dstInside && IsServed(port, r.SrcPort, r.FlowDirection))
            {
                CollectionsMarshal.GetValueRefOrAddDefault(slice.Served, new Served(eni, port), out _)++;
            }
            if (srcInside && !dstInside)
            {
                ref var sent = ref CollectionsMarshal.GetValueRefOrAddDefault(slice.Sent, eni, out _);
                sent = (sent.Flows + 1, sent.Bytes + (r.Bytes ?? 0));
            }
        }
        if (r.Action == FlowAction.Reject)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(slice.Rejected, new Triple(src, dst, port), out _)++;
        }
        if ((port == 22 || port == 3389) && r.SrcPort is { } srcPort && !srcInside)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(slice.Logins, new Login(src, port, srcPort), out _)++;
        }
    }

    /// <summary>
    /// The fewest members a port-scan, host-sweep or brute-force group must have in a slice to be listed. An internet
    /// facing VPC's rejected traffic is mostly single probes (one source, one port, one host): listing each would cost
    /// about as much room as the flows themselves, and a floor of 1 per slice bounds them as well.
    /// </summary>
    public const long Scattered = 2;

    /// <summary>Each slice, its groups bounded to the <paramref name="k"/> with the most members per family.</summary>
    public IEnumerable<DigestSlice> Slices(int k) => _slices.OrderBy(s => s.Key).Select(s =>
    {
        var floors = new long[DigestSlice.Families];
        var keys = new List<DigestKey>();
        var state = s.Value;
        // The scan families count members first: most groups are single probes, never listed (Scattered), so only the
        // groups of two members or more are made into keys.
        Bound(DigestFamily.Ports, Grouped(state.Rejected, t => (t.Src, t.Dst), t => t.Port, g =>
            new DigestKey(DigestFamily.Ports, g.Key.Item1, g.Key.Item2, null, null, g.Flows, 0, [.. g.Members.Order()], [])), k, floors, keys, Scattered);
        Bound(DigestFamily.Hosts, Grouped(state.Rejected, t => (t.Src, t.Port), t => t.Dst, g =>
            new DigestKey(DigestFamily.Hosts, g.Key.Item1, null, g.Key.Item2, null, g.Flows, 0, [], [.. g.Members.Order(AddressOrder)])), k, floors, keys, Scattered);
        Bound(DigestFamily.Connections, Grouped(state.Logins, t => (t.Src, t.Port), t => t.SrcPort, g =>
            new DigestKey(DigestFamily.Connections, g.Key.Item1, null, g.Key.Item2, null, g.Flows, 0, [.. g.Members.Order()], [])), k, floors, keys, Scattered);
        // Interfaces are keyed by their id's string instance while summing (a reader hands back one instance per value):
        // instances of one value are merged here.
        var served = new Dictionary<(string Eni, int Port), int>();
        foreach (var (key, flows) in state.Served)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(served, (key.Eni, key.Port), out _) += flows;
        }
        Bound(DigestFamily.ServedPorts, served.Select(p => new DigestKey(DigestFamily.ServedPorts, null, null, p.Key.Port, p.Key.Eni, p.Value, 0, [], [])), k, floors, keys);
        var sent = new Dictionary<string, (int Flows, long Bytes)>();
        foreach (var (eni, value) in state.Sent)
        {
            ref var merged = ref CollectionsMarshal.GetValueRefOrAddDefault(sent, eni, out _);
            merged = (merged.Flows + value.Flows, merged.Bytes + value.Bytes);
        }
        Bound(DigestFamily.BytesOut, sent.Select(p => new DigestKey(DigestFamily.BytesOut, null, null, null, p.Key, p.Value.Flows, p.Value.Bytes, [], [])), k, floors, keys);
        return new DigestSlice(new DateTime(s.Key, DateTimeKind.Utc), state.Records, floors, keys);
    });

    /// <summary>
    /// The groups of <paramref name="entries"/> by <paramref name="groupOf"/> with at least <see cref="Scattered"/>
    /// members made into keys, and one stand-in of a single member when there is any (what its floor needs).
    /// </summary>
    private static IEnumerable<DigestKey> Grouped<TEntry, TGroup, TMember>(Dictionary<TEntry, int> entries, Func<TEntry, TGroup> groupOf,
        Func<TEntry, TMember> memberOf, Func<(TGroup Key, int Flows, List<TMember> Members), DigestKey> make)
        where TEntry : notnull where TGroup : notnull
    {
        var counts = new Dictionary<TGroup, int>();
        foreach (var entry in entries.Keys)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(counts, groupOf(entry), out _)++;
        }
        var listed = new Dictionary<TGroup, (int Flows, List<TMember> Members)>();
        var single = false;
        foreach (var (entry, flows) in entries)
        {
            var group = groupOf(entry);
            if (counts[group] < Scattered)
            {
                single = true;
                continue;
            }
            ref var g = ref CollectionsMarshal.GetValueRefOrAddDefault(listed, group, out var exists);
            if (!exists)
            {
                g.Members = [];
            }
            g.Flows += flows;
            g.Members.Add(memberOf(entry));
        }
        foreach (var (group, g) in listed)
        {
            yield return make((group, g.Flows, g.Members));
        }
        if (single)
        {
            // Never listed (under Scattered); it makes the floor 1 when nothing larger is left out.
            var (entry, flows) = entries.First(e => counts[groupOf(e.Key)] < Scattered);
            yield return make((groupOf(entry), flows, [memberOf(entry)]));
        }
    }

    public void Clear()
    {
        foreach (var slice in _slices.Values)
        {
            slice.Return();
        }
        _slices.Clear();
        (_lastTicks, _last) = (-1, null);
    }

    /// <summary>
    /// Keeps the <paramref name="k"/> groups of the largest <see cref="DigestKey.Measure"/> (ties: more flows first) of
    /// at least <paramref name="least"/>; the floor is the largest of one left out.
    /// </summary>
    private static void Bound(DigestFamily family, IEnumerable<DigestKey> groups, int k, long[] floors, List<DigestKey> kept, long least = 0)
    {
        var ranked = groups.OrderByDescending(g => g.Measure).ThenByDescending(g => g.Flows).ToList();
        var keep = Math.Min(k, ranked.FindIndex(g => g.Measure < least) is var below and >= 0 ? below : ranked.Count);
        kept.AddRange(ranked.Take(keep));
        floors[(int)family - 1] = ranked.Count > keep ? ranked[keep].Measure : 0;
    }

    /// <summary>
    /// Whether an ACCEPTed flow to an inside address is one its interface <b>served</b>: on a port below the
    /// ephemeral ranges (≤ 49151), from a client port above it and at least 1024 (a server's answers and the replies to
    /// the interface's own connections have it the other way round); ingress when the log says.
    /// </summary>
    private static bool IsServed(int port, int? srcPort, FlowDirection? direction) =>
        srcPort is { } client && port <= 49151 && client >= 1024 && client > port && direction != FlowDirection.Egress;

    private SliceState SliceOf(long ticks)
    {
        if (ticks != _lastTicks || _last is null)
        {
            ref var slice = ref CollectionsMarshal.GetValueRefOrAddDefault(_slices, ticks, out _);
            (_lastTicks, _last) = (ticks, slice ??= SliceState.Rent());
        }
        return _last;
    }

    internal static readonly Comparer<FlowAddress> AddressOrder = Comparer<FlowAddress>.Create((a, b) =>
        a.IsIPv4 != b.IsIPv4 ? (a.IsIPv4 ? -1 : 1) : a.Parts.High != b.Parts.High ? a.Parts.High.CompareTo(b.Parts.High) : a.Parts.Low.CompareTo(b.Parts.Low));

    /// <summary>Whether an address is in <see cref="Detectors.InsideRanges"/> (private, shared, loopback, link-local).</summary>
    public static bool IsInside(FlowAddress address)
    {
        var (high, low) = address.Parts;
        foreach (var (isIPv4, rangeHigh, rangeLow, maskHigh, maskLow) in Inside)
        {
            if (isIPv4 == address.IsIPv4 && (high & maskHigh) == rangeHigh && (low & maskLow) == rangeLow)
            {
                return true;
            }
        }
        return false;
    }

    private static readonly (bool IsIPv4, ulong High, ulong Low, ulong MaskHigh, ulong MaskLow)[] Inside = [.. Detectors.InsideRanges.Select(text =>
    {
        var slash = text.IndexOf('/');
        if (!FlowAddress.TryParse(text[..slash], out var network))
        {
            throw new InvalidOperationException($"bad inside range {text}");
        }
        var length = int.Parse(text[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        var (high, low) = network.Parts;
        if (network.IsIPv4)
        {
            var mask = length == 0 ? 0UL : (0xFFFFFFFFUL << (32 - length)) & 0xFFFFFFFFUL;
            return (true, 0UL, low & mask, 0UL, mask);
        }
        var maskHigh = length >= 64 ? ulong.MaxValue : length == 0 ? 0 : ulong.MaxValue << (64 - length);
        var maskLow = length <= 64 ? 0 : length == 128 ? ulong.MaxValue : ulong.MaxValue << (128 - length);
        return (false, high & maskHigh, low & maskLow, maskHigh, maskLow);
    })];

    private readonly record struct Triple(FlowAddress Src, FlowAddress Dst, int Port);

    private readonly record struct Login(FlowAddress Src, int Port, int SrcPort);

    /// <summary>An interface's served port, the interface by its id's string instance (equal and hashed by reference: cheap on every record).</summary>
    private readonly struct Served(string eni, int port) : IEquatable<Served>
    {
        public string Eni { get; } = eni;

        public int Port { get; } = port;

        public bool Equals(Served other) => ReferenceEquals(Eni, other.Eni) && Port == other.Port;

        public override bool Equals(object? obj) => obj is Served other && Equals(other);

        public override int GetHashCode() => RuntimeHelpers.GetHashCode(Eni) * 31 + Port;
    }

    /// <summary>Strings by instance: see <see cref="Served"/>.</summary>
    private sealed class ByInstance : IEqualityComparer<string>
    {
        public static readonly ByInstance Instance = new();

        public bool Equals(string? x, string? y) => ReferenceEquals(x, y);

        public int GetHashCode(string obj) => RuntimeHelpers.GetHashCode(obj);
    }

    /// <summary>
    /// One slice's sums. Their tables are reused by the next objects (an object's slice holds thousands of rejected
    /// triples, and growing them anew for every object kept the GC busy): at most <see cref="Pooled"/> wait, each of
    /// at most <see cref="MaxPooledEntries"/>.
    /// </summary>
    private sealed class SliceState
    {
        private const int Pooled = 16, MaxPooledEntries = 65_536;
        private static readonly ConcurrentBag<SliceState> Pool = [];

        public long Records;
        public readonly Dictionary<Triple, int> Rejected = [];
        public readonly Dictionary<Login, int> Logins = [];
        public readonly Dictionary<Served, int> Served = [];
        public readonly Dictionary<string, (int Flows, long Bytes)> Sent = new(ByInstance.Instance);

        public static SliceState Rent() => Pool.TryTake(out var pooled) ? pooled : new SliceState();

        public void Return()
        {
            if (Pool.Count >= Pooled || Rejected.Count > MaxPooledEntries || Logins.Count > MaxPooledEntries)
            {
                return;
            }
            Records = 0;
            Rejected.Clear();
            Logins.Clear();
            Served.Clear();
            Sent.Clear();
            Pool.Add(this);
        }
    }
}
