using System.Net.Http.Json;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;
using static FlowLens.Api.Tests.Infrastructure.QueryData;

namespace FlowLens.Api.Tests.Features.Stats;

public sealed class StatsApiTests(QueryData data) : IClassFixture<QueryData>
{
    private static readonly DateTimeOffset Day1 = FirstDay, Day2 = FirstDay.AddDays(1), End = FirstDay.AddDays(2);

    // Ranges that exercise each way of answering: whole days, hours at both ends, days plus hours, and unaligned.
    private static readonly (int FromMinute, int ToMinute, string Path)[] Ranges =
    [
        (0, 48 * 60, "rollup-top"),            // two day summaries (the first merged, the second from appended rows)
        (13 * 60, 31 * 60, "rollup-top"),      // hours only
        (13 * 60, 48 * 60, "rollup-top"),      // hours, then a whole day
        (-24 * 60, 48 * 60, "rollup-top"),     // a day without flows first
        (13 * 60 + 7, 40 * 60 + 1, "raw"),
    ];

    // One row per range, field, metric and filter, so that one wrong answer does not hide the others.
    public static TheoryData<int, int, string, string, string, string> TopCases()
    {
        var cases = new TheoryData<int, int, string, string, string, string>();
        foreach (var (fromMinute, toMinute, path) in Ranges)
        {
            foreach (var by in Keys.Keys)
            {
                foreach (var metric in new[] { "bytes", "flows" })
                {
                    foreach (var filter in new[] { "", "action = REJECT", "protocol = tcp" })
                    {
                        cases.Add(fromMinute, toMinute, path, by, metric, filter);
                    }
                }
            }
        }
        return cases;
    }

    private static readonly Dictionary<string, Func<FlowRecord, string?>> Keys = new()
    {
        ["srcaddr"] = r => r.SrcAddr?.ToString(),
        ["dstaddr"] = r => r.DstAddr?.ToString(),
        ["dstport"] = r => r.DstPort?.ToString(),
        ["interface-id"] = r => r.InterfaceId,
        ["protocol"] = r => r.Protocol?.ToString(),
        ["action"] = r => r.Action?.ToString().ToUpperInvariant(),
        ["pkt-dst-aws-service"] = r => r.PktDstAwsService,
        ["pair"] = r => r.SrcAddr is null ? null : $"{r.SrcAddr} -> {r.DstAddr}",
    };

    private static bool IsFlow(FlowRecord r) => r.LogStatus == LogStatus.Ok;

    [Fact]
    public async Task Rollups_HoldExactlyTheStoredFlows_MergedOrNot()
    {
        // Every record stored, and rollup rows of both kinds there (merged for the first day, appended for the second).
        Assert.Equal(data.Records.Count, await data.App.ScalarAsync<long>("select count(*) from flows"));
        Assert.True(await data.App.ScalarAsync<long>("select count(*) from flow_rollups_5m where compacted") > 0);
        Assert.True(await data.App.ScalarAsync<long>("select count(*) from flow_rollups_5m where not compacted") > 0);
        Assert.True(await data.App.ScalarAsync<long>("select count(*) from flow_top_1h") > 0);
        Assert.True(await data.App.ScalarAsync<long>("select count(*) from flow_top_1d") > 0);
        Assert.True(await data.App.ScalarAsync<long>("select count(*) from flow_top_appended") > 0);
        Assert.Equal(0L, await data.App.RollupMismatchesAsync());
    }

    [Fact]
    public async Task Summary_OfADay_EqualsTheRecordsSums_FromTheRollupsAndFromTheRawRows()
    {
        var expected = ExpectedSummary(data.In(Day1, Day2));
        Assert.True(expected.RejectedFlows > 0 && expected.NoDataRecords > 0);
        foreach (var rollups in new[] { "true", "false" })
        {
            var response = await data.Client().GetAsync($"/api/stats/summary?{Query(Day1, Day2, ("rollups", rollups))}", TestContext.Current.CancellationToken);
            Assert.Equal(rollups == "true" ? "rollup-5m" : "raw", response.Headers.GetValues(StatsApi.PathHeader).Single());
            Assert.Equal(expected, await response.Content.ReadFromJsonAsync<StatsApi.Summary>(TestContext.Current.CancellationToken));
        }
    }

