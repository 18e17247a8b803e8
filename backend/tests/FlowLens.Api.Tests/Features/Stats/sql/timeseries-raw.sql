-- stats timeseries, from the raw flows, one series (a filter the rollups cannot answer): from=2026-11-24T00:00Z to=2026-11-24T02:00Z q="srcaddr = 10.0.0.0/8" interval=00:01:00
select date_bin($4::interval, t, $5) as t, 'total' as key, coalesce(sum(records) filter (where log_status = 1), 0)::bigint as value
from (select f.start as t, f.action, f.log_status, f.protocol, 1::bigint as records, f.bytes, f.packets, null::text as key
from (select u.packets as packets, u.bytes as bytes, c.base + u.t * interval '1 second' as start, u.protocol as protocol, u.action as action, u.log_status as log_status, u.srcaddr as srcaddr
    from flow_chunks c
    cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.protocol), unnest(c.action), unnest(c.log_status), unnest(c.srcaddr)) with ordinality u(packets, bytes, t, protocol, action, log_status, srcaddr, ord)
    where c.start_min < $2 and c.start_max >= $1 and c.start_min > $1 - interval '6 hours'
        and c.base + u.t * interval '1 second' >= $1 and c.base + u.t * interval '1 second' < $2) f
where coalesce((srcaddr <<= $3::inet), false)) r
group by 1
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-11-24T02:00:00.0000000+00:00, $3='10.0.0.0/8', $4=00:01:00, $5=2000-01-01T00:00:00.0000000+00:00
