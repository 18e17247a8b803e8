using System.Net.Http.Json;
using FlowLens.Api.Features.Flows;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Queries;
using Npgsql;

namespace FlowLens.Api.Tests.Features.Flows;

/// <summary>The flow feed (#26): flows in the order they were stored, each once, late ones included, none skipped.</summary>
public sealed class FlowFeedTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Reads the feed from <paramref name="position"/> (a query: <c>from=…</c> or <c>cursor=…</c>) until it is caught up
    /// and holds at least <paramref name="atLeast"/> flows, or a minute passed: the horizon is the whole test cluster's,
    /// which another test's transaction may hold back for a while. Returns the flows and the last cursor.
    /// </summary>
    public static async Task<(List<FlowItem> Items, string Cursor)> ReadAsync(HttpClient client, string position, int atLeast, string query = "", int limit = 1000)
    {
        var items = new List<FlowItem>();
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var response = await client.GetAsync($"/api/flows/feed?limit={limit}&{position}{query}");
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            var page = (await response.Content.ReadFromJsonAsync<FlowFeedApi.FlowFeedPage>())!;
            items.AddRange(page.Items);
            position = "cursor=" + Uri.EscapeDataString(page.Cursor);
            if (!page.More && (items.Count >= atLeast || DateTime.UtcNow > deadline))
            {
                return (items, page.Cursor);
            }
            if (!page.More)
            {
                await Task.Delay(200);
            }
        }
    }

    private void WriteObject(string name, DateTimeOffset start, int records, int seed)
    {
        var lines = Enumerable.Range(0, records).Select(i =>
            $"2 123456789012 eni-0a1b2c3d4e5f60718 198.51.100.{i % 200 + 1} 10.0.0.{seed} {1024 + i} {(i % 3 == 0 ? 22 : 443)} 6 1 {100 + i} {start.ToUnixTimeSeconds() + i % 300} {start.ToUnixTimeSeconds() + 60 + i % 300} {(i % 3 == 0 ? "REJECT" : "ACCEPT")} OK");
        _folder.WriteGzip($"{name}.log.gz", "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" + string.Join('\n', lines) + "\n");
    }

    /// <summary>Three objects of 2,500 records (each more than one chunk) to 10.0.0.1, .2 and .3, stored by a host of their own.</summary>
    private async Task<(FlowLensApp App, long SourceId)> StoreThreeObjectsAsync(string? feedChunksPerCall = null)
    {
        var now = DateTimeOffset.UtcNow;
        WriteObject("a", now.AddMinutes(-30), 2500, 1);
        WriteObject("b", now.AddMinutes(-20), 2500, 2);
        WriteObject("c", now.AddMinutes(-10), 2500, 3);
        var app = await postgres.StartAppAsync(builder =>
        {
            _folder.Allow(builder);
            if (feedChunksPerCall is not null)
            {
                builder.UseSetting("FlowLens:Queries:FeedChunksPerCall", feedChunksPerCall);
            }
        });
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);
        return (app, sourceId);
    }

    [Fact]
    public async Task Feed_GivesEachStoredFlowOnce_InTheOrderStored_ThenLateFlowsForOldTimes()
    {
        var (app, sourceId) = await StoreThreeObjectsAsync();
        await using var host = app;
        var client = app.CreateClient(FlowLensApp.AdminKey);

        var (items, cursor) = await ReadAsync(client, "from=now-1h", 7500, limit: 700);
        Assert.Equal(7500, items.Count);
        Assert.Equal(7500, items.Select(f => (f.ObjectId, f.Line)).Distinct().Count());
        // Object by object, in the order the jobs stored them, each object's lines in order.
        var objects = await Sql.ColumnAsync<long>(app.ConnectionString, "select id from source_objects order by ingested_at, id");
        Assert.Equal(objects, items.Select(f => f.ObjectId).Distinct());
        Assert.Equal(items.OrderBy(f => objects.IndexOf(f.ObjectId)).ThenBy(f => f.Line), items);

        // Caught up: nothing more, and the cursor stays usable.
        var (none, same) = await ReadAsync(client, "cursor=" + Uri.EscapeDataString(cursor), 0);
        Assert.Empty(none);

        // A filter keeps what it matches, in the same order.
        var (rejects, _) = await ReadAsync(client, "from=now-1h", 2502, "&q=" + Uri.EscapeDataString("action = REJECT"), limit: 500);
        Assert.Equal(items.Where(f => f.Action == "REJECT").Select(f => (f.ObjectId, f.Line)), rejects.Select(f => (f.ObjectId, f.Line)));

        // Records that arrive late, for three days ago: after the cursor, though older than everything before it. A
        // search by time, run every few minutes over the last few, would never see them.
        WriteObject("late", DateTimeOffset.UtcNow.AddDays(-3), 100, 4);
        await app.IngestAsync(sourceId);
        var (late, _) = await ReadAsync(client, "cursor=" + Uri.EscapeDataString(same), 100);
        Assert.Equal(100, late.Count);
        Assert.All(late, f => Assert.True(f.Start < DateTimeOffset.UtcNow.AddDays(-2)));
    }

    [Fact]
    public async Task ACallReadsABoundedNumberOfChunks_AndSaysMore_EvenWithNothingFound()
    {
        var ct = TestContext.Current.CancellationToken;
        var (app, _) = await StoreThreeObjectsAsync(feedChunksPerCall: "2");
        await using var host = app;
        var client = app.CreateClient(FlowLensApp.AdminKey);
        await ReadAsync(client, "from=now-1h", 7500); // waits out a horizon another test may hold back

        // Only the last object matches (a filter no Bloom filter answers): each call reads two chunks (2,000 + 500
        // records an object), so the first ones find nothing and say more; the flows come once, in order.
        var q = "&q=" + Uri.EscapeDataString("not dstaddr = 10.0.0.1 and not dstaddr = 10.0.0.2");
        var first = (await client.GetFromJsonAsync<FlowFeedApi.FlowFeedPage>($"/api/flows/feed?from=now-1h&limit=1000{q}", ct))!;
        Assert.Empty(first.Items);
        Assert.True(first.More);
        var (rest, _) = await ReadAsync(client, "cursor=" + Uri.EscapeDataString(first.Cursor), 2500, q);
        Assert.Equal(2500, rest.Count);
        Assert.All(rest, f => Assert.Equal("10.0.0.3", f.DstAddr));
        Assert.Equal(rest.OrderBy(f => f.Line), rest);
    }

    [Fact]
    public async Task ATransactionStillRunning_HoldsBackWhatWasStoredAfterIt_AndTheFeedSkipsNothing()
    {
        var ct = TestContext.Current.CancellationToken;
        WriteObject("first", DateTimeOffset.UtcNow.AddMinutes(-10), 50, 1);
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var client = app.CreateClient(FlowLensApp.AdminKey);
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);
        var (first, cursor) = await ReadAsync(client, "from=now-1h", 50);
        Assert.Equal(50, first.Count);

        // A transaction that has written (it holds an id) and not ended: an ingestion in the middle of its COPY.
        await using var held = new NpgsqlConnection(app.ConnectionString);
        await held.OpenAsync(ct);
        var transaction = await held.BeginTransactionAsync(ct);
        await using (var command = new NpgsqlCommand("select pg_current_xact_id()", held, transaction))
        {
            await command.ExecuteScalarAsync(ct);
        }
        // Stored and committed after it began: not in the feed while it runs, or a cursor past it would skip it
        // should it commit flows of its own.
        WriteObject("second", DateTimeOffset.UtcNow.AddMinutes(-5), 40, 2);
        await app.IngestAsync(sourceId);
        var page = (await client.GetFromJsonAsync<FlowFeedApi.FlowFeedPage>($"/api/flows/feed?cursor={Uri.EscapeDataString(cursor)}", ct))!;
        Assert.Empty(page.Items);
        Assert.False(page.More);

        await transaction.CommitAsync(ct);
        var (second, _) = await ReadAsync(client, "cursor=" + Uri.EscapeDataString(page.Cursor), 40);
        Assert.Equal(40, second.Count);
        Assert.All(second, f => Assert.Equal("10.0.0.2", f.DstAddr));
    }

    [Theory]
    [InlineData("cursor=abc", "cursor")]
    [InlineData("from=yesterday", "from")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=10001", "limit")]
    [InlineData("q=dstport%20%3D", "q")]
    public async Task BadParameters_Get400_NamingThem(string query, string field)
    {
        await using var app = await postgres.StartAppAsync();
        var response = await app.CreateClient(FlowLensApp.AdminKey).GetAsync($"/api/flows/feed?{query}", TestContext.Current.CancellationToken);
        await ProblemAssert.IsBadParameterAsync(response, field);
    }

    [Fact]
    public async Task ASearchCursor_IsNotAFeedCursor()
    {
        await using var app = await postgres.StartAppAsync();
        var search = new FlowCursor(DateTimeOffset.UtcNow, 1, 1).Encode();
        var response = await app.CreateClient(FlowLensApp.AdminKey).GetAsync($"/api/flows/feed?cursor={search}", TestContext.Current.CancellationToken);
        await ProblemAssert.IsBadParameterAsync(response, "cursor");
    }
}