    [Theory]
    [InlineData("action = REJECT", "rollup-5m")]
    [InlineData("protocol = udp or log-status = NODATA", "rollup-5m")]
    [InlineData("dstport in (22, 3389)", "raw")]
    [InlineData("srcaddr = 10.0.0.0/8 and not action = REJECT", "raw")]
    public async Task Summary_WithAFilter_CountsTheMatchingRecords(string filter, string path)
    {
        Func<FlowRecord, bool> matches = filter switch
        {
            "action = REJECT" => r => r.Action == FlowAction.Reject,
            "protocol = udp or log-status = NODATA" => r => r.Protocol == 17 || r.LogStatus == LogStatus.NoData,
            "dstport in (22, 3389)" => r => r.DstPort is 22 or 3389,
            _ => r => r.SrcAddr is { IsIPv4: true } a && a.ToString().StartsWith("10.", StringComparison.Ordinal) && r.Action != FlowAction.Reject,
        };
        var response = await data.Client().GetAsync($"/api/stats/summary?{Query(Day1, End, ("q", filter))}", TestContext.Current.CancellationToken);
        Assert.Equal(path, response.Headers.GetValues(StatsApi.PathHeader).Single());
        Assert.Equal(ExpectedSummary(data.In(Day1, End).Where(matches)), await response.Content.ReadFromJsonAsync<StatsApi.Summary>(TestContext.Current.CancellationToken));
    }

    [Theory]
    [MemberData(nameof(TopCases))]
    public async Task Top_EqualsTheRecordsTop_AndRollupAnswersEqualRawOnes(int fromMinute, int toMinute, string path, string by, string metric, string filter)
    {
        var (from, to) = (Day1.AddMinutes(fromMinute), Day1.AddMinutes(toMinute));
        var ct = TestContext.Current.CancellationToken;
        var key = Keys[by];
        var records = data.In(from, to).Where(r => filter switch
        {
            "" => true,
            "action = REJECT" => r.Action == FlowAction.Reject,
            _ => r.Protocol == 6,
        });
        var exact = records.Where(r => key(r) is not null).GroupBy(r => key(r)!)
            .Select(g => new StatsApi.TopItem(g.Key, g.Count(IsFlow), g.Sum(r => r.Bytes ?? 0), g.Sum(r => r.Packets ?? 0),
                g.Count(r => IsFlow(r) && r.Action == FlowAction.Reject)))
            .OrderByDescending(i => metric == "bytes" ? i.Bytes : i.Flows).ThenBy(i => i.Key, StringComparer.Ordinal)
            .ToList();
        Assert.True(filter != "" || exact.Count > 0);
        foreach (var (name, value) in new[] { ("rollups", "true"), ("rollups", "false"), ("exact", "true") })
        {
            var query = Query(from, to, ("by", by), ("metric", metric), ("limit", "7"), ("q", filter), (name, value));
            var response = await data.Client().GetAsync($"/api/stats/top?{query}", ct);
            // The top summaries answer a field's top without a filter or with exactly action = REJECT; with fewer keys
            // than FlowLens:Rollups:TopKeys they left none out, so the answer is exact.
            var expectedPath = value != "true" || name == "exact" || path == "raw" ? "raw"
                : by is "srcaddr" or "dstaddr" or "dstport" or "interface-id" ? filter == "protocol = tcp" ? "raw" : path
                : by is "protocol" or "action" ? "rollup-5m"
                : "raw";
            Assert.Equal(expectedPath, response.Headers.GetValues(StatsApi.PathHeader).Single());
            var top = await response.Content.ReadFromJsonAsync<StatsApi.TopResponse>(ct);
            // Exact where it says so (an hour has fewer values than FlowLens:Rollups:TopKeys, 1000); a day may have more: within maxError.
            TopAssert.Within(top!, exact, metric, 7);
            if (expectedPath != "rollup-top" || toMinute - fromMinute < 24 * 60)
            {
                Assert.False(top!.Approximate);
            }
        }
    }

