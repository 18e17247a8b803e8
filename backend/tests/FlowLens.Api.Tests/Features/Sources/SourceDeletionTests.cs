using System.Net.Http.Json;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Sources;

public sealed class SourceDeletionTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DeletingASource_TakesItsSumsOutOfTheStats(bool compactFirst)
    {
        _folder.WriteDay(files: 3, recordsPerFile: 200, seed: 5);
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var kept = await _folder.CreateSourceAsync(app, "kept");
        var deleted = await _folder.CreateSourceAsync(app, "deleted");
        await app.IngestAsync(kept);
        await app.IngestAsync(deleted);
        if (compactFirst)
        {
            await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        }
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var both = await SummaryAsync(admin);
        Assert.True(both.Flows > 0);
        var topOfBoth = await TopAsync(admin);
        Assert.Equal(await TopAsync(admin, exact: true), topOfBoth);

        (await admin.DeleteAsync($"/api/sources/{deleted}", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        // Merged summaries cannot subtract: their hours are marked dirty (read raw until rebuilt); unmerged ones went with the source.
        Assert.Equal(compactFirst, await app.ScalarAsync<long>("select count(*) from flow_top_dirty") > 0);
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from flow_top_appended where source_id = $1", deleted));
        var topOfOne = await TopAsync(admin);
        Assert.Equal(topOfBoth.Select(i => i with { Flows = i.Flows / 2, Bytes = i.Bytes / 2, Packets = i.Packets / 2, RejectedFlows = i.RejectedFlows / 2 }),
            topOfOne);
        Assert.Equal(await TopAsync(admin, exact: true), topOfOne);

        var left = await SummaryAsync(admin);
        // The two sources read the same files: what is left is half of what both made.
        Assert.Equal(new StatsApi.Summary(both.Flows / 2, both.Bytes / 2, both.Packets / 2, both.AcceptedFlows / 2, both.RejectedFlows / 2,
            both.NoDataRecords / 2, both.SkipDataRecords / 2), left);
        Assert.Equal(await app.ScalarAsync<long>("select coalesce(sum(bytes), 0)::bigint from flows"), left.Bytes);
        Assert.Equal(0L, await app.RollupMismatchesAsync());
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        Assert.Equal(left, await SummaryAsync(admin));
        Assert.Equal(0L, await app.RollupMismatchesAsync());
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from flow_top_dirty"));
        Assert.Equal(topOfOne, await TopAsync(admin));
    }

    /// <summary>The top sources of yesterday, by bytes, from the summaries (or the raw flows).</summary>
    private static async Task<List<StatsApi.TopItem>> TopAsync(HttpClient client, bool exact = false)
    {
        var day = new DateTimeOffset(DateTimeOffset.UtcNow.Date.AddDays(-1), TimeSpan.Zero);
        var response = await client.GetAsync($"/api/stats/top?{QueryData.Query(day, day.AddDays(1), ("by", "srcaddr"), ("limit", "50"), ("exact", exact ? "true" : "false"))}",
            TestContext.Current.CancellationToken);
        Assert.Equal(exact ? "raw" : "rollup-top", response.Headers.GetValues(StatsApi.PathHeader).Single());
        var top = await response.Content.ReadFromJsonAsync<StatsApi.TopResponse>(TestContext.Current.CancellationToken);
        Assert.False(top!.Approximate);
        return top.Items;
    }

    private static async Task<StatsApi.Summary> SummaryAsync(HttpClient client)
    {
        var day = DateTimeOffset.UtcNow.Date.AddDays(-1);
        return (await client.GetFromJsonAsync<StatsApi.Summary>(
            $"/api/stats/summary?{QueryData.Query(new DateTimeOffset(day.AddDays(-1), TimeSpan.Zero), new DateTimeOffset(day.AddDays(2), TimeSpan.Zero))}",
            TestContext.Current.CancellationToken))!;
    }

    public void Dispose() => _folder.Dispose();
}
