-- rollup compaction, 7 of 8 (a transaction per day and field): its hourly summaries, merged and COPY'd as its day summaries
select $1::timestamptz, h.field, h.account_id, keys, records, flows, bytes, packets, rejected_records, rejected_flows, rejected_bytes, rejected_packets, floor_flows, floor_bytes, floor_packets, floor_rejected_flows, floor_rejected_bytes, floor_rejected_packets
from flow_top_1h h
where h.bucket >= $1 and h.bucket < $1 + interval '1 day' and h.field = $2
