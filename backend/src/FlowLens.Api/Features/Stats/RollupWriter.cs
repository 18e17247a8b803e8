using FlowLens.Core.Stats;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.Stats;

/// <summary>
/// Adds an object's sums to the rollup tables, on the ingestion's connection and transaction, so the rollups
/// change exactly when the raw rows do. Rows are upserted in key order, the same in every transaction, so two
/// workers adding to the same buckets wait for each other instead of deadlocking.
/// </summary>
public static class RollupWriter
{
    public static async Task WriteAsync(NpgsqlConnection connection, RollupAccumulator rollups, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Totals(rollups.Totals));
        batch.BatchCommands.Add(Top("flow_rollups_top_1h", rollups.Hours));
        batch.BatchCommands.Add(Top("flow_rollups_top_1d", rollups.Days()));
        if (rollups.HasRemovals)
        {
            // An object taken back out (replaced by a new version) can leave rows that sum to nothing.
            foreach (var table in new[] { "flow_rollups_5m", "flow_rollups_top_1h", "flow_rollups_top_1d" })
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"delete from {table} where records = 0"));
            }
        }
        await batch.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlBatchCommand Totals(IReadOnlyDictionary<TotalsKey, RollupSums> rows)
    {
        var keys = rows.Keys.ToList();
        return new NpgsqlBatchCommand("""
            insert into flow_rollups_5m as r (bucket, action, log_status, protocol, records, bytes, packets)
            select * from unnest($1::timestamptz[], $2::smallint[], $3::smallint[], $4::smallint[], $5::bigint[], $6::bigint[], $7::bigint[])
            order by 1, 2, 3, 4
            on conflict (bucket, action, log_status, protocol) do update
            set records = r.records + excluded.records, bytes = r.bytes + excluded.bytes, packets = r.packets + excluded.packets
            """)
        {
            Parameters =
            {
                Array(keys.Select(k => k.Bucket), NpgsqlDbType.TimestampTz),
                Array(keys.Select(k => k.Action), NpgsqlDbType.Smallint),
                Array(keys.Select(k => k.LogStatus), NpgsqlDbType.Smallint),
                Array(keys.Select(k => k.Protocol), NpgsqlDbType.Smallint),
                Array(keys.Select(k => rows[k].Records), NpgsqlDbType.Bigint),
                Array(keys.Select(k => rows[k].Bytes), NpgsqlDbType.Bigint),
                Array(keys.Select(k => rows[k].Packets), NpgsqlDbType.Bigint),
            },
        };
    }

    private static NpgsqlBatchCommand Top(string table, IReadOnlyDictionary<TopKey, RollupSums> rows)
    {
        var keys = rows.Keys.ToList();
        return new NpgsqlBatchCommand($"""
            insert into {table} as r (bucket, field, key, action, log_status, protocol, records, bytes, packets)
            select * from unnest($1::timestamptz[], $2::smallint[], $3::text[], $4::smallint[], $5::smallint[], $6::smallint[],
                $7::bigint[], $8::bigint[], $9::bigint[])
            order by 1, 2, 3, 4, 5, 6
            on conflict (bucket, field, key, action, log_status, protocol) do update
            set records = r.records + excluded.records, bytes = r.bytes + excluded.bytes, packets = r.packets + excluded.packets
            """)
        {
            Parameters =
            {
                Array(keys.Select(k => k.Bucket), NpgsqlDbType.TimestampTz),
                Array(keys.Select(k => (short)k.Field), NpgsqlDbType.Smallint),
                Array(keys.Select(k => k.KeyText), NpgsqlDbType.Text),
                Array(keys.Select(k => k.Action), NpgsqlDbType.Smallint),
                Array(keys.Select(k => k.LogStatus), NpgsqlDbType.Smallint),
                Array(keys.Select(k => k.Protocol), NpgsqlDbType.Smallint),
                Array(keys.Select(k => rows[k].Records), NpgsqlDbType.Bigint),
                Array(keys.Select(k => rows[k].Bytes), NpgsqlDbType.Bigint),
                Array(keys.Select(k => rows[k].Packets), NpgsqlDbType.Bigint),
            },
        };
    }

    private static NpgsqlParameter Array<T>(IEnumerable<T> values, NpgsqlDbType type) =>
        new() { Value = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | type };
}
