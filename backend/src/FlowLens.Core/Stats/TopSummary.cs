using System.Buffers;
using System.Runtime.CompilerServices;

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
    public static TopSummary Truncate(IReadOnlyDictionary<string, TopSums> exact, int k) =>
        Bound(exact, key => key, StringComparer.Ordinal, new long[Metrics.Length], k);

    /// <summary>
    /// The same, from exact sums of distinct keys of any kind, named by <paramref name="text"/> and ranked among equal
    /// values by <paramref name="order"/>: only the keys kept are turned into text (ingestion sums tens of thousands of
    /// addresses an hour, most of them tied at a flow or two).
    /// </summary>
    public static TopSummary Truncate<TKey>(IReadOnlyCollection<KeyValuePair<TKey, TopSums>> exact, Func<TKey, string> text, IComparer<TKey> order, int k) =>
        Bound(exact, text, order, new long[Metrics.Length], k);

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
        return Bound(keys, key => key, StringComparer.Ordinal, floors, k);
    }

    /// <summary>
    /// Keeps every key when there are at most <paramref name="k"/>; else, for each metric, the k largest positive values
    /// (ties by <paramref name="order"/>), and adds to that metric's floor the largest value of a key it did not keep.
    /// </summary>
    /// <remarks>
    /// Per metric, the k+1 largest values alone give the k-th (the least a kept key has) and the next one (the floor's
    /// raise): keys above the k-th are kept, and only the keys tied with it are ranked. Any order of ties keeps the
    /// invariant; a fixed one makes the summary the same whatever the order of the sums. The work arrays are pooled:
    /// an hour of an object has tens of thousands of keys, and arrays that size each time kept the GC busy.
    /// </remarks>
    // Compiled optimized at once (here and below): run once per chunk or summary, these loops waited for tiering
    // (30 calls) through a young process's first tens of objects, unoptimized.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static TopSummary Bound<TKey>(IReadOnlyCollection<KeyValuePair<TKey, TopSums>> exact, Func<TKey, string> text, IComparer<TKey> order, long[] floors, int k)
    {
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), "a summary keeps at least one key");
        }
        var n = exact.Count;
        var rows = ArrayPool<KeyValuePair<TKey, TopSums>>.Shared.Rent(n);
        var kept = ArrayPool<bool>.Shared.Rent(n);
        var values = ArrayPool<long>.Shared.Rent(n);
        try
        {
            var filled = 0;
            foreach (var row in exact)
            {
                rows[filled++] = row;
            }
            var all = n <= k;
            Array.Fill(kept, all, 0, n);
            if (!all)
            {
                KeepLargest(rows, n, kept, values, order, floors, k);
            }
            var keys = new Dictionary<string, TopSums>(StringComparer.Ordinal);
            for (var i = 0; i < n; i++)
            {
                if (kept[i])
                {
                    keys.Add(text(rows[i].Key), rows[i].Value);
                }
            }
            return new TopSummary(keys, floors);
        }
        finally
        {
            ArrayPool<KeyValuePair<TKey, TopSums>>.Shared.Return(rows, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<TKey>());
            ArrayPool<bool>.Shared.Return(kept);
            ArrayPool<long>.Shared.Return(values);
        }
    }

    /// <summary>Marks, per metric, the rows of the k largest values (ties by key order) and raises the floors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KeepLargest<TKey>(KeyValuePair<TKey, TopSums>[] rows, int n, bool[] kept, long[] values, IComparer<TKey> order, long[] floors, int k)
    {
        var largest = new PriorityQueue<long, long>(k + 1);
        // The least keys of many tied ones: the greatest kept so far on top, so most ties are turned away at one look.
        var least = new PriorityQueue<int, TKey>(Comparer<TKey>.Create((a, b) => order.Compare(b, a)));
        foreach (var metric in Metrics)
        {
            // The k+1 largest positive values, the least of them first.
            largest.Clear();
            for (var i = 0; i < n; i++)
            {
                var value = values[i] = rows[i].Value[metric];
                if (value > 0 && largest.Count <= k)
                {
                    largest.Enqueue(value, value);
                }
                else if (value > 0 && value > largest.Peek())
                {
                    largest.DequeueEnqueue(value, value);
                }
            }
            if (largest.Count <= k)
            {
                // At most k positive values: all of them.
                for (var i = 0; i < n; i++)
                {
                    kept[i] |= values[i] > 0;
                }
                continue;
            }
            // Keys above the k-th largest value are kept; those equal to it share the places left, least keys first.
            floors[(int)metric] += largest.Dequeue();
            var kth = largest.Peek();
            var places = k;
            for (var i = 0; i < n; i++)
            {
                if (values[i] > kth)
                {
                    kept[i] = true;
                    places--;
                }
            }
            least.Clear();
            for (var i = 0; i < n && places > 0; i++)
            {
                if (values[i] != kth)
                {
                    continue;
                }
                if (least.Count < places)
                {
                    least.Enqueue(i, rows[i].Key);
                }
                else if (least.TryPeek(out _, out var greatest) && order.Compare(rows[i].Key, greatest) < 0)
                {
                    least.DequeueEnqueue(i, rows[i].Key);
                }
            }
            foreach (var (i, _) in least.UnorderedItems)
            {
                kept[i] = true;
            }
        }
    }
}
