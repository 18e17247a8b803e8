using FlowLens.Api.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Filters;
using FlowLens.Core.Queries;
using FlowLens.Core.Stats;
using Npgsql;

namespace FlowLens.Api.Tests.Features.Stats;

/// <summary>
/// The SQL of each way the stats planner answers, and of the rollup compaction, in Features/Stats/sql/: a change to
/// a query is a diff of its file (FLOWLENS_UPDATE_GOLDEN=1 rewrites them). Each also runs on a migrated database.
/// </summary>
public sealed class StatsSqlGoldenTests(EmptyApp empty) : IClassFixture<EmptyApp>
{
    public const string Folder = "backend/tests/FlowLens.Api.Tests/Features/Stats/sql/";

    private static readonly DateTimeOffset Day = new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);

    private sealed record Case(string About, StatsPath Path, Func<StatsStatement> Build);

    /// <summary>A range from <paramref name="fromHours"/> to <paramref name="toHours"/> after midnight of <see cref="Day"/>.</summary>
    private static TimeRange Hours(double fromHours, double toHours) => new(Day.AddHours(fromHours), Day.AddHours(toHours));

    private static FilterNode? Filter(string q) => q.Length == 0 ? null : FilterParser.Parse(q).Root ?? throw new ArgumentException(q);

    private static string Describe(TimeRange range, string q, string more = "") =>
        $"from={range.From:yyyy-MM-ddTHH:mm}Z to={range.To:yyyy-MM-ddTHH:mm}Z" + (q.Length > 0 ? $" q=\"{q}\"" : "") + more;

    private static Case Summary(string path, StatsPath expected, TimeRange range, string q, bool rollups = true) =>
        new($"stats summary, {path}: {Describe(range, q, rollups ? "" : " rollups=false")}", expected,
            () => StatsSql.Summary(range, Filter(q), rollups));

    private static Case Top(string path, StatsPath expected, TimeRange range, string q, string by, StatsMetric metric = StatsMetric.Bytes) =>
        new($"stats top, {path}: {Describe(range, q, $" by={by} metric={metric.ToString().ToLowerInvariant()} limit=10")}", expected,
            () => StatsSql.Top(range, Filter(q), by.Split(','), metric, 10, useRollups: true));

    private static Case TimeSeries(string path, StatsPath expected, TimeRange range, string q, TimeSpan interval, string? groupBy) =>
        new($"stats timeseries, {path}: {Describe(range, q, $" interval={interval}" + (groupBy is null ? "" : $" groupBy={groupBy} limit=10"))}", expected,
            () => StatsSql.TimeSeries(range, Filter(q), interval, groupBy, StatsMetric.Flows, 10, useRollups: true));

    private static Case Scans(string path, TimeRange range, string q, ScanBy by) =>
        new($"stats scans, {path}: {Describe(range, q, $" by={by.ToString().ToLowerInvariant()} limit=20")}", StatsPath.Raw,
            () => StatsSql.Scans(range, Filter(q), by, 20));

    // One file per planning path: which table answers, and each shape of SQL built on it.
    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["summary-rollup-5m"] = Summary("from the 5-minute totals (range on 5 minutes, filter on action/log-status/protocol)", StatsPath.Rollup5m, Hours(0, 24), "action = REJECT"),
        ["summary-raw"] = Summary("from the raw flows (a filter field the rollups do not keep)", StatsPath.Raw, Hours(0, 24), "dstport = 22"),
        ["summary-raw-unaligned"] = Summary("from the raw flows (range not on 5 minutes)", StatsPath.Raw, Hours(0.01, 24), ""),
        ["top-summaries"] = Top("from the top summaries: days, edge hours, appended rows, dirty hours raw (no filter, range on hours)", StatsPath.RollupTop, Hours(-48, 13), "", "srcaddr"),
        ["top-summaries-rejected"] = Top("from the top summaries' rejected sums (filter exactly action = REJECT)", StatsPath.RollupTop, Hours(0, 24), "action = REJECT", "dstport", StatsMetric.Flows),
        ["top-summaries-text"] = Top("from the top summaries, dirty hours' interface ids from flow_strings", StatsPath.RollupTop, Hours(13, 18), "", "interface-id", StatsMetric.Packets),
        ["top-records-in-range"] = new("stats top, the records of the range from the 5-minute totals: at most FlowLens:Rollups:ExactTopRecords, the top is answered raw: " + Describe(Hours(0, 24), ""),
            StatsPath.Rollup5m, () => StatsSql.RecordsIn(Hours(0, 24))),
        ["top-rollup-5m"] = Top("from the 5-minute totals (by a field they keep)", StatsPath.Rollup5m, Hours(0, 24), "protocol = tcp", "action"),
        ["top-raw-filter"] = Top("from the raw flows (a filter the top summaries do not keep)", StatsPath.Raw, Hours(13, 72), "protocol = tcp", "dstaddr"),
        ["top-raw"] = Top("from the raw flows (range not on hours)", StatsPath.Raw, Hours(0.5, 24), "", "dstport"),
        ["top-raw-text"] = Top("from the raw flows, a text field's value from flow_strings", StatsPath.Raw, Hours(0, 24), "dstport = 22", "interface-id"),
        ["top-raw-pair"] = Top("from the raw flows, by source and destination together", StatsPath.Raw, Hours(0, 24), "", "pair"),
        ["top-raw-list"] = Top("from the raw flows, by a list of fields", StatsPath.Raw, Hours(0, 24), "", "srcaddr,dstport,pkt-dst-aws-service"),
        ["top-context-address"] = new("stats top by context, from the raw flows: sums per destination address, labelled by the API (by=dst-country): " + Describe(Hours(0, 24), "protocol = tcp"),
            StatsPath.Raw, () => ContextTops.Statement(Hours(0, 24), Filter("protocol = tcp"), "dst-country")),
        ["top-context-instance-name"] = new("stats top by context, from the raw flows: sums per interface, named from the inventory as of the range's end (by=instance-name): " + Describe(Hours(0, 24), ""),
            StatsPath.Raw, () => ContextTops.Statement(Hours(0, 24), null, "instance-name")),
        ["timeseries-rollup-5m"] = TimeSeries("from the 5-minute totals, one series", StatsPath.Rollup5m, Hours(0, 24), "", TimeSpan.FromMinutes(5), null),
        ["timeseries-rollup-5m-grouped"] = TimeSeries("from the 5-minute totals, a series per action", StatsPath.Rollup5m, Hours(0, 24), "", TimeSpan.FromMinutes(15), "action"),
        ["timeseries-raw-grouped-top-field"] = TimeSeries("from the raw flows, a series per source (summaries are bounded)", StatsPath.Raw, Hours(0, 7 * 24), "", TimeSpan.FromDays(1), "srcaddr"),
        ["timeseries-raw"] = TimeSeries("from the raw flows, one series (a filter the rollups cannot answer)", StatsPath.Raw, Hours(0, 2), "srcaddr = 10.0.0.0/8", TimeSpan.FromMinutes(1), null),
        ["timeseries-raw-grouped"] = TimeSeries("from the raw flows, a series per interface", StatsPath.Raw, Hours(0, 24), "", TimeSpan.FromMinutes(5), "interface-id"),
        ["scans-ports"] = Scans("from the raw flows, by distinct ports", Hours(0, 24), "action = REJECT", ScanBy.Ports),
        ["scans-hosts"] = Scans("from the raw flows, by distinct hosts", Hours(0, 24), "", ScanBy.Hosts),
    };

    private static readonly Dictionary<string, (string About, string Sql)> Compaction = new()
    {
        ["compaction-take-dirty"] = ("rollup compaction, 1 of 8 (one transaction with 2 to 5, batch after batch): dirty hours taken", RollupCompactionJob.TakeDirtySql),
        ["compaction-take-appended"] = ("rollup compaction, 2 of 8: appended summaries taken", RollupCompactionJob.TakeAppendedSql),
        ["compaction-raw-hours"] = ("rollup compaction, 3 of 8: exact sums of the dirty hours from the raw flows ($1 hours)", RollupCompactionJob.RawHoursSql),
        ["compaction-take-hours"] = ("rollup compaction, 4 of 8: merged hourly summaries taken, to merge and COPY back ($1 hours, $2 fields)", RollupCompactionJob.TakeHoursSql),
        ["compaction-delete-days"] = ("rollup compaction, 5 of 8: day summaries of touched days deleted ($1 days, $2 fields); again in 7, before a day is written", RollupCompactionJob.DeleteDaysSql),
        ["compaction-stale-days"] = ("rollup compaction, 6 of 8: days and fields with hourly summaries and no day summary, each written once per run", Rollups.StaleDaysSql),
        ["compaction-hours-of-day"] = ("rollup compaction, 7 of 8 (a transaction per day and field): its hourly summaries, merged and COPY'd as its day summaries", RollupCompactionJob.HoursOfDaySql),
        ["compaction-merge-totals"] = ("rollup compaction, 8 of 8: 5-minute totals merged", RollupCompactionJob.MergeTotalsSql),
        ["compaction-pending"] = ("rollup compaction: true while any summary or total waits for it (the benchmark polls it)", Rollups.PendingSql),
        ["deletion-mark-dirty"] = ("deleting flows: hours with a merged summary marked for a rebuild ($1 hours)", RollupWriter.MarkDirtySql),
    };

    public static TheoryData<string> Statements() => [.. Cases.Keys];

    public static TheoryData<string> CompactionStatements() => [.. Compaction.Keys];

    [Theory]
    [MemberData(nameof(Statements))]
    public async Task StatsSql_IsTheGoldenFile_AndRuns(string name)
    {
        var (about, path, build) = Cases[name];
        var statement = build();
        Assert.Equal(path, statement.Path);
        GoldenSql.Assert($"{Folder}{name}.sql", about, statement.Sql, statement.Parameters);
        await GoldenSql.RunAsync(empty.App, statement.Sql, statement.Parameters);
    }

    [Theory]
    [MemberData(nameof(CompactionStatements))]
    public async Task CompactionSql_IsTheGoldenFile_AndRuns(string name)
    {
        var (about, sql) = Compaction[name];
        GoldenSql.Assert($"{Folder}{name}.sql", about, sql, []);
        await using var connection = new NpgsqlConnection(empty.App.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        // Statements with parameters take arrays: of hours, then of fields; the day's hours take one day and one field.
        var one = name == "compaction-hours-of-day";
        if (sql.Contains("$1", StringComparison.Ordinal))
        {
            command.Parameters.Add(one ? new NpgsqlParameter { Value = Day.UtcDateTime, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz }
                : new NpgsqlParameter { Value = new[] { Day.UtcDateTime }, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz });
        }
        if (sql.Contains("$2", StringComparison.Ordinal))
        {
            command.Parameters.Add(one ? new NpgsqlParameter { Value = (short)1 } : new NpgsqlParameter { Value = new short[] { 1 } });
        }
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}
