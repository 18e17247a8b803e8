-- stats top, from the raw flows (a filter the top summaries do not keep): from=2026-11-24T13:00Z to=2026-11-27T00:00Z q="protocol = tcp" by=dstaddr metric=bytes limit=10
select key, coalesce(sum(records) filter (where log_status = 1), 0)::bigint as flows,
    coalesce(sum(bytes), 0)::bigint as bytes,
    coalesce(sum(packets), 0)::bigint as packets,
    coalesce(sum(records) filter (where log_status = 1 and action = 2), 0)::bigint as rejected_flows
from (select f.start as t, f.action, f.log_status, f.protocol, 1::bigint as records, f.bytes, f.packets, coalesce(host(dstaddr), '-') as key
from (select u.packets as packets, u.bytes as bytes, c.base + u.t * interval '1 second' as start, u.protocol as protocol, u.action as action, u.log_status as log_status, u.dstaddr as dstaddr
    from flow_chunks c
    cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.protocol), unnest(c.action), unnest(c.log_status), unnest(c.dstaddr)) with ordinality u(packets, bytes, t, protocol, action, log_status, dstaddr, ord)
    where c.start_min < $2 and c.start_max >= $1 and c.start_min > $1 - interval '6 hours'
        and c.base + u.t * interval '1 second' >= $1 and c.base + u.t * interval '1 second' < $2) f
where coalesce((protocol = $3), false)) r
where key <> '-'
group by key
order by coalesce(sum(bytes), 0)::bigint desc, key collate "C"
limit $4
-- parameters: $1=2026-11-24T13:00:00.0000000+00:00, $2=2026-11-27T00:00:00.0000000+00:00, $3=6, $4=10
