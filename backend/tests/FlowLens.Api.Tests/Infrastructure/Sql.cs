using Npgsql;

namespace FlowLens.Api.Tests.Infrastructure;

public static class Sql
{
    /// <summary>The single value a query returns, with positional parameters ($1, $2...).</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The first column of every row a query returns, in order.</summary>
    public static async Task<List<T>> ColumnAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<T>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetFieldValue<T>(0));
        }
        return values;
    }

    /// <summary>
    /// Rows where the rollups and the raw flows disagree (sums per 5 minutes, per hour and source address, and per
    /// source address in each key sums block there is, with the hourly rows the compaction has not reached yet),
    /// counted both ways: 0 when the rollups hold exactly the stored flows.
    /// </summary>
    public static Task<long> RollupMismatchesAsync(string connectionString) => ScalarAsync<long>(connectionString, """
        with raw_totals as (
            select date_bin('5 minutes', start, '2000-01-01 00:00:00+00') as bucket, action, log_status, protocol,
                count(*) as records, coalesce(sum(bytes), 0) as bytes, coalesce(sum(packets), 0) as packets
            from flows where start is not null group by 1, 2, 3, 4),
        rollup_totals as (
            select bucket, action, log_status, protocol, sum(records), sum(bytes), sum(packets)
            from flow_rollups_5m group by 1, 2, 3, 4 having sum(records) <> 0),
        raw_sources as (
            select date_bin('1 hour', start, '2000-01-01 00:00:00+00') as bucket, coalesce(host(srcaddr), '-') as key, count(*) as records, coalesce(sum(bytes), 0) as bytes
            from flows where start is not null group by 1, 2),
        rollup_sources as (
            select bucket, key, sum(records), sum(bytes) from flow_rollups_top_1h where field = 1 group by 1, 2 having sum(records) <> 0),
        blocks as (select span, bucket, bucket + make_interval(hours => span) as until from flow_rollups_top_blocks where field = 1),
        raw_blocks as (
            select b.span, b.bucket, host(f.srcaddr) as key,
                count(*) as records, count(*) filter (where f.log_status = 1) as flows, coalesce(sum(f.bytes), 0)::bigint as bytes,
                count(*) filter (where f.action = 2) as rejected_records, coalesce(sum(f.bytes) filter (where f.action = 2), 0)::bigint as rejected_bytes
            from blocks b join flows f on f.start >= b.bucket and f.start < b.until
            where f.srcaddr is not null group by 1, 2, 3),
        rollup_blocks as (
            select span, bucket, key, sum(records)::bigint, sum(flows)::bigint, sum(bytes)::bigint, sum(rejected_records)::bigint, sum(rejected_bytes)::bigint
            from (
                select t.span, t.bucket, k.key, u.records, u.flows, u.bytes, u.rejected_records, u.rejected_bytes
                from flow_rollups_top_blocks t
                cross join unnest(t.key_ids, t.records, t.flows, t.bytes, t.rejected_records, t.rejected_bytes) u(key_id, records, flows, bytes, rejected_records, rejected_bytes)
                join flow_rollup_keys k on k.id = u.key_id
                where t.field = 1
                union all
                select b.span, b.bucket, h.key, h.records,
                    case when h.log_status = 1 then h.records else 0 end, h.bytes,
                    case when h.action = 2 then h.records else 0 end, case when h.action = 2 then h.bytes else 0 end
                from blocks b join flow_rollups_top_1h h on h.bucket >= b.bucket and h.bucket < b.until
                where h.field = 1 and not h.compacted and h.key <> '-') u
            group by 1, 2, 3 having sum(records) <> 0)
        select (select count(*) from ((table raw_totals except table rollup_totals) union all (table rollup_totals except table raw_totals)) a)
             + (select count(*) from ((table raw_sources except table rollup_sources) union all (table rollup_sources except table raw_sources)) b)
             + (select count(*) from ((table raw_blocks except table rollup_blocks) union all (table rollup_blocks except table raw_blocks)) c)
        """);
}
