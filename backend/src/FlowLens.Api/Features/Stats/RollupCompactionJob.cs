using System.Data;
using System.Diagnostics;
using FlowLens.Api.Data;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;
using FlowLens.Core.Stats;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Stats;

/// <summary>
/// Merges what ingestion appended: each hour's appended top summaries into that hour's merged summary
/// (<c>flow_top_1h</c>), each dirty hour rebuilt from its raw flows instead, and the day summary
/// (<c>flow_top_1d</c>) of every day whose hours changed rebuilt from its hourly summaries; then the 5-minute
/// totals, one row per key. Only touched hours and days are rewritten, so its work is bounded by K times the rows it
/// takes, whatever the number of distinct addresses. Runs after each ingestion run and every ten minutes.
/// </summary>
public sealed class RollupCompactionJob(NpgsqlDataSource dataSource, IOptions<RollupOptions> options, ILogger<RollupCompactionJob> logger)
{
    public const string Id = "rollup-compaction";
    public const string Schedule = "*/10 * * * *";

    /// <summary>At most this many dirty hours, and appended rows, are taken per transaction (its memory: K keys times the rows).</summary>
    public const int DirtyHoursPerRun = 24, AppendedRowsPerRun = 500;

    /// <summary>Takes the oldest hours to rebuild from the raw flows.</summary>
    internal static readonly string TakeDirtySql = $"""
        delete from flow_top_dirty where bucket in (select bucket from flow_top_dirty order by bucket limit {DirtyHoursPerRun})
        returning bucket
        """;

    /// <summary>Takes appended summaries: each row is merged once, by the transaction that deleted it.</summary>
    internal static readonly string TakeAppendedSql = $"""
        delete from flow_top_appended where ctid = any(array(select ctid from flow_top_appended limit {AppendedRowsPerRun}))
        returning bucket, field, {RollupWriter.SummaryColumns}
        """;

    /// <summary>The exact sums of every top field's values in the hours <c>$1</c>, from the raw flows.</summary>
    internal static readonly string RawHoursSql = $"""
        select d.bucket, v.field, v.key,
            count(*)::bigint as records,
            count(*) filter (where f.log_status = 1)::bigint as flows,
            coalesce(sum(f.bytes), 0)::bigint as bytes,
            coalesce(sum(f.packets), 0)::bigint as packets,
            count(*) filter (where f.action = 2)::bigint as rejected_records,
            count(*) filter (where f.action = 2 and f.log_status = 1)::bigint as rejected_flows,
            coalesce(sum(f.bytes) filter (where f.action = 2), 0)::bigint as rejected_bytes,
            coalesce(sum(f.packets) filter (where f.action = 2), 0)::bigint as rejected_packets
        from unnest($1::timestamptz[]) d(bucket)
        cross join lateral {FlowChunks.Rows([FlowColumn.SrcAddr, FlowColumn.DstAddr, FlowColumn.DstPort, FlowColumn.InterfaceId, FlowColumn.LogStatus,
            FlowColumn.Bytes, FlowColumn.Packets, FlowColumn.Action], "d.bucket", "d.bucket + interval '1 hour'")} f
        left join flow_strings s on s.id = f.interface_id
        cross join lateral (values (1::smallint, host(f.srcaddr)), (2::smallint, host(f.dstaddr)), (3::smallint, f.dstport::text), (4::smallint, s.value)) v(field, key)
        where v.key is not null
        group by 1, 2, 3
        """;

    /// <summary>Takes the merged summaries of the hours and fields <c>($1[i], $2[i])</c> to rewrite.</summary>
    internal const string TakeHoursSql = $"""
        delete from flow_top_1h h using unnest($1::timestamptz[], $2::smallint[]) t(bucket, field)
        where h.bucket = t.bucket and h.field = t.field
        returning h.bucket, h.field, {RollupWriter.SummaryColumns}
        """;

    /// <summary>The hourly summaries of the days and fields <c>($1[i], $2[i])</c>, to rebuild their day summaries from.</summary>
    internal const string HoursOfDaysSql = $"""
        select d.day, h.field, {RollupWriter.SummaryColumns}
        from unnest($1::timestamptz[], $2::smallint[]) d(day, field)
        join flow_top_1h h on h.bucket >= d.day and h.bucket < d.day + interval '1 day' and h.field = d.field
        """;

