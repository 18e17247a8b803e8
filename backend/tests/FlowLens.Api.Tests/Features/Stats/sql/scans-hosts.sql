-- stats scans, from the raw flows, by distinct hosts: from=2026-11-24T00:00Z to=2026-11-25T00:00Z by=hosts limit=20
select host(f.srcaddr) as srcaddr,
    count(distinct f.dstport)::bigint as ports,
    count(distinct f.dstaddr)::bigint as hosts,
    count(*)::bigint as flows,
    coalesce(sum(f.bytes), 0)::bigint as bytes,
    coalesce(sum(f.packets), 0)::bigint as packets,
    count(*) filter (where f.action = 2)::bigint as rejected_flows,
    min(f.start) as first_seen,
    max(coalesce(f."end", f.start)) as last_seen
from (select u.packets as packets, u.bytes as bytes, c.base + u.t * interval '1 second' as start, c.base + u.e * interval '1 second' as "end", u.dstport as dstport, u.action as action, u.log_status as log_status, u.srcaddr as srcaddr, u.dstaddr as dstaddr
    from flow_chunks c
    cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.e), unnest(c.dstport), unnest(c.action), unnest(c.log_status), unnest(c.srcaddr), unnest(c.dstaddr)) with ordinality u(packets, bytes, t, e, dstport, action, log_status, srcaddr, dstaddr, ord)
    where c.start_min < $2 and c.start_max >= $1 and c.start_min > $1 - interval '6 hours'
        and c.base + u.t * interval '1 second' >= $1 and c.base + u.t * interval '1 second' < $2) f
where f.log_status = 1 and f.srcaddr is not null and true
group by 1
order by hosts desc, flows desc, host(f.srcaddr) collate "C"
limit $3
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-11-25T00:00:00.0000000+00:00, $3=20
