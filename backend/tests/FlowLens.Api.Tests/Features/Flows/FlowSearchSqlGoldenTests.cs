using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Filters;
using FlowLens.Core.Queries;

namespace FlowLens.Api.Tests.Features.Flows;

/// <summary>
/// The SQL of each way the flow search is built, in Features/Flows/sql/ (FLOWLENS_UPDATE_GOLDEN=1 rewrites them);
/// each also runs on a migrated database.
/// </summary>
public sealed class FlowSearchSqlGoldenTests(EmptyApp empty) : IClassFixture<EmptyApp>
{
    public const string Folder = "backend/tests/FlowLens.Api.Tests/Features/Flows/sql/";

    private static readonly TimeRange Range = new(new(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
    private const string Q = "action = REJECT and dstport in (22, 3389) and not srcaddr = 10.0.0.0/8 and interface-id = eni-0a1b2c3d";
    private static readonly FlowCursor After = new(new(2026, 11, 24, 13, 5, 0, TimeSpan.Zero), 42, 1877);

    private static readonly Dictionary<string, (string About, FilterNode? Filter, FlowCursor? After, int? Limit)> Cases = new()
    {
        ["search-first-page"] = ("flow search, first page: from=2026-11-24T00:00Z to=2026-11-25T00:00Z limit=100 (one more asked)", null, null, 101),
        ["search-filter"] = ($"flow search, first page with a filter: same range, q=\"{Q}\" limit=100", FilterParser.Parse(Q).Root, null, 101),
        ["search-address"] = ("flow search for an address, first page: same range, q=\"addr = 203.0.113.7 or addr = 2001:db8::7\" limit=100 (reads only the chunks whose Bloom filter may hold one of them)",
            FilterParser.Parse("addr = 203.0.113.7 or addr = 2001:db8::7").Root, null, 101),
        ["search-next-page"] = ("flow search, next page (keyset after the cursor's start, object, line): same range, limit=100", null, After, 101),
        ["export"] = ($"flow export (CSV/NDJSON), no limit: same range, q=\"{Q}\"", FilterParser.Parse(Q).Root, null, null),
    };

    public static TheoryData<string> Statements() => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Statements))]
    public async Task SearchSql_IsTheGoldenFile_AndRuns(string name)
    {
        var (about, filter, after, limit) = Cases[name];
        var (sql, parameters) = FlowSearchSql.Build(Range, filter, after, limit);
        GoldenSql.Assert($"{Folder}{name}.sql", about, sql, parameters);
        await GoldenSql.RunAsync(empty.App, sql, parameters);
    }

    [Theory]
    [InlineData("feed", "flow feed, after a cursor, up to 1000 flows (one more asked) stored below the horizon, from 100 chunks at most", null)]
    [InlineData("feed-address", "flow feed with a filter on an address: q=\"addr = 203.0.113.7 and action = REJECT\" (reads only the chunks whose Bloom filter may hold it)",
        "addr = 203.0.113.7 and action = REJECT")]
    public async Task FeedSql_IsTheGoldenFile_AndRuns(string name, string about, string? q)
    {
        var (sql, parameters) = FlowFeedSql.Build(q is null ? null : FilterParser.Parse(q).Root, new FeedCursor(7_340_221, 42, 1, 1877), 7_340_500, 1001, 100);
        GoldenSql.Assert($"{Folder}{name}.sql", about, sql, parameters);
        await GoldenSql.RunAsync(empty.App, sql, parameters);
    }
}
