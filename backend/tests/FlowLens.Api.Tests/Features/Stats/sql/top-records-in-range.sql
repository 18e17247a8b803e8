-- stats top, the records of the range from the 5-minute totals: at most FlowLens:Rollups:ExactTopRecords, the top is answered raw: from=2026-11-24T00:00Z to=2026-11-25T00:00Z
select coalesce(sum(records), 0)::bigint from flow_rollups_5m where bucket >= $1 and bucket < $2
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-11-25T00:00:00.0000000+00:00
