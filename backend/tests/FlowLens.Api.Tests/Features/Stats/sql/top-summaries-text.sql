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
            or exists (select from dirty where date_bin('1 day', dirty.bucket, '2000-01-01 00:00:00+00') = date_bin('1 day', h.bucket, '2000-01-01 00:00:00+00'))
            or not exists (select from flow_top_1d d where d.field = h.field and d.bucket = date_bin('1 day', h.bucket, '2000-01-01 00:00:00+00')))
        and not exists (select from dirty where dirty.bucket = h.bucket)
    union all
    select keys, records, flows, bytes, packets, rejected_flows, floor_packets as floor from flow_top_appended a
    where a.field = 4 and a.bucket >= $1 and a.bucket < $2 and not exists (select from dirty where dirty.bucket = a.bucket)),
raw as (
    select k.value as key, count(*) as records, count(*) filter (where f.log_status = 1) as flows, coalesce(sum(f.bytes), 0)::bigint as bytes,
        coalesce(sum(f.packets), 0)::bigint as packets, count(*) filter (where f.log_status = 1 and f.action = 2) as rejected_flows
    from dirty d cross join lateral (select u.packets as packets, u.bytes as bytes, c.base + u.t * interval '1 second' as start, u.interface_id as interface_id, u.action as action, u.log_status as log_status
    from flow_chunks c
    cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.interface_id), unnest(c.action), unnest(c.log_status)) with ordinality u(packets, bytes, t, interface_id, action, log_status, ord)
    where c.start_min < d.bucket + interval '1 hour' and c.start_max >= d.bucket and c.start_min > d.bucket - interval '6 hours'
        and c.base + u.t * interval '1 second' >= d.bucket and c.base + u.t * interval '1 second' < d.bucket + interval '1 hour') f left join flow_strings k on k.id = f.interface_id
    where f.start >= $1 and f.start < $2 and k.value is not null
    group by 1),
top as (
    -- phase 1: the top keys, ranked on the metric's array alone
    select key
    from (
        select unnest(keys) as key, unnest(records) as records, unnest(packets) as value from summaries
        union all
        select key, records, packets from raw) v
    group by key
    having sum_bigint(records) > 0
    order by sum_bigint(value) desc, key collate "C"
    limit $5),
sums as (
    -- phase 2: the other sums, of the top keys only
    select key, flows, bytes, packets, rejected_flows
    from (select unnest(keys) as key, unnest(flows) as flows, unnest(bytes) as bytes, unnest(packets) as packets, unnest(rejected_flows) as rejected_flows
        from summaries) s
    where key in (select key from top)
    union all
    select key, flows, bytes, packets, rejected_flows from raw where key in (select key from top))
select key, sum_bigint(flows) as flows, sum_bigint(bytes) as bytes, sum_bigint(packets) as packets,
    sum_bigint(rejected_flows) as rejected_flows, (select coalesce(sum_bigint(floor), 0) from summaries) as max_error
from sums
group by key
order by packets desc, key collate "C"
-- parameters: $1=2026-11-24T13:00:00.0000000+00:00, $2=2026-11-24T18:00:00.0000000+00:00, $3=2026-11-24T13:00:00.0000000+00:00, $4=2026-11-24T13:00:00.0000000+00:00, $5=10
