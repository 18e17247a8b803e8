using FlowLens.Core.Detections;
using FlowLens.Core.Stats;
using Npgsql;

namespace FlowLens.Api.Features.Detections;

/// <summary>
/// Judges the new-port and exfiltration detectors of one window from the digests (families 4 and 5 of
/// <see cref="DetectionDigest"/>) against each interface's history, and adds the window to that history — in the
/// caller's transaction, so a window's findings and the history it leaves change together (docs/detections.md).
/// </summary>
public static class InterfaceJudge
{
    public static async Task<List<Fire>> JudgeAsync(NpgsqlConnection connection, Rule? newPort, Rule? exfiltration, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var fires = new List<Fire>();
        if (newPort is not null)
        {
            // Ports served in the window that the interface never served before, by an interface seen long enough ago. A
            // port first served late in the previous window counts its flows there too (the span of the two windows), so
            // a start that straddles a window's end is not remembered unjudged; it fires once, in the window where the
            // span reaches minFlows.
            var since = start - TimeSpan.FromHours(newPort.Parameters["baselineHours"]);
            await using var command = DetectionJob.Command(connection, """
                with served as (
                    select u.interface_id, u.port, sum(u.flows) filter (where d.slice >= $1)::bigint as flows, sum(u.flows)::bigint as span_flows,
                        min(d.slice) as first, min(d.slice) filter (where d.slice >= $1) as first_now, max(d.slice) as last
                    from detection_interfaces d cross join unnest(d.interface_ids, d.ports, d.flows) u(interface_id, port, flows)
                    where d.family = 4 and d.slice >= $5 and d.slice < $2 group by 1, 2),
                known as (
                    select s.*, exists (select from interface_ports p where p.interface_id = s.interface_id and p.port = s.port and p.first_seen < $5) as old,
                        (select min(first_seen) from interface_ports p where p.interface_id = s.interface_id) as ports_since,
                        (select min(hour) from interface_bytes b where b.interface_id = s.interface_id) as bytes_since
                    from served s where s.flows > 0),
                remember as (
                    insert into interface_ports (interface_id, port, first_seen, last_seen)
                    select interface_id, port, first_now, last from known
                    on conflict (interface_id, port) do update set first_seen = least(interface_ports.first_seen, excluded.first_seen),
                        last_seen = greatest(interface_ports.last_seen, excluded.last_seen))
                select interface_id, port, span_flows, first, last from known
                where not old and span_flows >= $3 and span_flows - flows < $3 and least(ports_since, bytes_since) <= $4
                order by 1, 2
                """, [start, end, (long)Math.Ceiling(newPort.Parameters["minFlows"]), since, start - (end - start)]);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var (eni, port) = (reader.GetString(0), reader.GetInt32(1));
                fires.Add(new Fire(newPort, $"{eni} port {port}", reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4),
                    $"interface-id = '{eni}' and dstport = {port} and action = ACCEPT",
                    new() { ["interfaceId"] = eni, ["port"] = port, ["flows"] = reader.GetInt64(2), ["baselineHours"] = newPort.Parameters["baselineHours"] }));
            }
        }

        // The window's hours of bytes out, from the digests (replaced, so a window judged again after late data counts once).
        await using (var hours = DetectionJob.Command(connection, """
            insert into interface_bytes (interface_id, hour, bytes)
            select u.interface_id, date_bin('1 hour', d.slice, '2000-01-01 00:00:00+00'), sum(u.bytes)::bigint
            from detection_interfaces d cross join unnest(d.interface_ids, d.bytes) u(interface_id, bytes)
            where d.family = 5 and d.slice >= date_bin('1 hour', $1::timestamptz, '2000-01-01 00:00:00+00') and d.slice < $2
            group by 1, 2
            on conflict (interface_id, hour) do update set bytes = excluded.bytes
            """, [start, end]))
        {
            await hours.ExecuteNonQueryAsync(ct);
        }
        if (exfiltration is not null)
        {
            // Bytes out against the interface's average per hour over the baseline before the window (hours without any
            // count as none), scaled to the window. What is judged is the busiest span of one window's length that ends in
            // this window (5-minute steps), so a spike across a window's end is judged whole, once: in the window where its
            // span ends. An interface with too little history has no baseline yet.
            var baselineHours = exfiltration.Parameters["baselineHours"];
            var windowHours = (end - start).TotalHours;
            await using var command = DetectionJob.Command(connection, """
                with slices as (
                    select u.interface_id, d.slice, sum(u.flows)::bigint as flows, sum(u.bytes)::bigint as bytes
                    from detection_interfaces d cross join unnest(d.interface_ids, d.flows, d.bytes) u(interface_id, flows, bytes)
                    where d.family = 5 and d.slice > $1 - ($2 - $1) and d.slice < $2 group by 1, 2),
                spans as (
                    select interface_id, slice, sum(flows) over span as flows, sum(bytes) over span as bytes, min(slice) over span as first
                    from slices window span as (partition by interface_id order by slice range between $7 preceding and current row)),
                sent as (
                    select distinct on (interface_id) interface_id, flows, bytes, first, slice as last
                    from spans where slice >= $1 order by interface_id, bytes desc, slice),
                judged as (
                    select s.*, coalesce(b.bytes, 0)::float8 / $3 * $4 as baseline, b.since
                    from sent s
                    left join lateral (
                        select sum(bytes) as bytes, min(hour) as since from interface_bytes
                        where interface_id = s.interface_id and hour >= $1 - make_interval(hours => $3::int) and hour < $1) b on true)
                select interface_id, flows, bytes, first, last, baseline from judged
                where bytes >= $5 and bytes >= $6 * baseline and since <= $1 - make_interval(hours => ($3 / 4)::int)
                order by 1
                """, [start, end, baselineHours, windowHours, (long)exfiltration.Parameters["minBytes"], exfiltration.Parameters["factor"],
                    end - start - Rollups.TotalsBucket]);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var eni = reader.GetString(0);
                fires.Add(new Fire(exfiltration, eni, reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4), Outbound(eni), new()
                {
                    ["interfaceId"] = eni, ["flows"] = reader.GetInt64(1), ["bytes"] = reader.GetInt64(2),
                    ["baselineBytes"] = (long)Math.Round(reader.GetDouble(5)), ["factor"] = exfiltration.Parameters["factor"],
                }));
            }
        }
        return fires;
    }

    /// <summary>The filter of an interface's flows from inside to outside (ACCEPTed).</summary>
    private static string Outbound(string eni)
    {
        var inside = string.Join(", ", Detectors.InsideRanges);
        return $"interface-id = '{eni}' and action = ACCEPT and srcaddr in ({inside}) and not dstaddr in ({inside})";
    }
}
