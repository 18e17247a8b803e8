-- rollup compaction, 2 of 8: appended summaries taken
delete from flow_top_appended where ctid = any(array(select ctid from flow_top_appended limit 150))
returning bucket, field, account_id, keys, records, flows, bytes, packets, rejected_records, rejected_flows, rejected_bytes, rejected_packets, floor_flows, floor_bytes, floor_packets, floor_rejected_flows, floor_rejected_bytes, floor_rejected_packets
