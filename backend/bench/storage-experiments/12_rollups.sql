-- What FlowLens's rollups (docs/queries.md) cost on this data, compacted state, for the 7 days (20M records):
-- 5m, top_1h / top_1d (srcaddr, dstaddr, dstport, interface-id; text keys; btree on bucket), flow_rollup_keys,
-- and top_blocks estimated from the distinct keys of each block (4-byte id + 8 sums of 8 bytes per key, uncompressed).
\timing on
set max_parallel_workers_per_gather = 2;
drop table if exists r5m, r1h, r1d, rkeys;
create table r5m as select date_bin('5 minutes', start, '2026-01-01') bucket, action, log_status, protocol,
  count(*) records, sum(bytes) bytes, sum(packets) packets, true compacted from tw group by 1, 2, 3, 4;
create index on r5m (bucket);
create table r1h as
select date_trunc('hour', start) bucket, f.field::smallint, f.key, action, log_status, protocol,
  count(*) records, sum(bytes) bytes, sum(packets) packets, true compacted
from tw cross join lateral (values (1, host(srcaddr)), (2, host(dstaddr)), (3, dstport::text), (4, interface_id::text)) f(field, key)
where f.key is not null group by 1, 2, 3, 4, 5, 6;
create index on r1h (bucket);
create table r1d as select date_trunc('day', bucket) bucket, field, key, action, log_status, protocol,
  sum(records) records, sum(bytes) bytes, sum(packets) packets, true compacted from r1h group by 1, 2, 3, 4, 5, 6;
create index on r1d (bucket);
create table rkeys as select row_number() over ()::int id, field, key from (select distinct field, key from r1h) k;
alter table rkeys add primary key (id), add unique (field, key);
vacuum analyze r5m, r1h, r1d, rkeys;
-- blocks: hour blocks of 1, 2, 4, 8, 12 h aligned on multiples after midnight; day blocks of 1..7 days from any midnight
create temp table blocks as
select b.span, b.bucket, count(distinct (h.field, h.key)) keys
from (select s as span, date_trunc('day', h) + (extract(hour from h)::int / s * s) * interval '1 hour' as bucket
      from unnest(array[1, 2, 4, 8, 12]) s, generate_series(timestamptz '2026-11-23', '2026-11-29 23:00', '1 hour') h
      group by 1, 2
      union all
      select s * 24, d from unnest(array[1, 2, 3, 4, 5, 6, 7]) s, generate_series(timestamptz '2026-11-23', '2026-11-29', '1 day') d
      where d + s * interval '1 day' <= '2026-11-30') b
join r1h h on h.bucket >= b.bucket and h.bucket < b.bucket + b.span * interval '1 hour'
group by 1, 2;
select 'rollups_5m' t, round(pg_total_relation_size('r5m') / 20e6, 2) b_per_rec
union all select 'top_1h', round(pg_total_relation_size('r1h') / 20e6, 2)
union all select 'top_1d', round(pg_total_relation_size('r1d') / 20e6, 2)
union all select 'rollup_keys', round(pg_total_relation_size('rkeys') / 20e6, 2)
union all select 'top_blocks (estimate)', round(sum(keys * 68 + 200)::numeric / 20e6, 2) from blocks
union all select 'flow_contexts', round(pg_total_relation_size('flow_contexts') / 20e6, 3);
select span, count(*) blocks, avg(keys)::int avg_keys from blocks group by 1 order by 1;
