-- stats timeseries, from the 5-minute totals, one series: from=2026-11-24T00:00Z to=2026-11-25T00:00Z interval=00:05:00
select date_bin($3::interval, t, $4) as t, 'total' as key, coalesce(sum(records) filter (where log_status = 1), 0)::bigint as value
from (select bucket as t, action, log_status, protocol, records, bytes, packets, null::text as key
from flow_rollups_5m r
where bucket >= $1 and bucket < $2 and true) r
group by 1
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-11-25T00:00:00.0000000+00:00, $3=00:05:00, $4=2000-01-01T00:00:00.0000000+00:00
