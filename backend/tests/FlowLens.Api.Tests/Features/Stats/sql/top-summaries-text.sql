-- stats top, from the top summaries, dirty hours' interface ids from flow_strings: from=2026-11-24T13:00Z to=2026-11-24T18:00Z by=interface-id metric=packets limit=10
with dirty as (
    select bucket from flow_top_dirty where bucket >= $1 and bucket < $2),
summaries as (
    select keys, records, flows, bytes, packets, rejected_flows, floor_packets as floor from flow_top_1d d
    where d.field = 4 and d.bucket >= $3 and d.bucket < $4
        and not exists (select from dirty where dirty.bucket >= d.bucket and dirty.bucket < d.bucket + interval '1 day')
    union all
    select keys, records, flows, bytes, packets, rejected_flows, floor_packets as floor from flow_top_1h h
    where h.field = 4 and h.bucket >= $1 and h.bucket < $2
        and (h.bucket < $3 or h.bucket >= $4
            or exists (select from dirty where date_bin('1 day', dirty.bucket, '2000-01-01 00:00:00+00') = date_bin('1 day', h.bucket, '2000-01-01 00:00:00+00')))
        and not exists (select from dirty where dirty.bucket = h.bucket)
    union all
    select keys, records, flows, bytes, packets, rejected_flows, floor_packets as floor from flow_top_appended a
    where a.field = 4 and a.bucket >= $1 and a.bucket < $2 and not exists (select from dirty where dirty.bucket = a.bucket)),
sums as (
    select u.key, u.records, u.flows, u.bytes, u.packets, u.rejected_flows
    from summaries s cross join unnest(s.keys, s.records, s.flows, s.bytes, s.packets, s.rejected_flows) u(key, records, flows, bytes, packets, rejected_flows)
    union all
    select k.value, 1::bigint, (f.log_status = 1)::int::bigint, coalesce(f.bytes, 0)::bigint, coalesce(f.packets, 0)::bigint,
        (f.log_status = 1 and f.action = 2)::int::bigint
    from dirty d cross join lateral (select u.packets as packets, u.bytes as bytes, c.base + u.t * interval '1 second' as start, u.interface_id as interface_id, u.action as action, u.log_status as log_status
    from flow_chunks c
    cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.interface_id), unnest(c.action), unnest(c.log_status)) with ordinality u(packets, bytes, t, interface_id, action, log_status, ord)
    where c.start_min < d.bucket + interval '1 hour' and c.start_max >= d.bucket and c.start_min > d.bucket - interval '6 hours'
        and c.base + u.t * interval '1 second' >= d.bucket and c.base + u.t * interval '1 second' < d.bucket + interval '1 hour') f left join flow_strings k on k.id = f.interface_id
    where f.start >= $1 and f.start < $2 and k.value is not null)
select key, sum_bigint(flows) as flows, sum_bigint(bytes) as bytes, sum_bigint(packets) as packets,
    sum_bigint(rejected_flows) as rejected_flows, (select coalesce(sum_bigint(floor), 0) from summaries) as max_error
from sums
group by key
having sum_bigint(records) > 0
order by packets desc, key collate "C"
limit $5
-- parameters: $1=2026-11-24T13:00:00.0000000+00:00, $2=2026-11-24T18:00:00.0000000+00:00, $3=2026-11-24T13:00:00.0000000+00:00, $4=2026-11-24T13:00:00.0000000+00:00, $5=10
