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
    /// Rows where the rollups and the raw flows disagree, counted both ways: 0 when the rollups hold the stored flows.
    /// The 5-minute totals exactly. Per hour and source address, the merged and appended top summaries of every hour
    /// not marked dirty (queries read those raw): listed sums are lower bounds, within the hour's floors (so exact where
    /// the floors are 0). Per day, every listed sum is the sum of its hours' listed sums, and a day that left nothing
    /// out lists every key of its hours (days without dirty hours).
    /// </summary>
    public static Task<long> RollupMismatchesAsync(string connectionString) => ScalarAsync<long>(connectionString, """
        with raw_totals as (
            select date_bin('5 minutes', start, '2000-01-01 00:00:00+00') as bucket, action, log_status, protocol, account_id,
                count(*) as records, coalesce(sum(bytes), 0) as bytes, coalesce(sum(packets), 0) as packets
            from flows where start is not null group by 1, 2, 3, 4, 5),
        rollup_totals as (
            select bucket, action, log_status, protocol, account_id, sum(records), sum(bytes), sum(packets)
            from flow_rollups_5m group by 1, 2, 3, 4, 5 having sum(records) <> 0),
        hours as (
            select bucket, keys, records, flows, bytes, rejected_bytes, floor_flows, floor_bytes, floor_rejected_bytes from flow_top_1h where field = 1
            union all
            select bucket, keys, records, flows, bytes, rejected_bytes, floor_flows, floor_bytes, floor_rejected_bytes from flow_top_appended where field = 1),
        hour_floors as (
            select bucket, sum(floor_flows) as flows, sum(floor_bytes) as bytes, sum(floor_rejected_bytes) as rejected_bytes
            from hours where bucket not in (select bucket from flow_top_dirty) group by 1),
        listed as (
            select h.bucket, u.key, sum(u.records) as records, sum(u.flows) as flows, sum(u.bytes) as bytes, sum(u.rejected_bytes) as rejected_bytes
            from hours h cross join unnest(h.keys, h.records, h.flows, h.bytes, h.rejected_bytes) u(key, records, flows, bytes, rejected_bytes)
            where h.bucket not in (select bucket from flow_top_dirty)
            group by 1, 2),
        raw_sources as (
            select date_bin('1 hour', start, '2000-01-01 00:00:00+00') as bucket, host(srcaddr) as key, count(*) as records,
                count(*) filter (where log_status = 1) as flows, coalesce(sum(bytes), 0) as bytes, coalesce(sum(bytes) filter (where action = 2), 0) as rejected_bytes
            from flows
            where start is not null and srcaddr is not null
                and date_bin('1 hour', start, '2000-01-01 00:00:00+00') not in (select bucket from flow_top_dirty)
            group by 1, 2),
        source_errors as (
            select r.key from raw_sources r
            full join listed l on l.bucket = r.bucket and l.key = r.key
            left join hour_floors f on f.bucket = coalesce(r.bucket, l.bucket)
            where coalesce(l.records, 0) > coalesce(r.records, 0) or coalesce(l.flows, 0) > coalesce(r.flows, 0)
                or coalesce(l.bytes, 0) > coalesce(r.bytes, 0) or coalesce(l.rejected_bytes, 0) > coalesce(r.rejected_bytes, 0)
                or coalesce(r.flows, 0) > coalesce(l.flows, 0) + coalesce(f.flows, 0)
                or coalesce(r.bytes, 0) > coalesce(l.bytes, 0) + coalesce(f.bytes, 0)
                or coalesce(r.rejected_bytes, 0) > coalesce(l.rejected_bytes, 0) + coalesce(f.rejected_bytes, 0)),
        clean_days as (
            select distinct date_bin('1 day', bucket, '2000-01-01 00:00:00+00') as day from flow_top_1h
            except select date_bin('1 day', bucket, '2000-01-01 00:00:00+00') from flow_top_dirty),
        hours_by_day as (
            select date_bin('1 day', h.bucket, '2000-01-01 00:00:00+00') as day, h.field, h.account_id, u.key, sum(u.records)::bigint, sum(u.bytes)::bigint, sum(u.rejected_packets)::bigint
            from flow_top_1h h cross join unnest(h.keys, h.records, h.bytes, h.rejected_packets) u(key, records, bytes, rejected_packets)
            where date_bin('1 day', h.bucket, '2000-01-01 00:00:00+00') in (select day from clean_days)
            group by 1, 2, 3, 4),
        days as (
            select d.bucket, d.field, d.account_id, u.key, u.records, u.bytes, u.rejected_packets
            from flow_top_1d d cross join unnest(d.keys, d.records, d.bytes, d.rejected_packets) u(key, records, bytes, rejected_packets)
            where d.bucket in (select day from clean_days)),
        exact_days as (
            select bucket, field, account_id from flow_top_1d
            where floor_flows + floor_bytes + floor_packets + floor_rejected_flows + floor_rejected_bytes + floor_rejected_packets = 0)
        select (select count(*) from ((table raw_totals except table rollup_totals) union all (table rollup_totals except table raw_totals)) a)
             + (select count(*) from source_errors)
             + (select count(*) from (table days except table hours_by_day) c)
             + (select count(*) from (select h.* from hours_by_day h where exists (select from exact_days x where x.bucket = h.day and x.field = h.field
                 and x.account_id is not distinct from h.account_id) except table days) d)
             + (select count(*) from (select day from clean_days except select bucket from flow_top_1d) e)
        """);
}
