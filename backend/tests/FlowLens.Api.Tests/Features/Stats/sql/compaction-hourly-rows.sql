-- rollup compaction, 2 of 4 (same transaction): hourly rows merged, into daily rows and key sums blocks
with merged as (
    delete from flow_rollups_top_1h where bucket in (select distinct bucket from flow_rollups_top_1h where not compacted)
    returning *),
hours as (
    insert into flow_rollups_top_1h (bucket, field, key, action, log_status, protocol, records, bytes, packets, compacted)
    select bucket, field, key, action, log_status, protocol, sum(records), sum(bytes), sum(packets), true
    from merged group by bucket, field, key, action, log_status, protocol
    having sum(records) <> 0 or sum(bytes) <> 0 or sum(packets) <> 0),
days as (
    insert into flow_rollups_top_1d (bucket, field, key, action, log_status, protocol, records, bytes, packets)
    select date_bin('1 day', bucket, '2000-01-01 00:00:00+00'), field, key, action, log_status, protocol, sum(records), sum(bytes), sum(packets)
    from merged where not compacted group by 1, 2, 3, 4, 5, 6),
new_hours as (
    select m.field, m.bucket, k.id as key_id, coalesce(sum(records), 0)::bigint as records,
    coalesce(sum(records) filter (where log_status = 1), 0)::bigint as flows,
    coalesce(sum(bytes), 0)::bigint as bytes,
    coalesce(sum(packets), 0)::bigint as packets,
    coalesce(sum(records) filter (where action = 2), 0)::bigint as rejected_records,
    coalesce(sum(records) filter (where log_status = 1 and action = 2), 0)::bigint as rejected_flows,
    coalesce(sum(bytes) filter (where action = 2), 0)::bigint as rejected_bytes,
    coalesce(sum(packets) filter (where action = 2), 0)::bigint as rejected_packets
    from merged m join flow_rollup_keys k on k.field = m.field and k.key = m.key
    where not m.compacted
    group by m.field, m.bucket, k.id),
new_days as (
    select field, date_bin('1 day', bucket, '2000-01-01 00:00:00+00') as day, key_id, sum_bigint(records) as records, sum_bigint(flows) as flows, sum_bigint(bytes) as bytes, sum_bigint(packets) as packets, sum_bigint(rejected_records) as rejected_records, sum_bigint(rejected_flows) as rejected_flows, sum_bigint(rejected_bytes) as rejected_bytes, sum_bigint(rejected_packets) as rejected_packets
    from new_hours group by 1, 2, 3),
new_blocks as (
    select h.field, s.span, date_bin(make_interval(hours => s.span), h.bucket, '2000-01-01 00:00:00+00') as bucket, h.key_id, records, flows, bytes, packets, rejected_records, rejected_flows, rejected_bytes, rejected_packets
    from new_hours h cross join unnest(array[1, 2, 4, 8, 12]) s(span)
    union all
    -- the blocks of 1 to 7 days that hold the day: those starting on it and up to 6 days before
    select d.field, 24 * s.days, d.day - make_interval(hours => 24 * s2.back), d.key_id, records, flows, bytes, packets, rejected_records, rejected_flows, rejected_bytes, rejected_packets
    from new_days d cross join generate_series(1, 7) s(days) cross join generate_series(0, s.days - 1) s2(back)),
old_blocks as (
    delete from flow_rollups_top_blocks t
    using (select distinct field, span, bucket from new_blocks) b
    where t.field = b.field and t.span = b.span and t.bucket = b.bucket
    returning t.*),
summed as (
    select field, span, bucket, key_id, sum_bigint(records) as records, sum_bigint(flows) as flows, sum_bigint(bytes) as bytes, sum_bigint(packets) as packets, sum_bigint(rejected_records) as rejected_records, sum_bigint(rejected_flows) as rejected_flows, sum_bigint(rejected_bytes) as rejected_bytes, sum_bigint(rejected_packets) as rejected_packets
    from (select o.field, o.span, o.bucket, u.* from old_blocks o, unnest(o.key_ids, o.records, o.flows, o.bytes, o.packets, o.rejected_records, o.rejected_flows, o.rejected_bytes, o.rejected_packets) u(key_id, records, flows, bytes, packets, rejected_records, rejected_flows, rejected_bytes, rejected_packets)
          union all select field, span, bucket, key_id, records, flows, bytes, packets, rejected_records, rejected_flows, rejected_bytes, rejected_packets from new_blocks) b
    group by 1, 2, 3, 4
    having sum_bigint(records) <> 0)
insert into flow_rollups_top_blocks (field, span, bucket, key_ids, records, flows, bytes, packets, rejected_records, rejected_flows, rejected_bytes, rejected_packets)
select field, span, bucket, array_agg(key_id order by key_id), array_agg(records order by key_id), array_agg(flows order by key_id), array_agg(bytes order by key_id), array_agg(packets order by key_id), array_agg(rejected_records order by key_id), array_agg(rejected_flows order by key_id), array_agg(rejected_bytes order by key_id), array_agg(rejected_packets order by key_id)
from summed group by 1, 2, 3
