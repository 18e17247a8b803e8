namespace FlowLens.Core.Stats;

/// <summary>
/// The sums a top summary keeps per key: every record's, and the REJECT records' (what a top with no filter, or with
/// exactly <c>action = REJECT</c>, reads).
/// </summary>
public struct TopSums
{
    public long Records;
    public long Flows;
    public long Bytes;
    public long Packets;
    public long RejectedRecords;
    public long RejectedFlows;
    public long RejectedBytes;
    public long RejectedPackets;

    public readonly long this[TopMetric metric] => metric switch
    {
        TopMetric.Flows => Flows,
        TopMetric.Bytes => Bytes,
        TopMetric.Packets => Packets,
        TopMetric.RejectedFlows => RejectedFlows,
        TopMetric.RejectedBytes => RejectedBytes,
        _ => RejectedPackets,
    };

    public void Add(in TopSums other)
    {
        Records += other.Records;
        Flows += other.Flows;
        Bytes += other.Bytes;
        Packets += other.Packets;
        RejectedRecords += other.RejectedRecords;
        RejectedFlows += other.RejectedFlows;
        RejectedBytes += other.RejectedBytes;
        RejectedPackets += other.RejectedPackets;
    }
}

/// <summary>The metrics a top summary ranks its keys by (each keeps its own top K and floor).</summary>
public enum TopMetric { Flows, Bytes, Packets, RejectedFlows, RejectedBytes, RejectedPackets }

/// <summary>
/// A bounded top summary of one field over one hour or day: at most K keys per ranking metric (the union of each
/// metric's top K), with each metric's floor.
/// Invariant, for every metric m and key x with true sum t(x): a listed key has v(x) ≤ t(x) ≤ v(x) + floor(m); an
/// unlisted key has t(x) ≤ floor(m). Listed sums only ever add exact partial sums, so they are lower bounds; when
/// no key was ever left out every floor is 0 and the summary is exact.
/// </summary>
public sealed class TopSummary
{
    public static readonly TopMetric[] Metrics = Enum.GetValues<TopMetric>();

    public TopSummary(Dictionary<string, TopSums> keys, long[] floors)
    {
        if (floors.Length != Metrics.Length)
        {
            throw new ArgumentException($"a summary has {Metrics.Length} floors", nameof(floors));
        }
        (Keys, Floors) = (keys, floors);
    }

    public Dictionary<string, TopSums> Keys { get; }

    /// <summary>Per <see cref="TopMetric"/>: an upper bound of the metric for any key not listed, and of a listed key's error.</summary>
    public long[] Floors { get; }

    public long Floor(TopMetric metric) => Floors[(int)metric];

    public bool IsExact => Floors.All(f => f == 0);

    /// <summary>The summary of exact sums: all of them when there are at most <paramref name="k"/> keys, floors 0.</summary>
    public static TopSummary Truncate(IReadOnlyDictionary<string, TopSums> exact, int k) => Bound(exact, new long[Metrics.Length], k);

    /// <summary>
    /// Merges summaries of disjoint sets of records (objects of an hour, hours of a day): listed sums add up, floors
    /// add up (a key may be unlisted in any of them), and what truncating to <paramref name="k"/> leaves out raises
    /// each floor by the largest value left out.
    /// </summary>
    public static TopSummary Merge(IEnumerable<TopSummary> parts, int k)
    {
        var keys = new Dictionary<string, TopSums>(StringComparer.Ordinal);
        var floors = new long[Metrics.Length];
        foreach (var part in parts)
        {
            foreach (var (key, sums) in part.Keys)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(keys, key, out _).Add(sums);
            }
            for (var m = 0; m < floors.Length; m++)
            {
                floors[m] += part.Floors[m];
            }
        }
        return Bound(keys, floors, k);
    }

    /// <summary>
    /// Keeps every key when there are at most <paramref name="k"/>; else, for each metric, the k largest positive values
    /// (ties by key, ordinal), and adds to that metric's floor the largest value of a key it did not keep.
    /// </summary>
    private static TopSummary Bound(IReadOnlyDictionary<string, TopSums> keys, long[] floors, int k)
    {
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), "a summary keeps at least one key");
        }
        if (keys.Count <= k)
        {
            return new TopSummary(new Dictionary<string, TopSums>(keys, StringComparer.Ordinal), floors);
        }
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metric in Metrics)
        {
            var ranked = keys.Where(p => p.Value[metric] > 0).OrderByDescending(p => p.Value[metric]).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
            kept.UnionWith(ranked.Take(k).Select(p => p.Key));
            if (ranked.Count > k)
            {
                floors[(int)metric] += ranked[k].Value[metric];
            }
        }
        return new TopSummary(keys.Where(p => kept.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), floors);
    }
}

