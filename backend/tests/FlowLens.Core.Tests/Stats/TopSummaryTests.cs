using FlowLens.Core.Stats;

namespace FlowLens.Core.Tests.Stats;

public sealed class TopSummaryTests
{
    private static TopSums Sums(long flows, long bytes, long packets, long rejectedFlows = 0, long rejectedBytes = 0, long rejectedPackets = 0) => new()
    {
        Records = flows + 1, Flows = flows, Bytes = bytes, Packets = packets,
        RejectedRecords = rejectedFlows, RejectedFlows = rejectedFlows, RejectedBytes = rejectedBytes, RejectedPackets = rejectedPackets,
    };

    [Fact]
    public void Truncate_KeepsEveryKey_WithFloorsZero_WhenThereAreAtMostK()
    {
        var exact = Enumerable.Range(0, 10).ToDictionary(i => $"10.0.0.{i}", i => Sums(i, 0, 0));
        var summary = TopSummary.Truncate(exact, 10);
        Assert.Equal(exact.OrderBy(p => p.Key), summary.Keys.OrderBy(p => p.Key));
        Assert.True(summary.IsExact);
        // Merging exact summaries that together hold at most K keys stays exact.
        var merged = TopSummary.Merge([summary, TopSummary.Truncate(new Dictionary<string, TopSums> { ["10.0.0.3"] = Sums(1, 2, 3) }, 10)], 10);
        Assert.True(merged.IsExact);
        Assert.Equal(4L, merged.Keys["10.0.0.3"].Flows);
        Assert.Equal(2L, merged.Keys["10.0.0.3"].Bytes);
    }

    [Fact]
    public void Truncate_KeepsTheKLargestOfEachMetric_AndTheNextLargestAsItsFloor()
    {
        var exact = new Dictionary<string, TopSums>
        {
            ["a"] = Sums(flows: 9, bytes: 1, packets: 1),
            ["b"] = Sums(flows: 8, bytes: 2, packets: 1),
            ["c"] = Sums(flows: 1, bytes: 90, packets: 1),
            ["d"] = Sums(flows: 2, bytes: 80, packets: 1),
            ["e"] = Sums(flows: 3, bytes: 3, packets: 1, rejectedFlows: 5),
        };
        var summary = TopSummary.Truncate(exact, 2);
        // flows: a, b (then e: 3); bytes: c, d (then e: 3); packets all tie at 1: the first two keys, a and b (then c);
        // rejected flows: e alone (nothing positive left out).
        Assert.Equal(["a", "b", "c", "d", "e"], summary.Keys.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([3L, 3L, 1L, 0L, 0L, 0L], summary.Floors);
        Assert.False(summary.IsExact);
        var fewer = TopSummary.Truncate(exact.Where(p => p.Key != "e").ToDictionary(), 1);
        Assert.Equal(["a", "c"], fewer.Keys.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([8L, 80L, 1L, 0L, 0L, 0L], fewer.Floors);
    }

    [Fact]
    public void Summaries_KeepAtLeastOneKey() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TopSummary.Truncate(new Dictionary<string, TopSums>(), 0));

    /// <summary>
    /// Random records (a few heavy keys among many light ones) split into objects, truncated per object, merged per
    /// hour and the hours into a day, with a small K: at every level every listed value is within its floor of the
    /// truth, every key left out is within the floor, and a top read from several summaries is within the sum of their
    /// floors, as the API reports it.
    /// </summary>
    [Theory]
    [MemberData(nameof(Seeds))]
    public void MergedSummaries_BoundEveryKeysTrueSums(int seed)
    {
        var random = new Random(seed);
        var k = random.Next(1, 12);
        var keyCount = random.Next(1, 200);
        var hours = Enumerable.Range(0, random.Next(1, 6)).Select(_ =>
        {
            var objects = Enumerable.Range(0, random.Next(1, 8)).Select(_ => RandomExact(random, keyCount)).ToList();
            return (Objects: objects, Summary: TopSummary.Merge(objects.Select(o => TopSummary.Truncate(o, k)), k));
        }).ToList();
        var day = TopSummary.Merge(hours.Select(h => h.Summary), k);

        foreach (var (objects, summary) in hours)
        {
            AssertBounds(Total(objects), summary);
        }
        var all = Total(hours.SelectMany(h => h.Objects));
        AssertBounds(all, day);
        Assert.True(all.Count > k || day.IsExact);

        // A query over the hours: listed sums added up, the floors of the ranked metric too.
        foreach (var metric in TopSummary.Metrics)
        {
            var listed = new Dictionary<string, long>();
            foreach (var (key, sums) in hours.SelectMany(h => h.Summary.Keys))
            {
                listed[key] = listed.GetValueOrDefault(key) + sums[metric];
            }
            var maxError = hours.Sum(h => h.Summary.Floor(metric));
            var top = listed.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(k).ToList();
            foreach (var (key, value) in top)
            {
                Assert.InRange(all[key][metric], value, value + maxError);
            }
            if (top.Count == k)
            {
                Assert.All(all.Where(p => !top.Any(t => t.Key == p.Key)), p => Assert.True(p.Value[metric] <= top[^1].Value + maxError));
            }
            if (maxError == 0)
            {
                Assert.Equal(all.Where(p => p.Value[metric] > 0).Select(p => p.Value[metric]).OrderDescending().Take(top.Count),
                    top.Select(t => t.Value).Where(v => v > 0));
            }
        }
    }

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 300)];

    private static void AssertBounds(Dictionary<string, TopSums> exact, TopSummary summary)
    {
        foreach (var metric in TopSummary.Metrics)
        {
            var floor = summary.Floor(metric);
            foreach (var (key, sums) in exact)
            {
                if (summary.Keys.TryGetValue(key, out var listed))
                {
                    Assert.InRange(sums[metric], listed[metric], listed[metric] + floor);
                }
                else
                {
                    Assert.True(sums[metric] <= floor, $"{key} left out with {metric} {sums[metric]} over the floor {floor}");
                }
            }
        }
        Assert.All(summary.Keys.Keys, key => Assert.True(exact.ContainsKey(key)));
    }

    private static Dictionary<string, TopSums> RandomExact(Random random, int keyCount)
    {
        var sums = new Dictionary<string, TopSums>(StringComparer.Ordinal);
        for (var i = random.Next(0, 60); i > 0; i--)
        {
            // Skewed: low key numbers come up far more often.
            var key = $"k{(int)(keyCount * Math.Pow(random.NextDouble(), 3))}";
            var rejected = random.Next(4) == 0 ? 1 : 0;
            var flow = random.Next(10) == 0 ? 0 : 1;
            var bytes = random.Next(0, 5000);
            var packets = random.Next(0, 50);
            var record = new TopSums
            {
                Records = 1, Flows = flow, Bytes = bytes, Packets = packets,
                RejectedRecords = rejected, RejectedFlows = rejected * flow, RejectedBytes = rejected * bytes, RejectedPackets = rejected * packets,
            };
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(sums, key, out _).Add(record);
        }
        return sums;
    }

    private static Dictionary<string, TopSums> Total(IEnumerable<Dictionary<string, TopSums>> parts)
    {
        var total = new Dictionary<string, TopSums>(StringComparer.Ordinal);
        foreach (var (key, sums) in parts.SelectMany(p => p))
        {
            System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(total, key, out _).Add(sums);
        }
        return total;
    }
}
