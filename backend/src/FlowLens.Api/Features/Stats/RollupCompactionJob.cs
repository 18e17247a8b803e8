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
/// (<c>flow_top_1h</c>), each dirty hour rebuilt from its raw flows instead; the day summaries (<c>flow_top_1d</c>)
/// of the days whose hours changed are deleted with that change, and written again from their hours once per run,
/// one day and field at a time (readers read a day's hours while it has none); then the 5-minute totals, one row per
/// key. Only touched hours and days are rewritten, so its work is bounded by K times the rows it takes, whatever the
/// number of distinct addresses. Runs after each ingestion run and every ten minutes.
/// </summary>
public sealed class RollupCompactionJob(NpgsqlDataSource dataSource, IOptions<RollupOptions> options, ILogger<RollupCompactionJob> logger)
{
    public const string Id = "rollup-compaction";
    public const string Schedule = "*/10 * * * *";

    /// <summary>
    /// At most this many dirty hours, and appended rows, are taken per transaction (its memory: K keys times the rows,
    /// and the hours' summaries of every account they touch).
    /// </summary>
    public const int DirtyHoursPerRun = 24, AppendedRowsPerRun = 150;

    /// <summary>Takes the oldest hours to rebuild from the raw flows.</summary>
    internal static readonly string TakeDirtySql = $"""
        delete from flow_top_dirty where bucket in (select bucket from flow_top_dirty order by bucket limit {DirtyHoursPerRun})
        returning bucket
        """;

    /// <summary>Takes appended summaries: each row is merged once, by the transaction that deleted it.</summary>
    internal static readonly string TakeAppendedSql = $"""
        delete from flow_top_appended where ctid = any(array(select ctid from flow_top_appended limit {AppendedRowsPerRun}))
        returning bucket, field, account_id, {RollupWriter.SummaryColumns}
        """;

    /// <summary>The exact sums of every top field's values in the hours <c>$1</c>, per account, from the raw flows.</summary>
    internal static readonly string RawHoursSql = $"""
        select d.bucket, v.field, f.account_id, v.key,
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
            FlowColumn.Bytes, FlowColumn.Packets, FlowColumn.Action, FlowColumn.AccountId], "d.bucket", "d.bucket + interval '1 hour'")} f
        left join flow_strings s on s.id = f.interface_id
        cross join lateral (values (1::smallint, host(f.srcaddr)), (2::smallint, host(f.dstaddr)), (3::smallint, f.dstport::text), (4::smallint, s.value)) v(field, key)
        where v.key is not null
        group by 1, 2, 3, 4
        """;

    /// <summary>Takes the merged summaries (of every account) of the hours and fields <c>($1[i], $2[i])</c> to rewrite.</summary>
    internal const string TakeHoursSql = $"""
        delete from flow_top_1h h using unnest($1::timestamptz[], $2::smallint[]) t(bucket, field)
        where h.bucket = t.bucket and h.field = t.field
        returning h.bucket, h.field, h.account_id, {RollupWriter.SummaryColumns}
        """;

    /// <summary>The hourly summaries of the day <c>$1</c> and field <c>$2</c>, to write its day summaries from, per account.</summary>
    internal const string HoursOfDaySql = $"""
        select $1::timestamptz, h.field, h.account_id, {RollupWriter.SummaryColumns}
        from flow_top_1h h
        where h.bucket >= $1 and h.bucket < $1 + interval '1 day' and h.field = $2
        """;

    /// <summary>Deletes the day summaries of the days and fields <c>($1[i], $2[i])</c>: their hours are changing.</summary>
    internal const string DeleteDaysSql = """
        delete from flow_top_1d d using unnest($1::timestamptz[], $2::smallint[]) t(bucket, field)
        where d.bucket = t.bucket and d.field = t.field
        """;

