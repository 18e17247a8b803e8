-- BRIN address indexes on the narrow week table (n2w): size per record and build time. psql -v cfg=A|B|C|D
\timing on
drop index if exists n2w_src, n2w_dst, n2pw_src, n2pw_dst;
\if :{?cfgA}
create index n2w_src on n2w using brin (srcaddr inet_bloom_ops(n_distinct_per_range = 1400, false_positive_rate = 0.01)) with (pages_per_range = 16);
create index n2w_dst on n2w using brin (dstaddr inet_bloom_ops(n_distinct_per_range = 1400, false_positive_rate = 0.01)) with (pages_per_range = 16);
\endif
\if :{?cfgB}
create index n2w_src on n2w using brin (srcaddr inet_bloom_ops(n_distinct_per_range = 5200, false_positive_rate = 0.02)) with (pages_per_range = 64);
create index n2w_dst on n2w using brin (dstaddr inet_bloom_ops(n_distinct_per_range = 5200, false_positive_rate = 0.02)) with (pages_per_range = 64);
\endif
\if :{?cfgC}
create index n2w_src on n2w using brin (srcaddr inet_bloom_ops(n_distinct_per_range = 1400, false_positive_rate = 0.05)) with (pages_per_range = 16);
create index n2w_dst on n2w using brin (dstaddr inet_bloom_ops(n_distinct_per_range = 1400, false_positive_rate = 0.05)) with (pages_per_range = 16);
\endif
\if :{?cfgD}
create index n2w_src on n2w using brin (srcaddr inet_minmax_multi_ops) with (pages_per_range = 16);
create index n2w_dst on n2w using brin (dstaddr inet_minmax_multi_ops) with (pages_per_range = 16);
\endif
-- pkt-* side table (5% of records): small bloom too
create index n2pw_src on n2pw using brin (pkt_srcaddr inet_bloom_ops(n_distinct_per_range = 1400, false_positive_rate = 0.01)) with (pages_per_range = 16);
create index n2pw_dst on n2pw using brin (pkt_dstaddr inet_bloom_ops(n_distinct_per_range = 1400, false_positive_rate = 0.01)) with (pages_per_range = 16);
select round(sum(pg_relation_size(i.indexrelid)) filter (where c.relname like 'n2w\_%\_src%' or c.relname like 'n2w\_%\_dst%' or c.relname like 'n2w\_%addr%') / 20e6, 2) as addr_index_b_per_rec,
       round(sum(pg_relation_size(i.indexrelid)) filter (where c.relname like 'n2pw_%') / 20e6, 2) as pkt_index_b_per_rec,
       round(sum(pg_relation_size(i.indexrelid)) / 20e6, 2) as all_index_b_per_rec
from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
where t.relname like 'n2w%' or t.relname like 'n2pw%';
select c.relname, pg_size_pretty(pg_relation_size(c.oid)) from pg_class c where c.relname like 'n2w_1124%' and c.relkind = 'i';
