-- stats top, from the 5-minute totals (by a field they keep): from=2026-11-24T00:00Z to=2026-11-25T00:00Z q="protocol = tcp" by=action metric=bytes limit=10
select key, coalesce(sum(records) filter (where log_status = 1), 0)::bigint as flows,
    coalesce(sum(bytes), 0)::bigint as bytes,
    coalesce(sum(packets), 0)::bigint as packets,
    coalesce(sum(records) filter (where log_status = 1 and action = 2), 0)::bigint as rejected_flows
from (select bucket as t, action, log_status, protocol, records, bytes, packets, coalesce(case action when 1 then 'ACCEPT' when 2 then 'REJECT' end, '-') as key
from flow_rollups_5m r
where bucket >= $1 and bucket < $2 and coalesce((protocol = $3), false)) r
where key <> '-'
group by key
order by coalesce(sum(bytes), 0)::bigint desc, key collate "C"
limit $4
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-11-25T00:00:00.0000000+00:00, $3=6, $4=10
