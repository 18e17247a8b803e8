-- stats top, from the daily top rows, their hourly rows not compacted, and the hours at either end: from=2026-11-24T13:00Z to=2026-11-27T00:00Z q="protocol = tcp" by=dstaddr metric=bytes limit=10
select key, coalesce(sum(records) filter (where log_status = 1), 0)::bigint as flows,
    coalesce(sum(bytes), 0)::bigint as bytes,
    coalesce(sum(packets), 0)::bigint as packets,
    coalesce(sum(records) filter (where log_status = 1 and action = 2), 0)::bigint as rejected_flows
from (select bucket as t, action, log_status, protocol, records, bytes, packets, key from flow_rollups_top_1d
where field = 2 and bucket >= $3 and bucket < $4 and coalesce((protocol = $5), false)
union all
select bucket as t, action, log_status, protocol, records, bytes, packets, key from flow_rollups_top_1h
where field = 2 and not compacted and bucket >= $3 and bucket < $4 and coalesce((protocol = $5), false)
union all
select bucket as t, action, log_status, protocol, records, bytes, packets, key from flow_rollups_top_1h
where field = 2 and (bucket >= $1 and bucket < $3 or bucket >= $4 and bucket < $2) and coalesce((protocol = $5), false)) r
where key <> '-'
group by key
order by coalesce(sum(bytes), 0)::bigint desc, key collate "C"
limit $6
-- parameters: $1=2026-11-24T13:00:00.0000000+00:00, $2=2026-11-27T00:00:00.0000000+00:00, $3=2026-11-25T00:00:00.0000000+00:00, $4=2026-11-27T00:00:00.0000000+00:00, $5=6, $6=10
