using System.Data;
using System.Diagnostics;
using FlowLens.Core.Stats;
using Npgsql;

namespace FlowLens.Api.Features.Stats;

/// <summary>
/// Merges the rollup rows that ingestion appended: every bucket with new rows is rewritten as one row per key, in
/// one statement per table, so the sums never change, only the number of rows that hold them; new hourly sums are
/// also added to the daily table then, and the key sums blocks that hold them are rewritten. Rows committed while it
/// runs are not in its snapshot and stay for the next run. Runs after each ingestion run and every ten minutes.
/// </summary>
public sealed class RollupCompactionJob(NpgsqlDataSource dataSource, ILogger<RollupCompactionJob> logger)
{
    public const string Id = "rollup-compaction";
    public const string Schedule = "*/10 * * * *";

    /// <summary>True while some rollup rows wait for this job: the summaries are current when it is false (the benchmarks poll it).</summary>
    public const string PendingSql = "select exists(select 1 from flow_rollups_5m where not compacted) or exists(select 1 from flow_rollups_top_1h where not compacted) or exists(select 1 from flow_rollups_top_1d where not compacted)";

    private const string TopKey = "bucket, field, key, action, log_status, protocol";

    private const string KeySums = "records, flows, bytes, packets, rejected_records, rejected_flows, rejected_bytes, rejected_packets";

    /// <summary>Each column of <see cref="KeySums"/> formatted, joined by commas.</summary>
    private static string EachSum(Func<string, string> format) => string.Join(", ", KeySums.Split(", ").Select(format));

    /// <summary>Gives every new value of the hourly rows an id (the key sums keep ids, not values).</summary>
    internal const string NewKeysSql = """
        insert into flow_rollup_keys (field, key)
        select distinct field, key from flow_rollups_top_1h where not compacted and key <> '-'
        on conflict do nothing
        """;

    /// <summary>Merges the appended hourly rows and adds their sums to the daily rows and the key sums blocks.</summary>
    internal static readonly string HourlyRowsSql = $"""
        with merged as (
            delete from flow_rollups_top_1h where bucket in (select distinct bucket from flow_rollups_top_1h where not compacted)
            returning *),
        hours as (
            insert into flow_rollups_top_1h ({TopKey}, records, bytes, packets, compacted)
            select {TopKey}, sum(records), sum(bytes), sum(packets), true
            from merged group by {TopKey}
            having sum(records) <> 0 or sum(bytes) <> 0 or sum(packets) <> 0),
        days as (
            insert into flow_rollups_top_1d ({TopKey}, records, bytes, packets)
            select date_bin('1 day', bucket, '2000-01-01 00:00:00+00'), field, key, action, log_status, protocol, sum(records), sum(bytes), sum(packets)
            from merged where not compacted group by 1, 2, 3, 4, 5, 6),
        new_hours as (
            select m.field, m.bucket, k.id as key_id, {StatsSql.KeySumsOfTopRows}
            from merged m join flow_rollup_keys k on k.field = m.field and k.key = m.key
            where not m.compacted
            group by m.field, m.bucket, k.id),
        new_days as (
            select field, date_bin('1 day', bucket, '2000-01-01 00:00:00+00') as day, key_id, {EachSum(c => $"sum_bigint({c}) as {c}")}
            from new_hours group by 1, 2, 3),
        new_blocks as (
            select h.field, s.span, date_bin(make_interval(hours => s.span), h.bucket, '2000-01-01 00:00:00+00') as bucket, h.key_id, {KeySums}
            from new_hours h cross join unnest(array[{string.Join(", ", Rollups.KeyHourSpans)}]) s(span)
            union all
            -- the blocks of 1 to 7 days that hold the day: those starting on it and up to 6 days before
            select d.field, 24 * s.days, d.day - make_interval(hours => 24 * s2.back), d.key_id, {KeySums}
            from new_days d cross join generate_series(1, {Rollups.KeyMaxDays}) s(days) cross join generate_series(0, s.days - 1) s2(back)),
        old_blocks as (
            delete from flow_rollups_top_blocks t
            using (select distinct field, span, bucket from new_blocks) b
            where t.field = b.field and t.span = b.span and t.bucket = b.bucket
            returning t.*),
        summed as (
            select field, span, bucket, key_id, {EachSum(c => $"sum_bigint({c}) as {c}")}
            from (select o.field, o.span, o.bucket, u.* from old_blocks o, unnest(o.key_ids, {EachSum(c => "o." + c)}) u(key_id, {KeySums})
                  union all select field, span, bucket, key_id, {KeySums} from new_blocks) b
            group by 1, 2, 3, 4
            having sum_bigint(records) <> 0)
        insert into flow_rollups_top_blocks (field, span, bucket, key_ids, {KeySums})
        select field, span, bucket, array_agg(key_id order by key_id), {EachSum(c => $"array_agg({c} order by key_id)")}
        from summed group by 1, 2, 3
        """;

    /// <summary>Rewrites the daily rows' buckets that have appended rows, one row per key.</summary>
    internal static readonly string MergeDaysSql = MergeSql("flow_rollups_top_1d", TopKey);

    /// <summary>The same for the 5-minute totals.</summary>
    internal static readonly string MergeTotalsSql = MergeSql("flow_rollups_5m", "bucket, action, log_status, protocol");

    private static string MergeSql(string table, string key) => $"""
        with merged as (
            delete from {table} where bucket in (select distinct bucket from {table} where not compacted)
            returning *)
        insert into {table} ({key}, records, bytes, packets, compacted)
        select {key}, sum(records), sum(bytes), sum(packets), true
        from merged group by {key}
        having sum(records) <> 0 or sum(bytes) <> 0 or sum(packets) <> 0
        """;

    [Hangfire.DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken ct)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        {
            // One snapshot for both statements: every value of the hourly rows the second merges got an id in the first.
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            await ExecuteAsync(connection, NewKeysSql, ct);
            // The hourly rows ingestion appended are merged, their sums added to their day's rows, and every key sums
            // block that holds their hours rewritten with them, in one statement: a row is appended once, merged once,
            // so it reaches the daily table and each block once.
            await ExecuteAsync(connection, HourlyRowsSql, ct);
            await transaction.CommitAsync(ct);
        }
        await MergeAsync(MergeDaysSql, ct);
        await MergeAsync(MergeTotalsSql, ct);
    }

    private async Task MergeAsync(string sql, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await ExecuteAsync(connection, sql, ct);
    }

    private async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        var rows = await command.ExecuteNonQueryAsync(ct);
        logger.LogDebug("Rollup compaction: {Rows} rows written in {ElapsedMs} ms by {Sql}", rows, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, sql);
    }
}
