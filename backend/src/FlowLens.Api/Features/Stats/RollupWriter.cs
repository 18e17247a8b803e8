using FlowLens.Api.Data;
using FlowLens.Core.Stats;
using Npgsql;

namespace FlowLens.Api.Features.Stats;

/// <summary>
/// Appends an object's sums to the 5-minute and hourly rollup tables with binary COPY, on the ingestion's connection and transaction,
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