    /// <summary>Deletes the day summaries of the days and fields <c>($1[i], $2[i])</c> before they are written again.</summary>
    internal const string DeleteDaysSql = """
        delete from flow_top_1d d using unnest($1::timestamptz[], $2::smallint[]) t(bucket, field)
        where d.bucket = t.bucket and d.field = t.field
        """;

    /// <summary>Rewrites the 5-minute totals' buckets that have appended rows, one row per key.</summary>
    internal const string MergeTotalsSql = """
        with merged as (
            delete from flow_rollups_5m where bucket in (select distinct bucket from flow_rollups_5m where not compacted)
            returning *)
        insert into flow_rollups_5m (bucket, action, log_status, protocol, records, bytes, packets, compacted)
        select bucket, action, log_status, protocol, sum(records), sum(bytes), sum(packets), true
        from merged group by bucket, action, log_status, protocol
        having sum(records) <> 0 or sum(bytes) <> 0 or sum(packets) <> 0
        """;

    private static readonly TopField[] Fields = Enum.GetValues<TopField>();

    [Hangfire.DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // One compaction at a time across nodes, waiting its turn before its snapshot is taken; taking the rows it
        // merges with delete ... returning also makes a second one merge none of them twice.
        await ExecuteAsync(connection, "select pg_advisory_lock(hashtext('flowlens_rollup_compaction'))", ct);
        try
        {
            for (var attempt = 1; attempt <= 5; attempt++)
            {
                try
                {
                    // Batch after batch, until a batch took less than it could.
                    while (await CompactSummariesAsync(connection, ct))
                    {
                    }
                    break;
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure && attempt < 5)
                {
                    // A replaced object or a deleted source took appended rows this snapshot still saw: take them again.
                    logger.LogDebug("Rollup compaction: retrying after {Error}", e.MessageText);
                }
            }
            await ExecuteAsync(connection, MergeTotalsSql, ct);
        }
        finally
        {
            await ExecuteAsync(connection, "select pg_advisory_unlock(hashtext('flowlens_rollup_compaction'))", CancellationToken.None);
        }
    }

    /// <summary>
    /// In one transaction on one snapshot, so the figures never change while it runs: dirty hours and appended rows
    /// taken, touched hours rewritten, then the day summaries of their days. True when there may be more to take.
    /// </summary>
    private async Task<bool> CompactSummariesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var k = options.Value.TopKeys;
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        var dirty = (await ReadAsync(connection, TakeDirtySql, [], r => r.GetDateTime(0), ct)).ToHashSet();
        var appended = await ReadAsync(connection, TakeAppendedSql, [], ReadSummary, ct);

        // Each touched hour and field: its parts (the merged summary, the appended ones), or its exact sums from the raw flows.
        var parts = new Dictionary<(DateTime Hour, TopField Field), List<TopSummary>>();
        foreach (var (hour, field, summary) in appended.Where(a => !dirty.Contains(a.Bucket)))
        {
            PartsOf(parts, hour, field).Add(summary);
        }
        var rebuilt = new Dictionary<(DateTime Hour, TopField Field), Dictionary<string, TopSums>>();
        foreach (var hour in dirty)
        {
            foreach (var field in Fields)
            {
                rebuilt[(hour, field)] = new Dictionary<string, TopSums>(StringComparer.Ordinal);
            }
        }
        foreach (var (hour, field, key, sums) in await ReadAsync(connection, RawHoursSql, [dirty.ToArray()], ReadExact, ct))
        {
            rebuilt[(hour, field)][key] = sums;
        }
        var touched = parts.Keys.Concat(rebuilt.Keys).ToList();
        foreach (var (hour, field, summary) in await ReadAsync(connection, TakeHoursSql, Columns(touched), ReadSummary, ct))
        {
            if (!dirty.Contains(hour))
            {
                PartsOf(parts, hour, field).Add(summary);
            }
        }
        var hours = parts.Select(p => (p.Key.Hour, p.Key.Field, Summary: TopSummary.Merge(p.Value, k)))
            .Concat(rebuilt.Select(r => (r.Key.Hour, r.Key.Field, Summary: TopSummary.Truncate(r.Value, k))));
        await WriteAsync(connection, "flow_top_1h", hours, ct);

