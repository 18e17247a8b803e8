using System.Net;
using FlowLens.Api.Data;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Stats;
using Npgsql;

namespace FlowLens.Api.Features.Stats;

/// <summary>
/// Appends an object's sums (or, negated, those of deleted rows) to the 5-minute and hourly rollup tables with binary COPY, on the ingestion's connection and transaction,
/// so the rollups change exactly when the raw rows do. Appending takes no row locks, so workers loading objects of
/// the same hour never wait for each other; <see cref="RollupCompactionJob"/> merges the rows later.
/// </summary>
public static class RollupWriter
{
    public static async Task WriteAsync(NpgsqlConnection connection, RollupAccumulator rollups, CancellationToken ct)
    {
        await using (var totals = await BinaryCopyWriter.BeginAsync(connection, "flow_rollups_5m", "bucket, action, log_status, protocol, records, bytes, packets", ct))
        {
            foreach (var (key, sums) in rollups.Totals)
            {
                await totals.StartRowAsync(ct);
                totals.Timestamp(key.Bucket);
                WriteRest(totals, key.Action, key.LogStatus, key.Protocol, sums);
            }
            await totals.CompleteAsync(ct);
        }
        await using var top = await BinaryCopyWriter.BeginAsync(connection, "flow_rollups_top_1h", "bucket, field, key, action, log_status, protocol, records, bytes, packets", ct);
        foreach (var (key, sums) in rollups.Hours)
        {
            await top.StartRowAsync(ct);
            top.Timestamp(key.Bucket);
            top.Int16((short)key.Field);
            top.Text(key.KeyText);
            WriteRest(top, key.Action, key.LogStatus, key.Protocol, sums);
        }
        await top.CompleteAsync(ct);
    }

    /// <summary>
    /// Deletes the flow rows <paramref name="where"/> selects and takes their sums out of <paramref name="rollups"/>
    /// (to be written in the same transaction, so the rollups change exactly when the raw rows do).
    /// </summary>
    public static async Task DeleteFlowsAsync(NpgsqlConnection connection, string where, RollupAccumulator rollups, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        await using var delete = new NpgsqlCommand($"""
            with deleted as (
                delete from flows where {where}
                returning start, srcaddr, dstaddr, dstport, interface_id, action, log_status, protocol, packets, bytes)
            select d.start, d.srcaddr, d.dstaddr, d.dstport, s.value, d.action, d.log_status, d.protocol, d.packets, d.bytes
            from deleted d left join flow_strings s on s.id = d.interface_id
            """, connection);
        delete.Parameters.AddRange(parameters);
        await using var rows = await delete.ExecuteReaderAsync(ct);
        while (await rows.ReadAsync(ct))
        {
            T? Value<T>(int i) where T : struct => rows.IsDBNull(i) ? null : rows.GetFieldValue<T>(i);
            FlowAddress? Address(int i) => rows.IsDBNull(i) ? null : FlowAddress.FromIPAddress(rows.GetFieldValue<IPAddress>(i));
            rollups.Add(Value<DateTime>(0), Address(1), Address(2), Value<int>(3), rows.IsDBNull(4) ? null : rows.GetString(4),
                Value<short>(5), Value<short>(6), Value<short>(7), Value<long>(8), Value<long>(9), sign: -1);
        }
    }

    private static void WriteRest(BinaryCopyWriter row, short? action, short? logStatus, short? protocol, RollupSums sums)
    {
        row.Int16(action);
        row.Int16(logStatus);
        row.Int16(protocol);
        row.Int64(sums.Records);
        row.Int64(sums.Bytes);
        row.Int64(sums.Packets);
    }
}
