using System.Runtime.CompilerServices;
using FlowLens.Api.Data;
using FlowLens.Core.Stats;
using Npgsql;

namespace FlowLens.Api.Features.Stats;

/// <summary>
/// Appends an object's sums to the rollups with binary COPY, on the ingestion's connection and transaction, so the
/// rollups change exactly when the raw rows do: its 5-minute totals (negative for deleted rows) to
/// <c>flow_rollups_5m</c>, and a top summary per hour, field and account to <c>flow_top_appended</c> (a few rows per
/// object, keys inline); accounts as their flow_strings ids (<c>account_id</c>), as in the flow chunks. Appending takes no row locks, so workers loading objects of the same hour never wait for each
/// other; <see cref="RollupCompactionJob"/> merges the rows later.
/// </summary>
public static class RollupWriter
{
    /// <summary>The columns of a summary, after its bucket and field, in every summary table.</summary>
    public const string SummaryColumns = "keys, records, flows, bytes, packets, rejected_records, rejected_flows, rejected_bytes, rejected_packets, "
        + "floor_flows, floor_bytes, floor_packets, floor_rejected_flows, floor_rejected_bytes, floor_rejected_packets";

    /// <summary>
    /// Writes the totals and the summaries (at most <paramref name="topKeys"/> keys per metric) of the records of
    /// <paramref name="objectId"/> (null when they are of several, as a CloudWatch batch); <paramref name="idOf"/> gives
    /// an account's flow_strings id (Ingestion's FlowStrings.IdOf).
    /// </summary>
    public static async Task WriteAsync(NpgsqlConnection connection, Func<string, int> idOf, RollupAccumulator rollups, int topKeys, long sourceId, long? objectId,
        CancellationToken ct)
    {
        await WriteTotalsAsync(connection, idOf, rollups, ct);
        await using var top = await BinaryCopyWriter.BeginAsync(connection, "flow_top_appended", $"source_id, object_id, bucket, field, account_id, {SummaryColumns}", ct);
        foreach (var (hour, field, summary, account) in rollups.Summaries(topKeys))
        {
            await top.StartRowAsync(ct);
            top.Int64(sourceId);
            top.Int64(objectId);
            WriteSummary(top, hour, field, account is null ? null : idOf(account), summary);
        }
        await top.CompleteAsync(ct);
    }

    /// <summary>Writes the 5-minute totals only (all a deletion has: summaries cannot subtract).</summary>
    public static async Task WriteTotalsAsync(NpgsqlConnection connection, Func<string, int> idOf, RollupAccumulator rollups, CancellationToken ct)
    {
        await using var totals = await BinaryCopyWriter.BeginAsync(connection, "flow_rollups_5m", "bucket, action, log_status, protocol, account_id, records, bytes, packets", ct);
        foreach (var (key, sums) in rollups.Totals)
        {
            await totals.StartRowAsync(ct);
            totals.Timestamp(key.Bucket);
            totals.Int16(key.Action);
            totals.Int16(key.LogStatus);
            totals.Int16(key.Protocol);
            totals.Int32(key.Account is null ? null : idOf(key.Account));
            totals.Int64(sums.Records);
            totals.Int64(sums.Bytes);
            totals.Int64(sums.Packets);
        }
        await totals.CompleteAsync(ct);
    }

