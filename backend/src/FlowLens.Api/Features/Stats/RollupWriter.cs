using FlowLens.Core.Stats;
using Npgsql;
using NpgsqlTypes;

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
        await using (var totals = await connection.BeginBinaryImportAsync(
            "copy flow_rollups_5m (bucket, action, log_status, protocol, records, bytes, packets) from stdin (format binary)", ct))
        {
            foreach (var (key, sums) in rollups.Totals)
            {
                await totals.StartRowAsync(ct);
                await totals.WriteAsync(key.Bucket, NpgsqlDbType.TimestampTz, ct);
                await WriteRestAsync(totals, key.Action, key.LogStatus, key.Protocol, sums, ct);
            }
            await totals.CompleteAsync(ct);
        }
        await using var top = await connection.BeginBinaryImportAsync(
            "copy flow_rollups_top_1h (bucket, field, key, action, log_status, protocol, records, bytes, packets) from stdin (format binary)", ct);
        foreach (var (key, sums) in rollups.Hours)
        {
            await top.StartRowAsync(ct);
            await top.WriteAsync(key.Bucket, NpgsqlDbType.TimestampTz, ct);
            await top.WriteAsync((short)key.Field, NpgsqlDbType.Smallint, ct);
            await top.WriteAsync(key.KeyText, NpgsqlDbType.Text, ct);
            await WriteRestAsync(top, key.Action, key.LogStatus, key.Protocol, sums, ct);
        }
        await top.CompleteAsync(ct);
    }

    private static async Task WriteRestAsync(NpgsqlBinaryImporter row, short? action, short? logStatus, short? protocol, RollupSums sums, CancellationToken ct)
    {
        foreach (var value in new[] { action, logStatus, protocol })
        {
            if (value is { } v)
            {
                await row.WriteAsync(v, NpgsqlDbType.Smallint, ct);
            }
            else
            {
                await row.WriteNullAsync(ct);
            }
        }
        await row.WriteAsync(sums.Records, NpgsqlDbType.Bigint, ct);
        await row.WriteAsync(sums.Bytes, NpgsqlDbType.Bigint, ct);
        await row.WriteAsync(sums.Packets, NpgsqlDbType.Bigint, ct);
    }
}
