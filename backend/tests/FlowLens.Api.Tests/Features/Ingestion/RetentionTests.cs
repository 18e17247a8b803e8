using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Stats;

namespace FlowLens.Api.Tests.Features.Ingestion;

public sealed class RetentionTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();

    private static string Line(DateTimeOffset start, int port) =>
        $"2 123456789010 eni-1 10.0.0.1 10.0.0.2 {port} 443 6 1 60 {start.ToUnixTimeSeconds()} {start.ToUnixTimeSeconds() + 60} ACCEPT OK";

    [Fact]
    public async Task MaintenanceJob_DropsDaysPastRetention_AndKeepsTheRest()
    {
        var today = DateTimeOffset.UtcNow.Date;
        const string header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
        // Ten days ago and twenty days ago have no partition (retention 5 days): those rows wait in flows_default.
        _folder.WriteGzip("o/mixed.log.gz", string.Join('\n', header,
            Line(today.AddDays(-1), 1), Line(today.AddDays(-1), 2), Line(today.AddDays(-10), 3), Line(today.AddDays(-20), 4), Line(today.AddDays(5), 5)));
        await using var app = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Retention:Days", "5");
        });
        await app.IngestAsync(await _folder.CreateSourceAsync(app));
        Assert.Equal(5L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(3L, await app.ScalarAsync<long>("select count(*) from flows_default"));

        // A day's partition made later takes its rows out of flows_default.
        await app.ScalarAsync<string>("select flowlens_ensure_partition($1)::text", DateOnly.FromDateTime(today.AddDays(-10)));
        Assert.Equal(1L, await app.ScalarAsync<long>($"select count(*) from flows_{today.AddDays(-10):yyyyMMdd}"));
        Assert.Equal(2L, await app.ScalarAsync<long>("select count(*) from flows_default"));

        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        const string expiredBlocks = "select count(*) from flow_rollups_top_blocks where bucket + make_interval(hours => span) <= $1";
        var cutoff = new DateTimeOffset(today.AddDays(-5), TimeSpan.Zero);
        Assert.True(await app.ScalarAsync<long>(expiredBlocks, cutoff) > 0);

        await app.RunJobAsync<PartitionMaintenanceJob>(job => job.RunAsync(CancellationToken.None));

        // Older than 5 days: gone, whether in a partition (-10) or waiting in flows_default (-20); the rest stays.
        Assert.Equal([1L, 2L, 5L], await PortsAsync(app));
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from pg_class where relname = $1", $"flows_{today.AddDays(-10):yyyyMMdd}"));
        // The key sums' blocks that ended before the cutoff went with them; those of the days kept stay.
        Assert.Equal(0L, await app.ScalarAsync<long>(expiredBlocks, cutoff));
        // The day before yesterday's hour is in 5 blocks of hours and the 28 blocks of 1 to 7 days that hold its day.
        Assert.Equal(Rollups.KeyHourSpans.Count + Rollups.KeyMaxDays * (Rollups.KeyMaxDays + 1) / 2, await app.ScalarAsync<long>(
            "select count(*) from flow_rollups_top_blocks where field = 1 and bucket <= $1 and bucket + make_interval(hours => span) > $1",
            new DateTimeOffset(today.AddDays(-1), TimeSpan.Zero)));
        Assert.Equal(8L, await app.ScalarAsync<long>("select count(*) from pg_inherits where inhparent = 'flows'::regclass and inhrelid::regclass::text ~ '^flows_[0-9]{8}$'"));
    }

    private static async Task<List<long>> PortsAsync(FlowLensApp app)
    {
        var text = await app.ScalarAsync<string>("select string_agg(srcport::text, ',' order by srcport) from flows");
        return [.. text.Split(',').Select(long.Parse)];
    }

    public void Dispose() => _folder.Dispose();
}