    /// <summary>Writes a summary's bucket, field, account and <see cref="SummaryColumns"/>; keys in ordinal order.</summary>
    // Compiled optimized at once (here and below): run once per chunk or summary, these loops waited for tiering
    // (30 calls) through a young process's first tens of objects, unoptimized.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteSummary(BinaryCopyWriter row, DateTime bucket, TopField field, int? account, TopSummary summary)
    {
        var keys = summary.Keys.Keys.ToArray();
        var sums = summary.Keys.Values.ToArray();
        Array.Sort(keys, sums, StringComparer.Ordinal);
        row.Timestamp(bucket);
        row.Int16((short)field);
        row.Int32(account);
        row.TextArray(keys);
        row.Int64Array(Array.ConvertAll(sums, s => s.Records));
        row.Int64Array(Array.ConvertAll(sums, s => s.Flows));
        row.Int64Array(Array.ConvertAll(sums, s => s.Bytes));
        row.Int64Array(Array.ConvertAll(sums, s => s.Packets));
        row.Int64Array(Array.ConvertAll(sums, s => s.RejectedRecords));
        row.Int64Array(Array.ConvertAll(sums, s => s.RejectedFlows));
        row.Int64Array(Array.ConvertAll(sums, s => s.RejectedBytes));
        row.Int64Array(Array.ConvertAll(sums, s => s.RejectedPackets));
        foreach (var metric in TopSummary.Metrics)
        {
            row.Int64(summary.Floor(metric));
        }
    }

    /// <summary>
    /// Deletes the flow chunks <paramref name="chunks"/> selects (a condition on <c>flow_chunks</c>) and takes their sums out of <paramref name="rollups"/>'
    /// totals (to be written in the same transaction). A bounded summary cannot subtract: the summaries not merged yet
    /// that <paramref name="appended"/> selects go with their rows, and every hour of the deleted rows that has a merged
    /// summary is marked dirty, for the compaction to rebuild from the raw flows (queries read it raw until then).
    /// Both conditions take <paramref name="values"/> as <c>$1</c>, <c>$2</c>...
    /// </summary>
    public static async Task DeleteFlowsAsync(NpgsqlConnection connection, string chunks, string appended, RollupAccumulator rollups,
        CancellationToken ct, params object[] values)
    {
        var hours = new HashSet<DateTime>();
        await using (var delete = Command(connection, $"""
            with deleted as (
                delete from flow_chunks where {chunks}
                returning base, t, action, log_status, protocol, packets, bytes, account_id)
            select d.base + u.t * interval '1 second', u.action, u.log_status, u.protocol, u.packets, u.bytes, a.value
            from deleted d
            cross join lateral rows from (unnest(d.t), unnest(d.action), unnest(d.log_status), unnest(d.protocol), unnest(d.packets), unnest(d.bytes),
                unnest(d.account_id)) u(t, action, log_status, protocol, packets, bytes, account_id)
            left join flow_strings a on a.id = u.account_id
            where u.t is not null
            """, values))
        {
            await using var rows = await delete.ExecuteReaderAsync(ct);
            while (await rows.ReadAsync(ct))
            {
                T? Value<T>(int i) where T : struct => rows.IsDBNull(i) ? null : rows.GetFieldValue<T>(i);
                var start = rows.GetDateTime(0);
                hours.Add(Rollups.BucketOf(start, Rollups.TopHourBucket));
                rollups.Add(start, null, null, null, null, Value<short>(1), Value<short>(2), Value<short>(3), Value<long>(4), Value<long>(5), sign: -1,
                    account: rows.IsDBNull(6) ? null : rows.GetString(6));
            }
        }
        await using (var unmerged = Command(connection, $"delete from flow_top_appended where {appended}", values))
        {
            await unmerged.ExecuteNonQueryAsync(ct);
        }
        // After the delete above: a compaction that merged these rows first has committed its summaries by now.
        await using var dirty = Command(connection, MarkDirtySql, [hours.ToArray()]);
        await dirty.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Marks the hours of <c>$1</c> that have a merged summary for a rebuild from the raw flows.</summary>
    public const string MarkDirtySql = """
        insert into flow_top_dirty (bucket)
        select h from unnest($1::timestamptz[]) h where exists (select from flow_top_1h t where t.bucket = h)
        on conflict do nothing
        """;

    /// <summary>A command with <paramref name="values"/> as <c>$1</c>, <c>$2</c>..., no timeout (a job's, or the ingestion's, work).</summary>
    internal static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object[] values)
    {
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        foreach (var value in values)
        {
            // An empty DateTime[] says nothing of its kind: the hours are always timestamptz.
            command.Parameters.Add(value is DateTime[]? new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz }
                : new NpgsqlParameter { Value = value });
        }
        return command;
    }
}
