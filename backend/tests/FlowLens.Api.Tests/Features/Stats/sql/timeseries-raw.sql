-- stats timeseries, from the raw flows, one series (a filter the rollups cannot answer): from=2026-11-24T00:00Z to=2026-11-24T02:00Z q="srcaddr = 10.0.0.0/8" interval=00:01:00
select date_bin($4::interval, t, $5) as t, 'total' as key, coalesce(sum(records) filter (where log_status = 1), 0)::bigint as value
from (select f.start as t, f.action, f.log_status, f.protocol, 1::bigint as records, f.bytes, f.packets, null::text as key
from flows f
where f.start >= $1 and f.start < $2 and coalesce((srcaddr <<= $3::inet), false)) r
group by 1
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-11-24T02:00:00.0000000+00:00, $3='10.0.0.0/8', $4=00:01:00, $5=2000-01-01T00:00:00.0000000+00:00
