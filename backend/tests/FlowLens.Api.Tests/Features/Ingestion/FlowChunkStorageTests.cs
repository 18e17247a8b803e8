using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Queries;

namespace FlowLens.Api.Tests.Features.Ingestion;

/// <summary>
/// How records become chunks: whatever order their times come in, every record is stored once, in a chunk of its own
/// 6-hour period, with its start, end and line as written.
/// </summary>
public sealed class FlowChunkStorageTests(PostgresFixture postgres) : IDisposable
{
    private const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
    private readonly FlowLogFolder _folder = new();

    [Fact]
    public async Task RecordsScatteredOverManyPeriods_OddTimesAndSkippedLines_AreEachStoredOnce_AsWritten()
    {
        var day = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-4), TimeSpan.Zero);
        var lines = new List<string> { Header }; // a record's line counts from 1, the header's
        var expected = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            // Twelve periods in turn: more than FlowCopy keeps open at once, so chunks are sent half-full and reopened.
            var start = day.AddHours(6 * (i % 12)).AddMinutes(i);
            var end = i == 31 ? start.AddYears(100) : start.AddSeconds(60); // an end further than 32 bits of seconds
            if (i % 17 == 5)
            {
                lines.Add($"2 123456789010 eni-1 10.0.0.1 not-an-address {i} 443 6 1 60 {start.ToUnixTimeSeconds()} {end.ToUnixTimeSeconds()} ACCEPT OK");
                continue; // a skipped line: the lines of its chunk no longer follow on
            }
            lines.Add($"2 123456789010 eni-1 10.0.0.1 10.0.{i}.9 {i} 443 6 1 60 {start.ToUnixTimeSeconds()} {end.ToUnixTimeSeconds()} ACCEPT OK");
            expected.Add($"{lines.Count} {start.ToUnixTimeSeconds()} {end.ToUnixTimeSeconds()} 10.0.{i}.9 {i}");
        }
        // A record without a start (NODATA with no times) waits in flow_chunks_default.
        lines.Add("2 123456789010 eni-1 - - - - - - - - - - NODATA");
        expected.Add($"{lines.Count} - - - -");
        _folder.WriteGzip("o/scattered.log.gz", string.Join('\n', lines));
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        await app.IngestAsync(await _folder.CreateSourceAsync(app));

        var stored = await Sql.ColumnAsync<string>(app.ConnectionString, """
            select concat_ws(' ', line, coalesce(extract(epoch from start)::bigint::text, '-'), coalesce(extract(epoch from "end")::bigint::text, '-'),
                coalesce(host(dstaddr), '-'), coalesce(srcport::text, '-'))
            from flows order by line
            """);
        Assert.Equal(expected, stored);
        // Every chunk holds one period's records only; the reopened periods made more than twelve chunks.
        Assert.Equal(0L, await app.ScalarAsync<long>("""
            select count(*) from flow_chunks
            where date_bin('6 hours', start_min, '2000-01-01 00:00:00+00') <> date_bin('6 hours', start_max, '2000-01-01 00:00:00+00')
            """));
        Assert.True(await app.ScalarAsync<long>("select count(*) from flow_chunks") > 13);
        Assert.Equal(1L, await app.ScalarAsync<long>("select sum(n)::bigint from flow_chunks_default"));
        Assert.True(await app.ScalarAsync<long>("select count(*) from flow_chunks where line is not null") > 0, "a chunk with a skipped line lists its lines");
    }

    [Fact]
    public async Task APeriodFilledExactly_ThenMorePeriodsThanStayOpen_LeavesNoEmptyChunk()
    {
        var day = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-4), TimeSpan.Zero);
        var lines = new List<string> { Header };
        // One full chunk of the first period (its chunk is sent, then left open and empty), then one record in each of
        // twelve other periods: opening them sends the oldest open chunks, the empty one among them.
        for (var i = 0; i < FlowChunks.Records + 12; i++)
        {
            var start = i < FlowChunks.Records ? day.AddSeconds(i) : day.AddHours(6 * (i - FlowChunks.Records + 1));
            lines.Add($"2 123456789010 eni-1 10.0.0.1 10.0.0.2 {i % 60000} 443 6 1 60 {start.ToUnixTimeSeconds()} {start.ToUnixTimeSeconds() + 60} ACCEPT OK");
        }
        _folder.WriteGzip("o/full-then-scattered.log.gz", string.Join('\n', lines));
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        await app.IngestAsync(await _folder.CreateSourceAsync(app));

        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from flow_chunks where n = 0"));
        Assert.Equal(13L, await app.ScalarAsync<long>("select count(*) from flow_chunks"));
        Assert.Equal((long)lines.Count - 1, await app.ScalarAsync<long>("select count(*) from flows"));
    }

    public void Dispose() => _folder.Dispose();
}
