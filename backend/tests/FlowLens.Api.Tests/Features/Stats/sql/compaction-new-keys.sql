-- rollup compaction, 1 of 4: ids for the new values of the hourly rows
insert into flow_rollup_keys (field, key)
select distinct field, key from flow_rollups_top_1h where not compacted and key <> '-'
on conflict do nothing
