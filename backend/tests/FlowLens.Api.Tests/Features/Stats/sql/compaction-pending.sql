-- rollup compaction: true while any summary or total waits for it (the benchmark polls it)
select exists (select from flow_top_appended) or exists (select from flow_top_dirty)
    or exists (select from flow_rollups_5m where not compacted)
