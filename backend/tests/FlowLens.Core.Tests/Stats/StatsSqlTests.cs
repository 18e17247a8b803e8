using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;
using FlowLens.Core.Stats;

namespace FlowLens.Core.Tests.Stats;

public sealed class StatsSqlTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static FilterNode? Filter(string text) => FilterParser.Parse(text).Root;

    public static TheoryData<string, string, int, int, StatsPath> TopCases => new()
    {
        // by, filter, from (minutes after Day), to (minutes after Day), expected path
        { "srcaddr", "", 0, 3 * 1440, StatsPath.RollupTop },
        { "srcaddr", "action = REJECT", 60, 3 * 1440, StatsPath.RollupTop },
        { "interface-id", "ACTION in (reject)", 0, 60, StatsPath.RollupTop },
        { "dstaddr", "", 60, 1380, StatsPath.RollupTop },
        // The summaries keep every record's and the REJECT records' sums only: any other filter reads the raw flows.
        { "srcaddr", "action = REJECT and not protocol = udp", 0, 3 * 1440, StatsPath.Raw },
        { "srcaddr", "action = ACCEPT", 0, 3 * 1440, StatsPath.Raw },
        { "dstaddr", "protocol = tcp", 60, 1380, StatsPath.Raw },
        { "dstport", "action in (ACCEPT, REJECT)", 60, 2 * 1440 + 60, StatsPath.Raw },
        { "srcaddr", "", 65, 1440, StatsPath.Raw },             // not on an hour
        { "srcaddr", "dstport = 22", 0, 1440, StatsPath.Raw },  // dstport is not in the rollup's columns
        { "pair", "", 0, 1440, StatsPath.Raw },
        { "vpc-id", "", 0, 1440, StatsPath.Raw },
        { "action", "", 5, 1440, StatsPath.Rollup5m },
        { "protocol", "log-status = OK", 0, 10, StatsPath.Rollup5m },
        { "protocol", "", 0, 7, StatsPath.Raw },
    };

    [Theory]
    [MemberData(nameof(TopCases))]
    public void Top_IsAnsweredFromTheRollupThatHoldsWhatItNeeds(string by, string filter, int from, int to, StatsPath path)
    {
        var range = new TimeRange(Day.AddMinutes(from), Day.AddMinutes(to));
        Assert.Equal(path, StatsSql.Top(range, Filter(filter), by, StatsMetric.Bytes, 10, useRollups: true).Path);
        Assert.Equal(StatsPath.Raw, StatsSql.Top(range, Filter(filter), by, StatsMetric.Bytes, 10, useRollups: false).Path);
    }

    [Theory]
    [InlineData("", SummarySums.All, null)]
    [InlineData("action = REJECT", SummarySums.Rejected, null)]
    [InlineData("Action = reject", SummarySums.Rejected, null)]
    [InlineData("action in (REJECT)", SummarySums.Rejected, null)]
    [InlineData("action = ACCEPT", null, null)]
    [InlineData("action != REJECT", null, null)]
    [InlineData("action in (ACCEPT, REJECT)", null, null)]
    [InlineData("action = REJECT and protocol = tcp", null, null)]
    [InlineData("not action = REJECT", null, null)]
    [InlineData("account-id = 111111111111", SummarySums.All, "111111111111")]
    [InlineData("account-id in (222222222222, 111111111111) and action = REJECT", SummarySums.Rejected, "111111111111,222222222222")]
    [InlineData("account-id in (111111111111, 222222222222) and (action = REJECT and account-id = 222222222222)", SummarySums.Rejected, "222222222222")]
    [InlineData("account-id in (111111111111) and account-id = 222222222222", SummarySums.All, "")]
    [InlineData("account-id = 111111111111 or action = REJECT", null, null)]
    [InlineData("account-id != 111111111111", null, null)]
    [InlineData("account-id = 111111111111 and vpc-id = vpc-01234567", null, null)]
    public void SummaryQueryFor_AcceptsTheRejectedRecordsOrAll_InSomeAccounts(string filter, SummarySums? sums, string? accounts)
    {
        var query = Rollups.SummaryQueryFor(Filter(filter));
        Assert.Equal(sums, query?.Sums);
        Assert.Equal(accounts, query?.Accounts is { } list ? string.Join(',', list) : null);
    }

    [Fact]
    public void AScopeToAccounts_IsAnsweredFromTheRollups_AndAScopeWithVpcs_FromTheRawFlows()
    {
        var range = new TimeRange(Day, Day.AddHours(2));
        var accounts = FlowLens.Core.Scopes.AccessScope.Of(["111111111111"], null);
        var vpcs = FlowLens.Core.Scopes.AccessScope.Of(["111111111111"], ["vpc-0123456789abcdef0"]);
        Assert.Equal(StatsPath.RollupTop, StatsSql.Top(range, accounts.Restrict(null), "srcaddr", StatsMetric.Bytes, 10, useRollups: true).Path);
        Assert.Equal(StatsPath.RollupTop, StatsSql.Top(range, accounts.Restrict(Filter("action = REJECT")), "dstport", StatsMetric.Bytes, 10, useRollups: true).Path);
        Assert.Equal(StatsPath.Rollup5m, StatsSql.Summary(range, accounts.Restrict(Filter("protocol = tcp")), useRollups: true).Path);
        Assert.Equal(StatsPath.Rollup5m, StatsSql.Top(range, accounts.Restrict(null), "account-id", StatsMetric.Bytes, 10, useRollups: true).Path);
        Assert.Equal(StatsPath.Raw, StatsSql.Top(range, vpcs.Restrict(null), "srcaddr", StatsMetric.Bytes, 10, useRollups: true).Path);
        Assert.Equal(StatsPath.Raw, StatsSql.Summary(range, vpcs.Restrict(null), useRollups: true).Path);
    }

    [Theory]
    [InlineData("srcaddr,dstport,dstaddr")]
    [InlineData("action,protocol")]            // each in the 5-minute rollup, but not together
    [InlineData("interface-id,srcaddr")]       // each in the top rollups, one field per row
    public void Top_OfAList_ReadsTheRawFlows_EvenOverWholeDays(string by)
    {
        Assert.True(StatsSql.TryParseGroupBy(by, out var fields, out _));
        foreach (var useRollups in new[] { true, false })
        {
            var statement = StatsSql.Top(new TimeRange(Day, Day.AddDays(3)), Filter("action = REJECT"), fields, StatsMetric.Bytes, 10, useRollups);
            Assert.Equal(StatsPath.Raw, statement.Path);
            Assert.Contains($"'{StatsSql.KeySeparator}'", statement.Sql);
        }
    }

    [Theory]
    [InlineData("srcaddr", "srcaddr")]
    [InlineData("pair", "pair")]
    [InlineData("SrcAddr,DstPort", "srcaddr|dstport")]
    [InlineData("srcaddr, dstport ,dstaddr", "srcaddr|dstport|dstaddr")]
    [InlineData("interface-id,action,pkt-dst-aws-service", "interface-id|action|pkt-dst-aws-service")]
    public void TryParseGroupBy_TakesOneFieldOrAListOfTwoOrThree(string text, string fields)
    {
        Assert.True(StatsSql.TryParseGroupBy(text, out var parsed, out var error), error);
        Assert.Equal(fields.Split('|'), parsed);
    }

    [Theory]
    [InlineData("", "is not a field")]
    [InlineData("nonsense", "is not a field")]
    [InlineData("addr,dstport", "'addr' is not a field")]              // two columns
    [InlineData("srcaddr,dstport,dstaddr,protocol", "at most")]
    [InlineData("srcaddr,pair", "cannot be in a list")]
    [InlineData("srcaddr,,dstaddr", "empty")]
    [InlineData("srcaddr,dstport,", "empty")]
    [InlineData("srcaddr,dstport,SRCADDR", "listed twice")]
    [InlineData("dst-country,dstport", "a top groups by it alone (by=dst-country)")]
    [InlineData("srcaddr,Instance-Name", "a top groups by it alone (by=instance-name)")]
    [InlineData("country", "is not a field")]                            // either side: a record would count twice
    [InlineData("security-group", "is not a field")]                     // several per interface
    public void TryParseGroupBy_RefusesBadLists_SayingWhy(string text, string why)
    {
        Assert.False(StatsSql.TryParseGroupBy(text, out var parsed, out var error));
        Assert.Empty(parsed);
        Assert.Contains(why, error);
        Assert.Throws<ArgumentException>(() => StatsSql.Top(new TimeRange(Day, Day.AddDays(1)), null, text.Split(','), StatsMetric.Bytes, 10, true));
    }

    [Fact]
    public void ContextFields_GroupATopAlone_WhichTheApiLabels_NeverATimeSeries()
    {
        Assert.Equal(["src-network", "dst-network", "src-aws-service", "dst-aws-service", "src-country", "dst-country", "src-asn", "dst-asn", "instance-name"],
            StatsSql.ContextGroupFields);
        Assert.True(StatsSql.TryParseGroupBy("DST-Country", out var fields, out var error), error);
        Assert.Equal(["dst-country"], fields);
        Assert.All(StatsSql.ContextGroupFields, f => Assert.False(StatsSql.IsGroupField(f)));
        Assert.DoesNotContain("dst-country", StatsSql.GroupFields);
        Assert.Throws<ArgumentException>(() => StatsSql.Top(new TimeRange(Day, Day.AddDays(1)), null, fields, StatsMetric.Bytes, 10, true));
    }

    [Theory]
    [InlineData(5, null, StatsPath.Rollup5m)]
    [InlineData(60, "action", StatsPath.Rollup5m)]
    [InlineData(1, null, StatsPath.Raw)]
    [InlineData(15, "srcaddr", StatsPath.Raw)]
    [InlineData(60, "srcaddr", StatsPath.Raw)]     // the top summaries are bounded: a series per address is exact, from the raw flows
    [InlineData(1440, "dstport", StatsPath.Raw)]
    public void TimeSeries_UsesARollupOnlyWhenItsBucketsNestInTheInterval(int intervalMinutes, string? groupBy, StatsPath path)
    {
        var statement = StatsSql.TimeSeries(new TimeRange(Day, Day.AddDays(2)), null, TimeSpan.FromMinutes(intervalMinutes), groupBy, StatsMetric.Flows, 5, useRollups: true);
        Assert.Equal(path, statement.Path);
    }

    [Theory]
    [InlineData(ScanBy.Ports, "order by ports desc")]
    [InlineData(ScanBy.Hosts, "order by hosts desc")]
    public void Scans_ReadTheRawFlows_EvenOverWholeDays_RankedByTheChosenCount(ScanBy by, string order)
    {
        var statement = StatsSql.Scans(new TimeRange(Day, Day.AddDays(2)), Filter("action = REJECT"), by, 20);
        Assert.Equal(StatsPath.Raw, statement.Path);
        Assert.Contains(order, statement.Sql);
        Assert.Equal(20L, statement.Parameters[^1]);
    }

    [Fact]
    public void Values_AreParameters_NeverPartOfTheSqlText()
    {
        var filter = Filter("interface-id = 'eni-x; drop table flows; --' or srcaddr in (10.9.9.0/24, 2001:db8::7)");
        foreach (var statement in new[]
        {
            StatsSql.Summary(new TimeRange(Day, Day.AddDays(1)), filter, true),
            StatsSql.Top(new TimeRange(Day, Day.AddDays(1)), filter, "interface-id", StatsMetric.Flows, 3, true),
            StatsSql.Top(new TimeRange(Day, Day.AddDays(1)), filter, ["interface-id", "dstport", "srcaddr"], StatsMetric.Bytes, 3, true),
            StatsSql.TimeSeries(new TimeRange(Day, Day.AddDays(1)), filter, TimeSpan.FromHours(1), "srcaddr", StatsMetric.Bytes, 3, true),
            StatsSql.Scans(new TimeRange(Day, Day.AddDays(1)), filter, ScanBy.Hosts, 3),
        })
        {
            Assert.DoesNotContain("drop table", statement.Sql);
            Assert.DoesNotContain("10.9.9.0", statement.Sql);
            Assert.Contains("eni-x; drop table flows; --", statement.Parameters);
            Assert.Contains("10.9.9.0/24", statement.Parameters);
        }
    }

    [Fact]
    public void FlowCursor_RoundTrips_AndRefusesAnythingElse()
    {
        var cursor = new FlowCursor(Day.AddSeconds(17), 42, 1877);
        Assert.True(FlowCursor.TryDecode(cursor.Encode(), out var decoded));
        Assert.Equal(cursor, decoded);
        foreach (var bad in new[] { "", "not-a-cursor", "MTIz", cursor.Encode() + "!!" })
        {
            Assert.False(FlowCursor.TryDecode(bad, out _));
        }
    }

    [Fact]
    public void FeedCursor_RoundTrips_OrdersAsTheFeed_AndRefusesASearchCursor()
    {
        var cursor = new FeedCursor(7_340_221, 42, 1, 1877);
        Assert.True(FeedCursor.TryDecode(cursor.Encode(), out var decoded));
        Assert.Equal(cursor, decoded);
        foreach (var bad in new[] { "", "not-a-cursor", "MTIz", cursor.Encode() + "!!", new FlowCursor(Day, 42, 1877).Encode(), new FeedCursor(0, 1, 1, 1).Encode() })
        {
            Assert.False(FeedCursor.TryDecode(bad, out _));
        }
        // Before a transaction: after every record of the ones before it, before every record of it.
        Assert.True(FeedCursor.Before(7_340_222).CompareTo(cursor) > 0);
        Assert.True(FeedCursor.Before(7_340_221).CompareTo(cursor) < 0);
        Assert.True(new FeedCursor(7_340_221, 42, 1, 1878).CompareTo(cursor) > 0);
    }

    [Fact]
    public void Accumulator_SumsTotalsByBucketAndKey_TopsByHourAndValue_AndTakesRecordsOutOfTheTotalsOnly()
    {
        var rollups = new RollupAccumulator();
        FlowAddress.TryParse("10.0.0.5", out var a);
        var at = Day.AddMinutes(62).AddSeconds(3);
        rollups.Add(at, a, a, 443, "eni-1", 1, 1, 6, packets: 10, bytes: 1000);
        rollups.Add(at.AddMinutes(2), a, null, null, "eni-1", 2, 1, 6, packets: 5, bytes: 500);
        rollups.Add(at, null, null, null, "eni-1", null, 2, null, packets: null, bytes: null);

        var fiveMinutes = rollups.Totals.Single(p => p.Key == new TotalsKey(Day.AddMinutes(60).UtcDateTime, 1, 1, 6)).Value;
        Assert.Equal((1L, 1000L, 10L), (fiveMinutes.Records, fiveMinutes.Bytes, fiveMinutes.Packets));
        var hours = rollups.Hours.ToDictionary(h => h.Field, h => h.Sums);
        Assert.All(rollups.Hours, h => Assert.Equal(Day.AddHours(1).UtcDateTime, h.Hour));
        var source = hours[TopField.SrcAddr]["10.0.0.5"];
        Assert.Equal((2L, 2L, 1500L, 15L, 1L, 1L, 500L, 5L), (source.Records, source.Flows, source.Bytes, source.Packets,
            source.RejectedRecords, source.RejectedFlows, source.RejectedBytes, source.RejectedPackets));
        // Records without the field are in no summary of it (a top leaves them out); the NODATA record counts no flow.
        Assert.Single(hours[TopField.SrcAddr]);
        Assert.Equal(["10.0.0.5"], hours[TopField.DstAddr].Keys);
        Assert.Equal(["443"], hours[TopField.DstPort].Keys);
        Assert.Equal((3L, 2L), (hours[TopField.InterfaceId]["eni-1"].Records, hours[TopField.InterfaceId]["eni-1"].Flows));

        // Protocol 0 (HOPOPT) is a value, not the absence of one: its own rows.
        rollups.Add(at, a, a, 443, "eni-1", 1, 1, 0, packets: 1, bytes: 40);
        Assert.Equal(["1 1 0 1", "1 1 6 1", "2 1 6 1", "- 2 - 1"],
            rollups.Totals.OrderBy(p => p.Key.LogStatus).ThenBy(p => p.Key.Protocol).ThenBy(p => p.Key.Action)
                .Select(p => $"{p.Key.Action?.ToString() ?? "-"} {p.Key.LogStatus} {p.Key.Protocol?.ToString() ?? "-"} {p.Value.Records}"));

        // Taken out: the totals only (a summary cannot subtract; its hour is rebuilt instead).
        rollups.Add(at, a, a, 443, "eni-1", 1, 1, 6, packets: 10, bytes: 1000, sign: -1);
        var afterRemoval = rollups.Totals.Single(p => p.Key == new TotalsKey(Day.AddMinutes(60).UtcDateTime, 1, 1, 6)).Value;
        Assert.Equal((0L, 0L, 0L), (afterRemoval.Records, afterRemoval.Bytes, afterRemoval.Packets));
        Assert.Equal(2L, rollups.Hours.Single(h => h.Field == TopField.DstPort).Sums["443"].Records);
    }
}
