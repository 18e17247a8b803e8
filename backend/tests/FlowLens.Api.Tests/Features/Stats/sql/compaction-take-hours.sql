-- rollup compaction, 4 of 8: merged hourly summaries taken, to merge and COPY back ($1 hours, $2 fields)
delete from flow_top_1h h using unnest($1::timestamptz[], $2::smallint[]) t(bucket, field)
where h.bucket = t.bucket and h.field = t.field
returning h.bucket, h.field, h.account_id, keys, records, flows, bytes, packets, rejected_records, rejected_flows, rejected_bytes, rejected_packets, floor_flows, floor_bytes, floor_packets, floor_rejected_flows, floor_rejected_bytes, floor_rejected_packets
