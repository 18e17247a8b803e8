-- rollup compaction, 8 of 8: 5-minute totals merged
with merged as (
    delete from flow_rollups_5m where bucket in (select distinct bucket from flow_rollups_5m where not compacted)
    returning *)
insert into flow_rollups_5m (bucket, action, log_status, protocol, account_id, records, bytes, packets, compacted)
select bucket, action, log_status, protocol, account_id, sum(records), sum(bytes), sum(packets), true
from merged group by bucket, action, log_status, protocol, account_id
having sum(records) <> 0 or sum(bytes) <> 0 or sum(packets) <> 0
