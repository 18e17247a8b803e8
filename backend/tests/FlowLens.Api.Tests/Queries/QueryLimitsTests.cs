using System.Net;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Queries;

public sealed class QueryLimitsTests(PostgresFixture postgres)
{
    private const string Range = "from=now-1h&to=now&rollups=false";

    [Theory]
    [InlineData("/api/stats/summary?" + Range + "&q=")]
    [InlineData("/api/flows?" + Range + "&q=")]
    [InlineData("/api/flows?" + Range + "&format=csv&q=")]
    [InlineData("/api/filter/check?q=")]
    public async Task Filter_TooLongOrNestedTooDeep_Gets400(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await postgres.StartAppAsync(b => b
            .UseSetting("FlowLens:Queries:MaxFilterLength", "1000").UseSetting("FlowLens:Queries:MaxFilterDepth", "20"));
        var client = app.CreateClient(FlowLensApp.AdminKey);
        var shallow = new string('(', 20) + "dstport = 22" + new string(')', 20);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path + Uri.EscapeDataString(shallow), ct)).StatusCode);

        var deep = new string('(', 21) + "dstport = 22" + new string(')', 21);
        var problem = await ProblemAssert.IsProblemAsync(await client.GetAsync(path + Uri.EscapeDataString(deep), ct), HttpStatusCode.BadRequest);
        Assert.Contains("nested more than 20 deep", problem.GetProperty("errors").GetProperty("q")[0].GetString());

        var list = "dstport in (" + string.Join(",", Enumerable.Range(1, 300)) + ")";
        Assert.True(list.Length > 1000);
        problem = await ProblemAssert.IsProblemAsync(await client.GetAsync(path + Uri.EscapeDataString(list), ct), HttpStatusCode.BadRequest);
        Assert.Contains("longer than 1000 characters", problem.GetProperty("errors").GetProperty("q")[0].GetString());
    }

    [Theory]
    [InlineData("MaxFilterLength", "0")]
    [InlineData("MaxFilterDepth", "100000")]
    [InlineData("ConcurrentPerCaller", "0")]
    [InlineData("ConcurrentExports", "-1")]
    [InlineData("MaxConcurrent", "0")]
    [InlineData("QueueSeconds", "0")]
    public async Task Limit_OutOfRange_StopsTheStart(string setting, string value)
    {
        await using var app = await postgres.StartAppAsync(b => b.UseSetting($"FlowLens:Queries:{setting}", value));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(setting, error.ToString());
    }

    [Fact]
    public async Task Queries_PastTheCallersLimit_Get429WithRetryAfter_WhileOtherCallersRun()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Queries:ConcurrentPerCaller", "2"));
        var viewer = app.CreateClient(await app.CreateApiKeyAsync("viewer"));
        var other = app.CreateClient(await app.CreateApiKeyAsync("viewer"));
        const string summary = "/api/stats/summary?" + Range;

        // Queries that wait on a locked table are queries that run for as long as the test wants.
        await using var hold = await TableHold.StartAsync(app.ConnectionString, "flows", ct);
        var running = new List<Task<HttpResponseMessage>> { viewer.GetAsync(summary, ct), viewer.GetAsync("/api/flows?" + Range, ct) };
        Assert.Equal(2, await hold.WaitForWaitersAsync(2, () => running.Any(t => t.IsCompleted), ct));

        using var quick = CancellationTokenSource.CreateLinkedTokenSource(ct);
        quick.CancelAfter(TimeSpan.FromSeconds(15));
        var refused = await viewer.GetAsync(summary, quick.Token);
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) > 0);

        // Another caller has places of its own.
        running.Add(other.GetAsync(summary, ct));
        Assert.Equal(3, await hold.WaitForWaitersAsync(3, () => running.Any(t => t.IsCompleted), ct));

        await hold.ReleaseAsync();
        Assert.All(await Task.WhenAll(running), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        // Places are given back when the requests end.
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync(summary, ct)).StatusCode);
    }

    [Fact]
    public async Task Queries_PastTheNodesPlaces_WaitTheirTurn_AndPastTheQueue_Get503WithRetryAfter()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await postgres.StartAppAsync(b => b
            .UseSetting("FlowLens:Queries:MaxConcurrent", "1").UseSetting("FlowLens:Queries:QueueSeconds", "3"));
        var (first, second, third) = (app.CreateClient(await app.CreateApiKeyAsync("viewer")),
            app.CreateClient(await app.CreateApiKeyAsync("viewer")), app.CreateClient(await app.CreateApiKeyAsync("viewer")));
        const string summary = "/api/stats/summary?" + Range;

        await using var hold = await TableHold.StartAsync(app.ConnectionString, "flows", ct);
        var running = first.GetAsync(summary, ct);
        Assert.Equal(1, await hold.WaitForWaitersAsync(1, () => running.IsCompleted, ct));

        // The one place is taken: another caller's query waits in FlowLens, not in PostgreSQL, then is refused.
        using var quick = CancellationTokenSource.CreateLinkedTokenSource(ct);
        quick.CancelAfter(TimeSpan.FromSeconds(15));
        var refused = await second.GetAsync(summary, quick.Token);
        var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("FlowLens is busy", problem.GetProperty("title").GetString());
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) > 0);

        // A query that finds the place free within its wait runs when the place is given back.
        var queued = third.GetAsync(summary, ct);
        await Task.Delay(500, ct);
        Assert.False(queued.IsCompleted);
        Assert.Equal(1, await Sql.ScalarAsync<long>(app.ConnectionString,
            "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'"));
        await hold.ReleaseAsync();
        Assert.Equal(HttpStatusCode.OK, (await running).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second.GetAsync(summary, ct)).StatusCode);
    }

    [Fact]
    public async Task Exports_PastTheCallersOrTheOverallLimit_Get429_AndAnAbortedExportGivesItsPlaceBack()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await postgres.StartAppAsync(b => b
            .UseSetting("FlowLens:Queries:ConcurrentExportsPerCaller", "1").UseSetting("FlowLens:Queries:ConcurrentExports", "2"));
        var a = app.CreateClient(await app.CreateApiKeyAsync("viewer"));
        var b = app.CreateClient(await app.CreateApiKeyAsync("viewer"));
        var c = app.CreateClient(await app.CreateApiKeyAsync("viewer"));
        const string export = "/api/flows?" + Range + "&format=csv";
        using var quick = CancellationTokenSource.CreateLinkedTokenSource(ct);
        quick.CancelAfter(TimeSpan.FromSeconds(30));

        await using var hold = await TableHold.StartAsync(app.ConnectionString, "flows", ct);
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var abandoned = a.GetAsync(export, HttpCompletionOption.ResponseHeadersRead, abandon.Token);
        Assert.Equal(1, await hold.WaitForWaitersAsync(1, () => abandoned.IsCompleted, ct));

        // One export per caller: a's second is refused, its searches are not.
        await ProblemAssert.IsProblemAsync(await a.GetAsync(export, quick.Token), HttpStatusCode.TooManyRequests);
        var search = a.GetAsync("/api/flows?" + Range, ct);
        // Two exports in all: b's is the second, c's is refused.
        var second = b.GetAsync(export, ct);
        Assert.Equal(3, await hold.WaitForWaitersAsync(3, () => search.IsCompleted || second.IsCompleted, ct));
        await ProblemAssert.IsProblemAsync(await c.GetAsync(export, quick.Token), HttpStatusCode.TooManyRequests);

        // a gives up on its export: the place is free again, for a as for anyone.
        await abandon.CancelAsync();
        try
        {
            (await abandoned).Dispose();
        }
        catch (OperationCanceledException)
        {
            // what an abandoned request usually ends with, on the client's side
        }
        // The place comes back once the server has unwound the aborted request: c tries until it is given one.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        Task<HttpResponseMessage> third;
        while (true)
        {
            third = c.GetAsync(export, ct);
            if (await Task.WhenAny(third, Task.Delay(2000, ct)) != third)
            {
                break;
            }
            Assert.Equal(HttpStatusCode.TooManyRequests, (await third).StatusCode);
            Assert.True(DateTime.UtcNow < deadline, "the aborted export never gave its place back");
            await Task.Delay(200, ct);
        }
        Assert.Equal(3, await hold.WaitForWaitersAsync(3, () => third.IsCompleted, ct));

        await hold.ReleaseAsync();
        Assert.All(await Task.WhenAll(search, second, third), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }
}
