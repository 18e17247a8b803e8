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
    public static TopSummary Truncate(IReadOnlyDictionary<string, TopSums> exact, int k) => Bound(exact, key => key, new long[Metrics.Length], k);

    /// <summary>
    /// The same, from exact sums of distinct keys of any kind, named by <paramref name="text"/>: only the keys kept, and
    /// those tied at a metric's k-th value, are turned into text (ingestion sums tens of thousands of addresses an hour).
    /// </summary>
    public static TopSummary Truncate<TKey>(IReadOnlyCollection<KeyValuePair<TKey, TopSums>> exact, Func<TKey, string> text, int k) =>
        Bound(exact, text, new long[Metrics.Length], k);

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
        return Bound(keys, key => key, floors, k);
    }

    /// <summary>
    /// Keeps every key when there are at most <paramref name="k"/>; else, for each metric, the k largest positive values
    /// (ties by key text, ordinal), and adds to that metric's floor the largest value of a key it did not keep.
    /// </summary>
    /// <remarks>
    /// Per metric, the k+1 largest values alone give the k-th (the least a kept key has) and the next one (the floor's
    /// raise): keys above the k-th are kept, and only the keys tied with it are ranked by their text. A key's text is
    /// made once, and only for those keys.
    /// </remarks>
    private static TopSummary Bound<TKey>(IReadOnlyCollection<KeyValuePair<TKey, TopSums>> exact, Func<TKey, string> text, long[] floors, int k)
    {
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), "a summary keeps at least one key");
        }
        var rows = exact.ToArray();
        var kept = new bool[rows.Length];
        var texts = new string?[rows.Length];
        if (rows.Length <= k)
        {
            Array.Fill(kept, true);
            return Kept(rows, kept, texts, text, floors);
        }
        var values = new long[rows.Length];
        var largest = new PriorityQueue<long, long>(k + 1);
        var ties = new List<(string Text, int Row)>();
        foreach (var metric in Metrics)
        {
            // The k+1 largest positive values, the least of them first.
            largest.Clear();
            for (var i = 0; i < rows.Length; i++)
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
            // The k-th largest positive value (all of them when there are at most k).
            var least = 1L;
            var all = largest.Count <= k;
            if (!all)
            {
                floors[(int)metric] += largest.Dequeue();
                least = largest.Peek();
            }
            var places = k;
            ties.Clear();
            for (var i = 0; i < rows.Length; i++)
            {
                if (values[i] > least || (values[i] == least && all))
                {
                    kept[i] = true;
                    places--;
                }
                else if (values[i] == least)
                {
                    ties.Add((texts[i] ??= text(rows[i].Key), i));
                }
            }
            ties.Sort((a, b) => string.CompareOrdinal(a.Text, b.Text));
            foreach (var (_, row) in ties.Take(places))
            {
                kept[row] = true;
            }
        }
        return Kept(rows, kept, texts, text, floors);
    }

    private static TopSummary Kept<TKey>(KeyValuePair<TKey, TopSums>[] rows, bool[] kept, string?[] texts, Func<TKey, string> text, long[] floors)
    {
        var keys = new Dictionary<string, TopSums>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Length; i++)
        {
            if (kept[i])
            {
                keys.Add(texts[i] ?? text(rows[i].Key), rows[i].Value);
            }
        }
        return new TopSummary(keys, floors);
    }
}
