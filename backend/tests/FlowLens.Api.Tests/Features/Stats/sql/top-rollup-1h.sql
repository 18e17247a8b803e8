-- stats top, from the hourly top rows (other filter on a kept field, no whole day): from=2026-11-24T13:00Z to=2026-11-24T18:00Z q="protocol = tcp" by=srcaddr metric=bytes limit=10
select key, coalesce(sum(records) filter (where log_status = 1), 0)::bigint as flows,
    coalesce(sum(bytes), 0)::bigint as bytes,
    coalesce(sum(packets), 0)::bigint as packets,
    coalesce(sum(records) filter (where log_status = 1 and action = 2), 0)::bigint as rejected_flows
from (select bucket as t, action, log_status, protocol, records, bytes, packets, key from flow_rollups_top_1h
where field = 1 and bucket >= $1 and bucket < $2 and coalesce((protocol = $3), false)) r
where key <> '-'
group by key
order by coalesce(sum(bytes), 0)::bigint desc, key collate "C"
limit $4
-- parameters: $1=2026-11-24T13:00:00.0000000+00:00, $2=2026-11-24T18:00:00.0000000+00:00, $3=6, $4=10
