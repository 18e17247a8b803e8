using System.Net.Http.Json;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Ingestion;

public sealed class RetentionTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();

    private static string Line(DateTimeOffset start, int port) =>
        $"2 123456789010 eni-1 10.0.0.1 10.0.0.2 {port} 443 6 1 60 {start.ToUnixTimeSeconds()} {start.ToUnixTimeSeconds() + 60} ACCEPT OK";

    [Fact]
    public async Task MaintenanceJob_DropsFlowsPastRetention_AndRollupsPastTheirLongerRetention()
    {
        var today = DateTimeOffset.UtcNow.Date;
        const string header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
        // Ten days ago and twenty days ago have no partition (retention 5 days): those records wait in flow_chunks_default.
        _folder.WriteGzip("o/mixed.log.gz", string.Join('\n', header,
            Line(today.AddDays(-1), 1), Line(today.AddDays(-1), 2), Line(today.AddDays(-10), 3), Line(today.AddDays(-20), 4), Line(today.AddDays(5), 5)));
        await using var app = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Retention:Days", "5");
            b.UseSetting("FlowLens:Retention:RollupDays", "15");
        });
        await app.IngestAsync(await _folder.CreateSourceAsync(app));
        Assert.Equal(5L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(3L, await app.ScalarAsync<long>("select sum(n)::bigint from flow_chunks_default"));

        // A day's partitions made later take its chunks out of flow_chunks_default.
        await app.ScalarAsync<string>("select flowlens_ensure_partition($1)::text", DateOnly.FromDateTime(today.AddDays(-10)));
        Assert.Equal(1L, await app.ScalarAsync<long>($"select sum(n)::bigint from flow_chunks_{today.AddDays(-10):yyyyMMdd}_00"));
        Assert.Equal(2L, await app.ScalarAsync<long>("select sum(n)::bigint from flow_chunks_default"));

        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        var top = await TopPortsAsync(app, today.AddDays(-10));
        await app.RunJobAsync<PartitionMaintenanceJob>(job => job.RunAsync(CancellationToken.None));

        // Older than 5 days: gone, whether in a partition (-10) or waiting in flow_chunks_default (-20); the rest stays.
        Assert.Equal([1L, 2L, 5L], await PortsAsync(app));
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from pg_class where relname like $1", $"flow_chunks_{today.AddDays(-10):yyyyMMdd}%"));
        // Four 6-hour partitions a day, from the cutoff to two days ahead.
        Assert.Equal(32L, await app.ScalarAsync<long>("select count(*) from pg_inherits where inhparent = 'flow_chunks'::regclass and inhrelid::regclass::text ~ '^flow_chunks_[0-9]{8}_[0-9]{2}$'"));
        // The rollups outlive the flows (RollupDays 15): ten days ago still has its totals and its top, twenty days ago not.
        foreach (var table in new[] { "flow_rollups_5m", "flow_top_1h", "flow_top_1d" })
        {
            Assert.True(await CountAsync(app, table, today.AddDays(-10)) > 0, table);
            Assert.Equal(0L, await CountAsync(app, table, today.AddDays(-20)));
        }
        Assert.Equal(top, await TopPortsAsync(app, today.AddDays(-10)));
        Assert.Equal(["443"], top);
        var summary = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<StatsApi.Summary>(
            $"/api/stats/summary?{QueryData.Query(today.AddDays(-10), today.AddDays(-9))}", TestContext.Current.CancellationToken);
        Assert.Equal(60L, summary!.Bytes);
    }

    private static Task<long> CountAsync(FlowLensApp app, string table, DateTime day) =>
        app.ScalarAsync<long>($"select count(*) from {table} where bucket >= $1 and bucket < $1 + interval '1 day'", new DateTimeOffset(day, TimeSpan.Zero));

    private static async Task<List<string>> TopPortsAsync(FlowLensApp app, DateTime day)
    {
        var from = new DateTimeOffset(day, TimeSpan.Zero);
        var response = await app.CreateClient(FlowLensApp.AdminKey).GetAsync(
            $"/api/stats/top?{QueryData.Query(from, from.AddDays(1), ("by", "dstport"))}", TestContext.Current.CancellationToken);
        Assert.Equal("rollup-top", response.Headers.GetValues(StatsApi.PathHeader).Single());
        var top = await response.Content.ReadFromJsonAsync<StatsApi.TopResponse>(TestContext.Current.CancellationToken);
        return [.. top!.Items.Select(i => i.Key)];
    }

    private static async Task<List<long>> PortsAsync(FlowLensApp app)
    {
        var text = await app.ScalarAsync<string>("select string_agg(srcport::text, ',' order by srcport) from flows");
        return [.. text.Split(',').Select(long.Parse)];
    }

    public void Dispose() => _folder.Dispose();
}
