-- rollup compaction, 3 of 4: daily rows merged
with merged as (
    delete from flow_rollups_top_1d where bucket in (select distinct bucket from flow_rollups_top_1d where not compacted)
    returning *)
insert into flow_rollups_top_1d (bucket, field, key, action, log_status, protocol, records, bytes, packets, compacted)
select bucket, field, key, action, log_status, protocol, sum(records), sum(bytes), sum(packets), true
from merged group by bucket, field, key, action, log_status, protocol
having sum(records) <> 0 or sum(bytes) <> 0 or sum(packets) <> 0
