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

        (await admin.DeleteAsync($"/api/sources/{deleted}", TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();

        var left = await SummaryAsync(admin);
        // The two sources read the same files: what is left is half of what both made.
        Assert.Equal(new StatsApi.Summary(both.Flows / 2, both.Bytes / 2, both.Packets / 2, both.AcceptedFlows / 2, both.RejectedFlows / 2,
            both.NoDataRecords / 2, both.SkipDataRecords / 2), left);
        Assert.Equal(await app.ScalarAsync<long>("select coalesce(sum(bytes), 0)::bigint from flows"), left.Bytes);
        Assert.Equal(0L, await app.RollupMismatchesAsync());
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        Assert.Equal(left, await SummaryAsync(admin));
        Assert.Equal(0L, await app.RollupMismatchesAsync());
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
