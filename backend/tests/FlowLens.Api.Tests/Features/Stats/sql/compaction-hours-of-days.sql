-- rollup compaction, 6 of 7: hourly summaries of touched days, merged and COPY'd as day summaries
select d.day, h.field, h.account_id, keys, records, flows, bytes, packets, rejected_records, rejected_flows, rejected_bytes, rejected_packets, floor_flows, floor_bytes, floor_packets, floor_rejected_flows, floor_rejected_bytes, floor_rejected_packets
from unnest($1::timestamptz[], $2::smallint[]) d(day, field)
join flow_top_1h h on h.bucket >= d.day and h.bucket < d.day + interval '1 day' and h.field = d.field
