-- rollup compaction, 5 of 8: day summaries of touched days deleted ($1 days, $2 fields); again in 7, before a day is written
delete from flow_top_1d d using unnest($1::timestamptz[], $2::smallint[]) t(bucket, field)
where d.bucket = t.bucket and d.field = t.field
