-- rollup compaction, 1 of 8 (one transaction with 2 to 5, batch after batch): dirty hours taken
delete from flow_top_dirty where bucket in (select bucket from flow_top_dirty order by bucket limit 24)
returning bucket
