-- Sizes of the rollups built by 12_rollups.sql (the exact top_blocks computation was too slow on this box and was
-- cancelled); top_blocks bounded below by its 1-hour and 1-day spans only (68 B per key entry: int4 id + 8 int8 sums).
select 'rollups_5m' t, round(pg_total_relation_size('r5m') / 20e6, 2) b_per_rec, (select count(*) from r5m) rows_
union all select 'top_1h (4 fields, text keys, btree bucket)', round(pg_total_relation_size('r1h') / 20e6, 2), (select count(*) from r1h)
union all select 'top_1d', round(pg_total_relation_size('r1d') / 20e6, 2), (select count(*) from r1d)
union all select 'flow_rollup_keys', round(pg_total_relation_size('rkeys') / 20e6, 2), (select count(*) from rkeys)
union all select 'top_blocks 1h spans (lower bound of all spans)', round((select count(*) from (select distinct bucket, field, key from r1h) k) * 68 / 20e6, 2), null
union all select 'top_blocks 24h spans', round((select count(*) from (select distinct bucket, field, key from r1d) k) * 68 / 20e6, 2), null
union all select 'flow_contexts', round(pg_total_relation_size('flow_contexts') / 20e6, 3), (select count(*) from flow_contexts);
select field, count(*) rows_1h, round(pg_total_relation_size('r1h') * count(*)::numeric / (select count(*) from r1h) / 20e6, 2) b_per_rec_share
from r1h group by 1 order by 1;
