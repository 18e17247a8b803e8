-- rollup compaction, 6 of 8: days and fields with hourly summaries and no day summary, each written once per run
select distinct date_bin('1 day', h.bucket, '2000-01-01 00:00:00+00') as day, h.field
from flow_top_1h h
where not exists (select from flow_top_1d d where d.field = h.field and d.bucket = date_bin('1 day', h.bucket, '2000-01-01 00:00:00+00'))
