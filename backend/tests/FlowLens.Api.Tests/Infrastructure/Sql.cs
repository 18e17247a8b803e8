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
    /// Rows where the rollups and the raw flows disagree (sums per 5 minutes, and per hour and source address),
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
            select bucket, key, sum(records), sum(bytes) from flow_rollups_top_1h where field = 1 group by 1, 2 having sum(records) <> 0)
        select (select count(*) from ((table raw_totals except table rollup_totals) union all (table rollup_totals except table raw_totals)) a)
             + (select count(*) from ((table raw_sources except table rollup_sources) union all (table rollup_sources except table raw_sources)) b)
        """);
}
