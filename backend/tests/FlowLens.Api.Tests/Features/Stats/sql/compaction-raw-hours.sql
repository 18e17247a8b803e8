-- rollup compaction, 3 of 8: exact sums of the dirty hours from the raw flows ($1 hours)
select d.bucket, v.field, f.account_id, v.key,
    count(*)::bigint as records,
    count(*) filter (where f.log_status = 1)::bigint as flows,
    coalesce(sum(f.bytes), 0)::bigint as bytes,
    coalesce(sum(f.packets), 0)::bigint as packets,
    count(*) filter (where f.action = 2)::bigint as rejected_records,
    count(*) filter (where f.action = 2 and f.log_status = 1)::bigint as rejected_flows,
    coalesce(sum(f.bytes) filter (where f.action = 2), 0)::bigint as rejected_bytes,
    coalesce(sum(f.packets) filter (where f.action = 2), 0)::bigint as rejected_packets
from unnest($1::timestamptz[]) d(bucket)
cross join lateral (select u.packets as packets, u.bytes as bytes, c.base + u.t * interval '1 second' as start, u.account_id as account_id, u.interface_id as interface_id, u.dstport as dstport, u.action as action, u.log_status as log_status, u.srcaddr as srcaddr, u.dstaddr as dstaddr
    from flow_chunks c
    cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.account_id), unnest(c.interface_id), unnest(c.dstport), unnest(c.action), unnest(c.log_status), unnest(c.srcaddr), unnest(c.dstaddr)) with ordinality u(packets, bytes, t, account_id, interface_id, dstport, action, log_status, srcaddr, dstaddr, ord)
    where c.start_min < d.bucket + interval '1 hour' and c.start_max >= d.bucket and c.start_min > d.bucket - interval '6 hours'
        and c.base + u.t * interval '1 second' >= d.bucket and c.base + u.t * interval '1 second' < d.bucket + interval '1 hour') f
left join flow_strings s on s.id = f.interface_id
cross join lateral (values (1::smallint, host(f.srcaddr)), (2::smallint, host(f.dstaddr)), (3::smallint, f.dstport::text), (4::smallint, s.value)) v(field, key)
where v.key is not null
group by 1, 2, 3, 4