    [Theory]
    [InlineData("srcaddr,dstport,dstaddr")]
    [InlineData("instance-id,dstport")]
    public async Task Top_OfAList_EqualsTheRecordsTop_KeyedByTheValuesJoined_FromTheRawFlows(string by)
    {
        var ct = TestContext.Current.CancellationToken;
        var fields = by.Split(',').Select(f => f == "instance-id" ? r => r.InstanceId : Keys[f]).ToList();
        // Each value, or - when the record does not have it; records with none of them are left out, as for one field.
        string? KeyOf(FlowRecord r) => fields.All(f => f(r) is null) ? null : string.Join(" -> ", fields.Select(f => f(r) ?? "-"));
        foreach (var (fromMinute, toMinute) in new[] { (0, 48 * 60), (13 * 60, 31 * 60), (13 * 60 + 7, 40 * 60 + 1) })
        {
            var (from, to) = (Day1.AddMinutes(fromMinute), Day1.AddMinutes(toMinute));
            foreach (var metric in new[] { "bytes", "flows" })
            {
                foreach (var filter in new[] { "", "action = REJECT", "protocol = tcp" })
                {
                    var records = data.In(from, to).Where(r => filter switch
                    {
                        "" => true,
                        "action = REJECT" => r.Action == FlowAction.Reject,
                        _ => r.Protocol == 6,
                    });
                    var expected = records.Where(r => KeyOf(r) is not null).GroupBy(r => KeyOf(r)!)
                        .Select(g => new StatsApi.TopItem(g.Key, g.Count(IsFlow), g.Sum(r => r.Bytes ?? 0), g.Sum(r => r.Packets ?? 0),
                            g.Count(r => IsFlow(r) && r.Action == FlowAction.Reject)))
                        .OrderByDescending(i => metric == "bytes" ? i.Bytes : i.Flows).ThenBy(i => i.Key, StringComparer.Ordinal)
                        .Take(25).ToList();
                    Assert.Equal(25, expected.Count);
                    Assert.All(expected, i => Assert.Equal(fields.Count, i.Key.Split(" -> ").Length));
                    if (by == "instance-id,dstport" && filter == "")
                    {
                        Assert.Contains(expected, i => i.Key.StartsWith("- -> ", StringComparison.Ordinal)); // interfaces without an instance
                    }
                    foreach (var rollups in new[] { "true", "false" })
                    {
                        var query = Query(from, to, ("by", by), ("metric", metric), ("limit", "25"), ("q", filter), ("rollups", rollups));
                        var response = await data.Client().GetAsync($"/api/stats/top?{query}", ct);
                        Assert.Equal("raw", response.Headers.GetValues(StatsApi.PathHeader).Single());
                        var top = await response.Content.ReadFromJsonAsync<StatsApi.TopResponse>(ct);
                        Assert.Equal(expected, top!.Items);
                    }
                }
            }
        }

        // NODATA records have an interface (and its instance) but no addresses or ports: without an instance they
        // make no item, with one they count under "<instance> -> -".
        var noDataKeys = data.In(Day1, End).Where(r => r.LogStatus == LogStatus.NoData).Select(KeyOf).ToList();
        Assert.Contains(noDataKeys, k => k is null);
        var noData = await data.Client().GetFromJsonAsync<StatsApi.TopResponse>(
            $"/api/stats/top?{Query(Day1, End, ("by", by), ("q", "log-status = NODATA"), ("limit", "1000"))}", ct);
        Assert.Equal(noDataKeys.OfType<string>().Distinct().Order(StringComparer.Ordinal), noData!.Items.Select(i => i.Key));
        if (by == "instance-id,dstport")
        {
            Assert.NotEmpty(noData.Items);
            Assert.All(noData.Items, i => Assert.EndsWith(" -> -", i.Key, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task TimeSeries_GroupedByAction_HasEveryHourOfTheRange_WithTheRecordsCounts()
    {
        var ct = TestContext.Current.CancellationToken;
        var from = Day1.AddHours(20);
        var to = Day2.AddHours(4);
        foreach (var rollups in new[] { "true", "false" })
        {
            var response = await data.Client().GetAsync($"/api/stats/timeseries?{Query(from, to, ("groupBy", "action"), ("interval", "1h"), ("rollups", rollups))}", ct);
            Assert.Equal(rollups == "true" ? "rollup-5m" : "raw", response.Headers.GetValues(StatsApi.PathHeader).Single());
            var body = await response.Content.ReadFromJsonAsync<StatsApi.TimeSeriesResponse>(ct);
            Assert.Equal("1h", body!.Interval);
            Assert.Equal(["ACCEPT", "REJECT", "-"], body.Series.Select(s => s.Key));
            foreach (var series in body.Series)
            {
                Assert.Equal(Enumerable.Range(0, 8).Select(h => from.AddHours(h)), series.Points.Select(p => p.T));
                var action = series.Key == "-" ? (FlowAction?)null : Enum.Parse<FlowAction>(series.Key, ignoreCase: true);
                Assert.Equal(series.Points.Select(p => (long)data.In(p.T, p.T.AddHours(1)).Count(r => IsFlow(r) && r.Action == action)),
                    series.Points.Select(p => p.Value));
            }
        }
    }

    [Fact]
    public async Task TimeSeries_KeepsTheLargestGroups_AndSumsTheRestIntoOther()
    {
        var ct = TestContext.Current.CancellationToken;
        // A series per port is exact: from the raw flows (the top summaries are bounded).
        foreach (var (interval, path) in new[] { ("1d", "raw"), ("1h", "raw"), ("15m", "raw") })
        {
            var response = await data.Client().GetAsync(
                $"/api/stats/timeseries?{Query(Day1, End, ("groupBy", "dstport"), ("metric", "bytes"), ("limit", "3"), ("interval", interval))}", ct);
            Assert.Equal(path, response.Headers.GetValues(StatsApi.PathHeader).Single());
            var body = await response.Content.ReadFromJsonAsync<StatsApi.TimeSeriesResponse>(ct);
            var byPort = data.In(Day1, End).GroupBy(r => r.DstPort?.ToString() ?? "-").ToDictionary(g => g.Key, g => g.Sum(r => r.Bytes ?? 0));
            var top = byPort.Where(p => p.Key != "-").OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(3).Select(p => p.Key).ToList();
            Assert.Equal(top.Append("other").Append("-"), body!.Series.Select(s => s.Key));
            Assert.Equal(top.Select(p => byPort[p]), body.Series.Take(3).Select(s => s.Points.Sum(p => p.Value)));
            Assert.Equal(byPort.Values.Sum(), body.Series.Sum(s => s.Points.Sum(p => p.Value)));
        }
    }

    [Theory]
    [InlineData(0, 48 * 60)]
    [InlineData(13 * 60 + 7, 40 * 60 + 1)]
    public async Task Scans_EqualTheRecordsDistinctCounts_RankedByPortsOrHosts_FromTheRawFlows(int fromMinute, int toMinute)
    {
        var (from, to) = (Day1.AddMinutes(fromMinute), Day1.AddMinutes(toMinute));
        var ct = TestContext.Current.CancellationToken;
        foreach (var filter in new[] { "", "action = REJECT" })
        {
            var bySource = data.In(from, to)
                .Where(r => IsFlow(r) && r.SrcAddr is not null && (filter == "" || r.Action == FlowAction.Reject))
                .GroupBy(r => r.SrcAddr!.ToString()!)
                .Select(g => new StatsApi.ScanItem(g.Key,
                    g.Where(r => r.DstPort is not null).Select(r => r.DstPort!.Value).Distinct().LongCount(),
                    g.Where(r => r.DstAddr is not null).Select(r => r.DstAddr!.ToString()).Distinct().LongCount(),
                    g.LongCount(), g.Sum(r => r.Bytes ?? 0), g.Sum(r => r.Packets ?? 0), g.LongCount(r => r.Action == FlowAction.Reject),
                    g.Min(r => r.Start!.Value), g.Max(r => r.End ?? r.Start!.Value)))
                .ToList();
            var rankings = new Dictionary<string, List<StatsApi.ScanItem>>();
            foreach (var by in new[] { "ports", "hosts" })
            {
                var expected = bySource
                    .OrderByDescending(i => by == "hosts" ? i.Hosts : i.Ports).ThenByDescending(i => i.Flows).ThenBy(i => i.SrcAddr, StringComparer.Ordinal)
                    .Take(15).ToList();
                var response = await data.Client().GetAsync($"/api/stats/scans?{Query(from, to, ("by", by), ("limit", "15"), ("q", filter))}", ct);
                Assert.Equal("raw", response.Headers.GetValues(StatsApi.PathHeader).Single());
                var body = await response.Content.ReadFromJsonAsync<StatsApi.ScansResponse>(ct);
                Assert.Equal(expected, body!.Items);
                rankings[by] = body.Items;
            }
            // The synthetic port scanner leads by ports, far ahead; by hosts the ranking is another one (so by is obeyed).
            Assert.Equal("198.51.100.7", rankings["ports"][0].SrcAddr);
            Assert.True(rankings["ports"][0].Ports > 10 * rankings["ports"][1].Ports);
            Assert.NotEqual(rankings["ports"].Select(i => i.SrcAddr), rankings["hosts"].Select(i => i.SrcAddr));

            // Without by and limit: by ports, 20 sources.
            var defaults = await data.Client().GetFromJsonAsync<StatsApi.ScansResponse>($"/api/stats/scans?{Query(from, to, ("q", filter))}", ct);
            Assert.Equal(bySource.OrderByDescending(i => i.Ports).ThenByDescending(i => i.Flows).ThenBy(i => i.SrcAddr, StringComparer.Ordinal).Take(20),
                defaults!.Items);
        }
    }

    [Fact]
    public async Task Scans_SerialiseTheirItemsWithTheNamesTheDashboardReads()
    {
        var ct = TestContext.Current.CancellationToken;
        var json = await data.Client().GetStringAsync($"/api/stats/scans?{Query(Day1, End, ("limit", "1"))}", ct);
        var item = System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(["srcaddr", "ports", "hosts", "flows", "bytes", "packets", "rejectedFlows", "firstSeen", "lastSeen"],
            item.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("/api/stats/scans?by=dstport", "by")]
    [InlineData("/api/stats/scans?limit=0", "limit")]
    [InlineData("/api/stats/scans?limit=1001", "limit")]
    [InlineData("/api/stats/scans?q=srcaddr%20%3D", "q")]
    [InlineData("/api/stats/top?by=nonsense", "by")]
    [InlineData("/api/stats/top?by=addr", "by")]
    [InlineData("/api/stats/top?by=srcaddr,dstport,srcaddr", "by")]
    [InlineData("/api/stats/top?by=srcaddr,dstport,dstaddr,protocol", "by")]
    [InlineData("/api/stats/top?by=srcaddr,nonsense", "by")]
    [InlineData("/api/stats/top?by=addr,dstport", "by")]
    [InlineData("/api/stats/top?by=srcaddr,pair", "by")]
    [InlineData("/api/stats/top?by=srcaddr,,dstaddr", "by")]
    [InlineData("/api/stats/top?by=srcaddr,dstport,", "by")]
    [InlineData("/api/stats/top?limit=1001", "limit")]
    [InlineData("/api/stats/top?metric=volume", "metric")]
    [InlineData("/api/stats/summary?from=yesterday", "from")]
    [InlineData("/api/stats/summary?q=dstport%20%3D%20http", "q")]
    [InlineData("/api/stats/timeseries?interval=7m", "interval")]
    [InlineData("/api/stats/timeseries?from=now-30d&interval=1m", "interval")]
    public async Task BadParameters_Answer400_NamingTheParameter(string url, string parameter)
    {
        await ProblemAssert.IsBadParameterAsync(await data.Client().GetAsync(url, TestContext.Current.CancellationToken), parameter);
    }

    private static StatsApi.Summary ExpectedSummary(IEnumerable<FlowRecord> records)
    {
        var list = records.ToList();
        return new StatsApi.Summary(list.Count(IsFlow), list.Sum(r => r.Bytes ?? 0), list.Sum(r => r.Packets ?? 0),
            list.Count(r => IsFlow(r) && r.Action == FlowAction.Accept), list.Count(r => IsFlow(r) && r.Action == FlowAction.Reject),
            list.Count(r => r.LogStatus == LogStatus.NoData), list.Count(r => r.LogStatus == LogStatus.SkipData));
    }
}
