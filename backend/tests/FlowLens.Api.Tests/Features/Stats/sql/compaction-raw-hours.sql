-- rollup compaction, 3 of 7: exact sums of the dirty hours from the raw flows ($1 hours)
select d.bucket, v.field, v.key,
    count(*)::bigint as records,
    count(*) filter (where f.log_status = 1)::bigint as flows,
    coalesce(sum(f.bytes), 0)::bigint as bytes,
    coalesce(sum(f.packets), 0)::bigint as packets,
    count(*) filter (where f.action = 2)::bigint as rejected_records,
    count(*) filter (where f.action = 2 and f.log_status = 1)::bigint as rejected_flows,
    coalesce(sum(f.bytes) filter (where f.action = 2), 0)::bigint as rejected_bytes,
    coalesce(sum(f.packets) filter (where f.action = 2), 0)::bigint as rejected_packets
from unnest($1::timestamptz[]) d(bucket)
join flows f on f.start >= d.bucket and f.start < d.bucket + interval '1 hour'
left join flow_strings s on s.id = f.interface_id
cross join lateral (values (1::smallint, host(f.srcaddr)), (2::smallint, host(f.dstaddr)), (3::smallint, f.dstport::text), (4::smallint, s.value)) v(field, key)
where v.key is not null
group by 1, 2, 3
