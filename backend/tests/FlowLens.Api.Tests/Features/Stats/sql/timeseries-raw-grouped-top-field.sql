-- stats timeseries, from the raw flows, a series per source (summaries are bounded): from=2026-11-24T00:00Z to=2026-12-01T00:00Z interval=1.00:00:00 groupBy=srcaddr limit=10
with r as (select f.start as t, f.action, f.log_status, f.protocol, 1::bigint as records, f.bytes, f.packets, coalesce(host(srcaddr), '-') as key
from (select u.packets as packets, u.bytes as bytes, c.base + u.t * interval '1 second' as start, u.protocol as protocol, u.action as action, u.log_status as log_status, u.srcaddr as srcaddr
    from flow_chunks c
    cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.protocol), unnest(c.action), unnest(c.log_status), unnest(c.srcaddr)) with ordinality u(packets, bytes, t, protocol, action, log_status, srcaddr, ord)
    where c.start_min < $2 and c.start_max >= $1 and c.start_min > $1 - interval '6 hours'
        and c.base + u.t * interval '1 second' >= $1 and c.base + u.t * interval '1 second' < $2) f
where true),
top as (select key from r where key <> '-' group by key order by coalesce(sum(records) filter (where log_status = 1), 0)::bigint desc, key collate "C" limit $5)
select date_bin($3::interval, r.t, $4) as t,
    case when r.key = '-' or top.key is not null then r.key else 'other' end as key,
    coalesce(sum(r.records) filter (where r.log_status = 1), 0)::bigint as value
from r left join top on top.key = r.key
group by 1, 2
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-12-01T00:00:00.0000000+00:00, $3=1.00:00:00, $4=2000-01-01T00:00:00.0000000+00:00, $5=10
