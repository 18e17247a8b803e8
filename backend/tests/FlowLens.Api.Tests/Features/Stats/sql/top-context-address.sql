-- stats top by context, from the raw flows: sums per destination address, labelled by the API (by=dst-country): from=2026-11-24T00:00Z to=2026-11-25T00:00Z q="protocol = tcp"
select f.dstaddr as value,
    count(*) filter (where f.log_status = 1)::bigint as flows,
    coalesce(sum(f.bytes), 0)::bigint as bytes,
    coalesce(sum(f.packets), 0)::bigint as packets,
    count(*) filter (where f.log_status = 1 and f.action = 2)::bigint as rejected_flows
from (select u.packets as packets, u.bytes as bytes, c.base + u.t * interval '1 second' as start, u.protocol as protocol, u.action as action, u.log_status as log_status, u.dstaddr as dstaddr
    from flow_chunks c
    cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.protocol), unnest(c.action), unnest(c.log_status), unnest(c.dstaddr)) with ordinality u(packets, bytes, t, protocol, action, log_status, dstaddr, ord)
    where c.start_min < $2 and c.start_max >= $1 and c.start_min > $1 - interval '6 hours'
        and c.base + u.t * interval '1 second' >= $1 and c.base + u.t * interval '1 second' < $2) f
where f.dstaddr is not null and coalesce((protocol = $3), false)
group by f.dstaddr
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-11-25T00:00:00.0000000+00:00, $3=6
