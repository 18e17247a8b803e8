-- stats timeseries, from the raw flows, a series per interface: from=2026-11-24T00:00Z to=2026-11-25T00:00Z interval=00:05:00 groupBy=interface-id limit=10
with r as (select f.start as t, f.action, f.log_status, f.protocol, 1::bigint as records, f.bytes, f.packets, coalesce(k.value, '-') as key
from (select u.packets as packets, u.bytes as bytes, c.base + u.t * interval '1 second' as start, u.interface_id as interface_id, u.protocol as protocol, u.action as action, u.log_status as log_status
    from flow_chunks c
    cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.interface_id), unnest(c.protocol), unnest(c.action), unnest(c.log_status)) with ordinality u(packets, bytes, t, interface_id, protocol, action, log_status, ord)
    where c.start_min < $2 and c.start_max >= $1 and c.start_min > $1 - interval '6 hours'
        and c.base + u.t * interval '1 second' >= $1 and c.base + u.t * interval '1 second' < $2) f left join flow_strings k on k.id = f.interface_id
where true),
top as (select key from r where key <> '-' group by key order by coalesce(sum(records) filter (where log_status = 1), 0)::bigint desc, key collate "C" limit $5)
select date_bin($3::interval, r.t, $4) as t,
    case when r.key = '-' or top.key is not null then r.key else 'other' end as key,
    coalesce(sum(r.records) filter (where r.log_status = 1), 0)::bigint as value
from r left join top on top.key = r.key
group by 1, 2
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-11-25T00:00:00.0000000+00:00, $3=00:05:00, $4=2000-01-01T00:00:00.0000000+00:00, $5=10
