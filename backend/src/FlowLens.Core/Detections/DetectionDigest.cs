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
                CollectionsMarshal.GetValueRefOrAddDefault(slice.Served, (eni, port), out _)++;
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
        Bound(DigestFamily.Ports, s.Value.Rejected.GroupBy(t => (t.Key.Src, t.Key.Dst)).Select(g =>
            new DigestKey(DigestFamily.Ports, g.Key.Src, g.Key.Dst, null, null, g.Sum(t => t.Value), 0, [.. g.Select(t => t.Key.Port).Order()], [])), k, floors, keys, Scattered);
        Bound(DigestFamily.Hosts, s.Value.Rejected.GroupBy(t => (t.Key.Src, t.Key.Port)).Select(g =>
            new DigestKey(DigestFamily.Hosts, g.Key.Src, null, g.Key.Port, null, g.Sum(t => t.Value), 0, [], [.. g.Select(t => t.Key.Dst).Order(AddressOrder)])), k, floors, keys, Scattered);
        Bound(DigestFamily.Connections, s.Value.Logins.GroupBy(t => (t.Key.Src, t.Key.Port)).Select(g =>
            new DigestKey(DigestFamily.Connections, g.Key.Src, null, g.Key.Port, null, g.Sum(t => t.Value), 0, [.. g.Select(t => t.Key.SrcPort).Order()], [])), k, floors, keys, Scattered);
        Bound(DigestFamily.ServedPorts, s.Value.Served.Select(p =>
            new DigestKey(DigestFamily.ServedPorts, null, null, p.Key.Port, p.Key.Eni, p.Value, 0, [], [])), k, floors, keys);
        Bound(DigestFamily.BytesOut, s.Value.Sent.Select(p =>
            new DigestKey(DigestFamily.BytesOut, null, null, null, p.Key, p.Value.Flows, p.Value.Bytes, [], [])), k, floors, keys);
        return new DigestSlice(new DateTime(s.Key, DateTimeKind.Utc), s.Value.Records, floors, keys);
    });

    public void Clear()
    {
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
            (_lastTicks, _last) = (ticks, slice ??= new SliceState());
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

    private sealed class SliceState
    {
        public long Records;
        public readonly Dictionary<Triple, int> Rejected = [];
        public readonly Dictionary<Login, int> Logins = [];
        public readonly Dictionary<(string Eni, int Port), int> Served = [];
        public readonly Dictionary<string, (int Flows, long Bytes)> Sent = [];
    }
}
