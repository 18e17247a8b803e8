-- stats timeseries, from the 5-minute totals, a series per action: from=2026-11-24T00:00Z to=2026-11-25T00:00Z interval=00:15:00 groupBy=action limit=10
with r as (select bucket as t, action, log_status, protocol, records, bytes, packets, coalesce(case action when 1 then 'ACCEPT' when 2 then 'REJECT' end, '-') as key
from flow_rollups_5m r
where bucket >= $1 and bucket < $2 and true),
top as (select key from r where key <> '-' group by key order by coalesce(sum(records) filter (where log_status = 1), 0)::bigint desc, key collate "C" limit $5)
select date_bin($3::interval, r.t, $4) as t,
    case when r.key = '-' or top.key is not null then r.key else 'other' end as key,
    coalesce(sum(r.records) filter (where r.log_status = 1), 0)::bigint as value
from r left join top on top.key = r.key
group by 1, 2
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-11-25T00:00:00.0000000+00:00, $3=00:15:00, $4=2000-01-01T00:00:00.0000000+00:00, $5=10
