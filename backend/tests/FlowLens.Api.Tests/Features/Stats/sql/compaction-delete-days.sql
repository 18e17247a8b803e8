-- rollup compaction, 5 of 7: day summaries of touched days deleted ($1 days, $2 fields)
delete from flow_top_1d d using unnest($1::timestamptz[], $2::smallint[]) t(bucket, field)
where d.bucket = t.bucket and d.field = t.field
