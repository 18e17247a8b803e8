using Npgsql;

namespace FlowLens.Api.Features.Stats;

/// <summary>
/// Merges the rollup rows that ingestion appended: every bucket with new rows is rewritten as one row per key, in
/// one statement per table, so the sums never change, only the number of rows that hold them; new hourly sums are
/// also added to the daily table then. Rows committed while it runs are not in its snapshot and stay for the next
/// run. Runs after each ingestion run and every ten minutes.
/// </summary>
public sealed class RollupCompactionJob(NpgsqlDataSource dataSource, ILogger<RollupCompactionJob> logger)
{
    public const string Id = "rollup-compaction";
    public const string Schedule = "*/10 * * * *";

    private const string TopKey = "bucket, field, key, action, log_status, protocol";

    [Hangfire.DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken ct)
    {
        // The hourly rows ingestion appended are merged, and their sums added to their day's rows, in one statement:
        // a row is appended once, merged once, so it reaches the daily table once.
        await ExecuteAsync($"""
            with merged as (
                delete from flow_rollups_top_1h where bucket in (select distinct bucket from flow_rollups_top_1h where not compacted)
                returning *),
            hours as (
                insert into flow_rollups_top_1h ({TopKey}, records, bytes, packets, compacted)
                select {TopKey}, sum(records), sum(bytes), sum(packets), true
                from merged group by {TopKey}
                having sum(records) <> 0 or sum(bytes) <> 0 or sum(packets) <> 0)
            insert into flow_rollups_top_1d ({TopKey}, records, bytes, packets)
            select date_bin('1 day', bucket, '2000-01-01 00:00:00+00'), field, key, action, log_status, protocol, sum(records), sum(bytes), sum(packets)
            from merged where not compacted group by 1, 2, 3, 4, 5, 6
            """, ct);
        await MergeAsync("flow_rollups_top_1d", TopKey, ct);
        await MergeAsync("flow_rollups_5m", "bucket, action, log_status, protocol", ct);
    }

    private Task MergeAsync(string table, string key, CancellationToken ct) => ExecuteAsync($"""
        with merged as (
            delete from {table} where bucket in (select distinct bucket from {table} where not compacted)
            returning *)
        insert into {table} ({key}, records, bytes, packets, compacted)
        select {key}, sum(records), sum(bytes), sum(packets), true
        from merged group by {key}
        having sum(records) <> 0 or sum(bytes) <> 0 or sum(packets) <> 0
        """, ct);

    private async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        var rows = await command.ExecuteNonQueryAsync(ct);
        logger.LogDebug("Rollup compaction: {Rows} rows written", rows);
    }
}
