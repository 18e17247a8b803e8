-- rollup compaction, 1 of 7 (one transaction with 2 to 6): dirty hours taken
delete from flow_top_dirty where bucket in (select bucket from flow_top_dirty order by bucket limit 24)
returning bucket
