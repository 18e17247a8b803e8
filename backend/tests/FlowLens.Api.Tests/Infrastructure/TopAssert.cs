using FlowLens.Api.Features.Stats;

namespace FlowLens.Api.Tests.Infrastructure;

public static class TopAssert
{
    /// <summary>
    /// A top answer against the exact one (every key, from the raw flows): equal to its first items when it says it is
    /// exact; else every listed value a lower bound of the true one, the ranked metric's within maxError, and a key not
    /// listed at most the last listed value + maxError. Approximate says whether maxError is above 0.
    /// </summary>
    public static void Within(StatsApi.TopResponse top, IReadOnlyList<StatsApi.TopItem> exact, string metric, int limit, string about = "")
    {
        static long Of(StatsApi.TopItem item, string metric) => metric switch { "bytes" => item.Bytes, "flows" => item.Flows, _ => item.Packets };
        Assert.Equal(top.MaxError > 0, top.Approximate);
        if (!top.Approximate)
        {
            Assert.Equal(exact.Take(limit), top.Items);
            return;
        }
        var truth = exact.ToDictionary(i => i.Key);
        Assert.Equal(Math.Min(limit, truth.Count), top.Items.Count);
        Assert.All(top.Items, item =>
        {
            var t = truth[item.Key];
            Assert.InRange(Of(t, metric), Of(item, metric), Of(item, metric) + top.MaxError);
            Assert.True(item.Flows <= t.Flows && item.Bytes <= t.Bytes && item.Packets <= t.Packets && item.RejectedFlows <= t.RejectedFlows, about);
        });
        Assert.Equal(top.Items.Select(i => Of(i, metric)).OrderDescending(), top.Items.Select(i => Of(i, metric)));
        var last = Of(top.Items[^1], metric);
        Assert.All(exact.Where(i => !top.Items.Any(t => t.Key == i.Key)), i => Assert.True(Of(i, metric) <= last + top.MaxError, about));
    }
}
