-- stats timeseries, from the daily top rows, a series per source: from=2026-11-24T00:00Z to=2026-12-01T00:00Z interval=1.00:00:00 groupBy=srcaddr limit=10
with r as (select bucket as t, action, log_status, protocol, records, bytes, packets, key from flow_rollups_top_1d
where field = 1 and bucket >= $3 and bucket < $4 and true
union all
select bucket as t, action, log_status, protocol, records, bytes, packets, key from flow_rollups_top_1h
where field = 1 and not compacted and bucket >= $3 and bucket < $4 and true
union all
select bucket as t, action, log_status, protocol, records, bytes, packets, key from flow_rollups_top_1h
where field = 1 and (bucket >= $1 and bucket < $3 or bucket >= $4 and bucket < $2) and true),
top as (select key from r where key <> '-' group by key order by coalesce(sum(records) filter (where log_status = 1), 0)::bigint desc, key collate "C" limit $7)
select date_bin($5::interval, r.t, $6) as t,
    case when r.key = '-' or top.key is not null then r.key else 'other' end as key,
    coalesce(sum(r.records) filter (where r.log_status = 1), 0)::bigint as value
from r left join top on top.key = r.key
group by 1, 2
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-12-01T00:00:00.0000000+00:00, $3=2026-11-24T00:00:00.0000000+00:00, $4=2026-12-01T00:00:00.0000000+00:00, $5=1.00:00:00, $6=2000-01-01T00:00:00.0000000+00:00, $7=10
