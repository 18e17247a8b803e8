-- stats top, from the key sums blocks and the hourly rows not compacted (no filter, range on hours): from=2026-11-22T00:00Z to=2026-11-24T13:00Z by=srcaddr metric=bytes limit=10
with fresh as (
    select k.id as key_id, case when k.id is null then h.key end as new_key, coalesce(sum(records), 0)::bigint as records,
    coalesce(sum(records) filter (where log_status = 1), 0)::bigint as flows,
    coalesce(sum(bytes), 0)::bigint as bytes,
    coalesce(sum(packets), 0)::bigint as packets,
    coalesce(sum(records) filter (where action = 2), 0)::bigint as rejected_records,
    coalesce(sum(records) filter (where log_status = 1 and action = 2), 0)::bigint as rejected_flows,
    coalesce(sum(bytes) filter (where action = 2), 0)::bigint as rejected_bytes,
    coalesce(sum(packets) filter (where action = 2), 0)::bigint as rejected_packets
    from flow_rollups_top_1h h left join flow_rollup_keys k on k.field = h.field and k.key = h.key
    where h.field = 1 and not h.compacted and h.bucket >= $1 and h.bucket < $2 and h.key <> '-'
    group by 1, 2),
top as (
    select key_id, new_key, sum_bigint(records) as records, sum_bigint(flows) as flows, sum_bigint(bytes) as bytes,
        sum_bigint(packets) as packets, sum_bigint(rejected_flows) as rejected_flows
    from (
        select unnest(s.key_ids) as key_id, null::text as new_key, unnest(s.records) as records,
            unnest(s.flows) as flows, unnest(s.bytes) as bytes, unnest(s.packets) as packets,
            unnest(s.rejected_flows) as rejected_flows
        from flow_rollups_top_blocks s
        join unnest($3::smallint[], $4::timestamptz[]) b(span, bucket) on s.span = b.span and s.bucket = b.bucket
        where s.field = 1
        union all
        select key_id, new_key, records as records, flows as flows, bytes as bytes, packets as packets, rejected_flows from fresh) r
    group by key_id, new_key
    having sum_bigint(records) > 0
    order by bytes desc
    fetch first $5 rows with ties),
named as (
    select coalesce((select key from flow_rollup_keys k where k.id = top.key_id), new_key) as key, flows, bytes, packets, rejected_flows
    from top)
select key, flows, bytes, packets, rejected_flows
from named
order by bytes desc, key collate "C"
limit $5
-- parameters: $1=2026-11-22T00:00:00.0000000+00:00, $2=2026-11-24T13:00:00.0000000+00:00, $3={48,12,1}, $4={2026-11-22T00:00:00.0000000Z,2026-11-24T00:00:00.0000000Z,2026-11-24T12:00:00.0000000Z}, $5=10