    /// <summary>Rewrites the 5-minute totals' buckets that have appended rows, one row per key.</summary>
    internal const string MergeTotalsSql = """
        with merged as (
            delete from flow_rollups_5m where bucket in (select distinct bucket from flow_rollups_5m where not compacted)
            returning *)
        insert into flow_rollups_5m (bucket, action, log_status, protocol, account_id, records, bytes, packets, compacted)
        select bucket, action, log_status, protocol, account_id, sum(records), sum(bytes), sum(packets), true
        from merged group by bucket, action, log_status, protocol, account_id
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
                    // Batch after batch, until a batch took less than it could; then each day they touched, once.
                    while (await CompactSummariesAsync(connection, ct))
                    {
                    }
                    await WriteDaysAsync(connection, ct);
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

        // Each touched hour, field and account: its parts (the merged summary, the appended ones), or its exact sums
        // from the raw flows. An hour and field is taken and written again whole, every account's summary of it.
        var parts = new Dictionary<SummaryKey, List<TopSummary>>();
        foreach (var (key, summary) in appended.Where(a => !dirty.Contains(a.Key.Bucket)))
        {
            PartsOf(parts, key).Add(summary);
        }
        var rebuilt = new Dictionary<SummaryKey, Dictionary<string, TopSums>>();
        foreach (var (key, value, sums) in await ReadAsync(connection, RawHoursSql, [dirty.ToArray()], ReadExact, ct))
        {
            if (!rebuilt.TryGetValue(key, out var exact))
            {
                rebuilt[key] = exact = new Dictionary<string, TopSums>(StringComparer.Ordinal);
            }
            exact[value] = sums;
        }
        var touched = parts.Keys.Concat(rebuilt.Keys).Select(s => (s.Bucket, s.Field))
            .Concat(dirty.SelectMany(hour => Fields.Select(field => (Bucket: hour, Field: field)))).Distinct().ToList();
        foreach (var (key, summary) in await ReadAsync(connection, TakeHoursSql, Columns(touched), ReadSummary, ct))
        {
            if (!dirty.Contains(key.Bucket))
            {
                PartsOf(parts, key).Add(summary);
            }
        }
        var hours = parts.Select(p => (p.Key, Summary: TopSummary.Merge(p.Value, k)))
            .Concat(rebuilt.Select(r => (r.Key, Summary: TopSummary.Truncate(r.Value, k))));
        await WriteAsync(connection, "flow_top_1h", hours, ct);

        // Their days' summaries go with the change (readers read those days' hours); WriteDaysAsync writes them again.
        var days = touched.Select(t => (Day: Rollups.BucketOf(t.Bucket, Rollups.TopDayBucket), t.Field)).Distinct().ToList();
        await ExecuteAsync(connection, DeleteDaysSql, Columns(days), ct);
        await transaction.CommitAsync(ct);
        logger.LogDebug("Rollup compaction: {Appended} appended summaries and {Dirty} dirty hours into {Hours} hourly and {Days} daily summaries in {ElapsedMs} ms",
            appended.Count, dirty.Count, touched.Count, days.Count, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return dirty.Count == DirtyHoursPerRun || appended.Count == AppendedRowsPerRun;
    }

    /// <summary>
    /// Writes the day summaries of every day and field that has hourly summaries and none (<see cref="Rollups.StaleDaysSql"/>:
    /// the days this run's batches touched, and any a stopped run left), one day and field per transaction, so its
    /// memory is one day's hours of one field, and a day is written once however many batches touched it.
    /// </summary>
    private async Task WriteDaysAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var k = options.Value.TopKeys;
        foreach (var (day, field) in await ReadAsync(connection, Rollups.StaleDaysSql, [], r => (r.GetDateTime(0), r.GetInt16(1)), ct))
        {
            await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
            await ExecuteAsync(connection, DeleteDaysSql, [new[] { day }, new[] { field }], ct);
            var hours = await ReadAsync(connection, HoursOfDaySql, [day, field], ReadSummary, ct);
            await WriteAsync(connection, "flow_top_1d", hours.GroupBy(p => p.Key).Select(g => (g.Key, TopSummary.Merge(g.Select(p => p.Summary), k))), ct);
            await transaction.CommitAsync(ct);
        }
    }

    /// <summary>A summary's hour or day, field, and account (the flow_strings id of its records' <c>account-id</c>; null for none).</summary>
    private readonly record struct SummaryKey(DateTime Bucket, TopField Field, int? Account);

    private static List<TopSummary> PartsOf(Dictionary<SummaryKey, List<TopSummary>> parts, SummaryKey key)
    {
        if (!parts.TryGetValue(key, out var list))
        {
            parts[key] = list = [];
        }
        return list;
    }

    private static object[] Columns(IReadOnlyCollection<(DateTime Bucket, TopField Field)> keys) =>
        [keys.Select(t => t.Bucket).ToArray(), keys.Select(t => (short)t.Field).ToArray()];

    /// <summary>A row of <c>bucket, field, account_id, </c><see cref="RollupWriter.SummaryColumns"/>.</summary>
    private static (SummaryKey Key, TopSummary Summary) ReadSummary(NpgsqlDataReader row)
    {
        var keys = row.GetFieldValue<string[]>(3);
        var sums = Enumerable.Range(4, 8).Select(row.GetFieldValue<long[]>).ToArray();
        var summary = new Dictionary<string, TopSums>(keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < keys.Length; i++)
        {
            summary[keys[i]] = new TopSums
            {
                Records = sums[0][i], Flows = sums[1][i], Bytes = sums[2][i], Packets = sums[3][i],
                RejectedRecords = sums[4][i], RejectedFlows = sums[5][i], RejectedBytes = sums[6][i], RejectedPackets = sums[7][i],
            };
        }
        return (KeyOf(row), new TopSummary(summary, [.. Enumerable.Range(12, 6).Select(row.GetInt64)]));
    }

    private static SummaryKey KeyOf(NpgsqlDataReader row) =>
        new(row.GetDateTime(0), (TopField)row.GetInt16(1), row.IsDBNull(2) ? null : row.GetInt32(2));

    private static (SummaryKey Key, string Value, TopSums Sums) ReadExact(NpgsqlDataReader row) =>
        (KeyOf(row), row.GetString(3), new TopSums
        {
            Records = row.GetInt64(4), Flows = row.GetInt64(5), Bytes = row.GetInt64(6), Packets = row.GetInt64(7),
            RejectedRecords = row.GetInt64(8), RejectedFlows = row.GetInt64(9), RejectedBytes = row.GetInt64(10), RejectedPackets = row.GetInt64(11),
        });

    /// <summary>Writes summaries with binary COPY; a summary without keys (no record had the field) is no row.</summary>
    private static async Task WriteAsync(NpgsqlConnection connection, string table, IEnumerable<(SummaryKey Key, TopSummary Summary)> rows, CancellationToken ct)
    {
        await using var copy = await BinaryCopyWriter.BeginAsync(connection, table, $"bucket, field, account_id, {RollupWriter.SummaryColumns}", ct);
        foreach (var (key, summary) in rows.Where(r => r.Summary.Keys.Count > 0))
        {
            await copy.StartRowAsync(ct);
            RollupWriter.WriteSummary(copy, key.Bucket, key.Field, key.Account, summary);
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
