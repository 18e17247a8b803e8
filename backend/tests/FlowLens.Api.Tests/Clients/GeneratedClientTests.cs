using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Client;

namespace FlowLens.Api.Tests.Clients;

/// <summary>
/// A tool written from the OpenAPI document alone: the C# client NSwag generates from it at build
/// (backend/clients/FlowLens.Client), against a real FlowLens process.
/// </summary>
[Slow]
public sealed class GeneratedClientTests(PostgresFixture postgres)
{
    [Fact]
    public async Task GeneratedClient_CreatesASource_PagesItsFlows_ReadsTheFeedAndStats_AndGetsErrorsAsDocumented()
    {
        var ct = TestContext.Current.CancellationToken;
        var flows = new KnownFlows();
        using var folder = new FlowLogFolder();
        flows.WriteTo(folder);
        await using var node = await FlowLensProcess.StartAsync(await postgres.CreateDatabaseAsync(), folder.Root);
        using var http = new HttpClient { BaseAddress = new Uri(node.Url + "/") };
        http.DefaultRequestHeaders.Add("X-Api-Key", FlowLensApp.AdminKey);
        var client = new FlowLensClient(http);

        var source = await client.CreateSourceAsync(new SourceRequest
        {
            Name = "vpc-logs", Kind = "directory", Enabled = false, Directory = new DirectorySettings { Path = folder.Root },
        }, ct);
        await client.SyncSourceAsync(source.Id, ct);
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while ((source = await client.GetSourceAsync(source.Id, ct)).Status.ObjectsIngested < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250, ct);
        }
        Assert.Equal(flows.Count, source.Status.RecordsIngested);

        // Every flow of the last three hours, in pages of 500, each once, newest first.
        var items = new List<FlowItem>();
        string? cursor = null;
        do
        {
            var page = await client.SearchFlowsAsync("now-3h", "now", null, 500, cursor, null, ct);
            Assert.InRange(page.Items.Count, 1, 500);
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(flows.Count, items.Count);
        Assert.Equal(flows.Count, items.Select(f => (f.ObjectId, f.Line)).Distinct().Count());
        Assert.Equal(items.Select(f => f.Start).OrderDescending(), items.Select(f => f.Start));

        // The feed: the same flows, in the order stored (read until caught up; the test cluster's other writes may hold it back a while).
        var fed = new List<FlowItem>();
        var position = (Cursor: (string?)null, More: true);
        while (position.More || (fed.Count < flows.Count && DateTime.UtcNow < deadline))
        {
            var feed = await client.GetFlowFeedAsync(null, position.Cursor, position.Cursor is null ? "now-1h" : null, 1000, ct);
            fed.AddRange(feed.Items);
            position = (feed.Cursor, feed.More);
        }
        Assert.Equal(items.Select(f => (f.ObjectId, f.Line)).Order(), fed.Select(f => (f.ObjectId, f.Line)).Order());

        var summary = await client.GetStatsSummaryAsync("now-3h", "now", $"addr = {KnownFlows.Address}", null, ct);
        Assert.Equal((4, 4000 + 60 + 9000 + 7777, 1), (summary.Flows, summary.Bytes, summary.RejectedFlows));
        var top = await client.GetStatsTopAsync("now-24h", "now", $"srcaddr = {KnownFlows.Subnet}", "srcaddr", "bytes", 10, null, null, ct);
        Assert.Equal(KnownFlows.Talkers, top.Items.Select(i => (i.Key, i.Bytes, i.Flows, i.RejectedFlows)));

        // Errors come as the document describes them: a 400 naming the parameter, a 404, a 409.
        var invalid = await Assert.ThrowsAsync<ApiException<HttpValidationProblemDetails>>(() => client.SearchFlowsAsync("now-1h", "now", "dstport = ", null, null, null, ct));
        Assert.Equal(400, invalid.StatusCode);
        Assert.Contains("q", invalid.Result.Errors!.Keys);
        var missing = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => client.GetSourceAsync(source.Id + 1000, ct));
        Assert.Equal(404, missing.StatusCode);
        var taken = await Assert.ThrowsAsync<ApiException<ProblemDetails>>(() => client.CreateSourceAsync(new SourceRequest
        {
            Name = "vpc-logs", Kind = "directory", Directory = new DirectorySettings { Path = folder.Root },
        }, ct));
        Assert.Equal(409, taken.StatusCode);
    }
}
