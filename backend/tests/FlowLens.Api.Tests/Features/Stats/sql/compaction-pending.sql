-- rollup compaction: true while any summary or total waits for it (the benchmark polls it)
select exists (select from flow_top_appended) or exists (select from flow_top_dirty)
    or exists (select from flow_rollups_5m where not compacted)
    or exists (select from flow_top_1h h where not exists (select from flow_top_1d d where d.field = h.field and d.bucket = date_bin('1 day', h.bucket, '2000-01-01 00:00:00+00')))
