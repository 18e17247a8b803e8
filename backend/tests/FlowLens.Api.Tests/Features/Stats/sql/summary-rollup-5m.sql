-- stats summary, from the 5-minute totals (range on 5 minutes, filter on action/log-status/protocol): from=2026-11-24T00:00Z to=2026-11-25T00:00Z q="action = REJECT"
select coalesce(sum(records) filter (where log_status = 1), 0)::bigint as flows,
    coalesce(sum(bytes), 0)::bigint as bytes,
    coalesce(sum(packets), 0)::bigint as packets,
    coalesce(sum(records) filter (where log_status = 1 and action = 1), 0)::bigint as accepted_flows,
    coalesce(sum(records) filter (where log_status = 1 and action = 2), 0)::bigint as rejected_flows,
    coalesce(sum(records) filter (where log_status = 2), 0)::bigint as no_data_records,
    coalesce(sum(records) filter (where log_status = 3), 0)::bigint as skip_data_records
from (select bucket as t, action, log_status, protocol, records, bytes, packets, null::text as key
from flow_rollups_5m r
where bucket >= $1 and bucket < $2 and coalesce((action = $3), false)) r
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-11-25T00:00:00.0000000+00:00, $3=2