        var days = touched.Select(t => (Day: Rollups.BucketOf(t.Hour, Rollups.TopDayBucket), t.Field)).Distinct().ToList();
        await ExecuteAsync(connection, DeleteDaysSql, Columns(days), ct);
        var dayParts = await ReadAsync(connection, HoursOfDaysSql, Columns(days), ReadSummary, ct);
        await WriteAsync(connection, "flow_top_1d",
            dayParts.GroupBy(p => (p.Bucket, p.Field)).Select(g => (g.Key.Bucket, g.Key.Field, TopSummary.Merge(g.Select(p => p.Summary), k))), ct);
        await transaction.CommitAsync(ct);
        logger.LogDebug("Rollup compaction: {Appended} appended summaries and {Dirty} dirty hours into {Hours} hourly and {Days} daily summaries in {ElapsedMs} ms",
            appended.Count, dirty.Count, touched.Count, days.Count, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return dirty.Count == DirtyHoursPerRun || appended.Count == AppendedRowsPerRun;
    }

    private static List<TopSummary> PartsOf(Dictionary<(DateTime, TopField), List<TopSummary>> parts, DateTime hour, TopField field)
    {
        if (!parts.TryGetValue((hour, field), out var list))
        {
            parts[(hour, field)] = list = [];
        }
        return list;
    }

    private static object[] Columns(IReadOnlyCollection<(DateTime Bucket, TopField Field)> keys) =>
        [keys.Select(t => t.Bucket).ToArray(), keys.Select(t => (short)t.Field).ToArray()];

    /// <summary>A row of <c>bucket, field, </c><see cref="RollupWriter.SummaryColumns"/>.</summary>
    private static (DateTime Bucket, TopField Field, TopSummary Summary) ReadSummary(NpgsqlDataReader row)
    {
        var keys = row.GetFieldValue<string[]>(2);
        var sums = Enumerable.Range(3, 8).Select(row.GetFieldValue<long[]>).ToArray();
        var summary = new Dictionary<string, TopSums>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++)
        {
            summary[keys[i]] = new TopSums
            {
                Records = sums[0][i], Flows = sums[1][i], Bytes = sums[2][i], Packets = sums[3][i],
                RejectedRecords = sums[4][i], RejectedFlows = sums[5][i], RejectedBytes = sums[6][i], RejectedPackets = sums[7][i],
            };
        }
        return (row.GetDateTime(0), (TopField)row.GetInt16(1), new TopSummary(summary, [.. Enumerable.Range(11, 6).Select(row.GetInt64)]));
    }

    private static (DateTime Bucket, TopField Field, string Key, TopSums Sums) ReadExact(NpgsqlDataReader row) =>
        (row.GetDateTime(0), (TopField)row.GetInt16(1), row.GetString(2), new TopSums
        {
            Records = row.GetInt64(3), Flows = row.GetInt64(4), Bytes = row.GetInt64(5), Packets = row.GetInt64(6),
            RejectedRecords = row.GetInt64(7), RejectedFlows = row.GetInt64(8), RejectedBytes = row.GetInt64(9), RejectedPackets = row.GetInt64(10),
        });

    /// <summary>Writes summaries with binary COPY; a summary without keys (no record had the field) is no row.</summary>
    private static async Task WriteAsync(NpgsqlConnection connection, string table, IEnumerable<(DateTime Bucket, TopField Field, TopSummary Summary)> rows, CancellationToken ct)
    {
        await using var copy = await BinaryCopyWriter.BeginAsync(connection, table, $"bucket, field, {RollupWriter.SummaryColumns}", ct);
        foreach (var (bucket, field, summary) in rows.Where(r => r.Summary.Keys.Count > 0))
        {
            await copy.StartRowAsync(ct);
            RollupWriter.WriteSummary(copy, bucket, field, summary);
        }
        await copy.CompleteAsync(ct);
    }

    private static async Task<List<T>> ReadAsync<T>(NpgsqlConnection connection, string sql, object[] values, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await using var command = RollupWriter.Command(connection, sql, values);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    private async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct) => await ExecuteAsync(connection, sql, [], ct);

    private async Task ExecuteAsync(NpgsqlConnection connection, string sql, object[] values, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await using var command = RollupWriter.Command(connection, sql, values);
        var rows = await command.ExecuteNonQueryAsync(ct);
        logger.LogDebug("Rollup compaction: {Rows} rows in {ElapsedMs} ms by {Sql}", rows, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, sql);
    }
}
