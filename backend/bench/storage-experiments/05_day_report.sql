\set tt t_:sfx
\set nn1 n1_:sfx
\set nn2 n2_:sfx
\set nn2p n2p_:sfx
\set cc1 c1_:sfx
\set cc2 c2_:sfx
select r as layout, (select count(*) from :src) as records,
  round(pg_relation_size(r) / (select count(*) from :src)::numeric, 1) as heap_main,
  round(pg_table_size(r) / (select count(*) from :src)::numeric, 1) as heap_with_toast,
  round((pg_total_relation_size(r) - pg_table_size(r)) / (select count(*) from :src)::numeric, 2) as indexes,
  round(pg_total_relation_size(r) / (select count(*) from :src)::numeric, 1) as total_b_per_rec
from unnest(array[:'tt', :'nn1', :'nn2', :'nn2p', :'cc1']::regclass[]) r;
select :'cc1' chunks, count(*), avg(n)::int n, avg(cardinality(addrs))::int distinct_addrs,
  avg(pg_column_size(srcaddr))::int src_bytes, avg(pg_column_size(addrs))::int addrs_bytes, avg(pg_column_size(bytes))::int bytes_bytes,
  avg(pg_column_size(packets))::int packets_bytes, avg(pg_column_size(ctx))::int ctx_bytes, avg(pg_column_size(t))::int t_bytes,
  avg(pg_column_size(srcport))::int srcport_bytes, avg(pg_column_size(dstport))::int dstport_bytes,
  avg(pg_column_size(protocol))::int proto_bytes, avg(pg_column_size(dur))::int dur_bytes from c1_:sfx;
\if :{?noc2}
\else
select :'cc2' chunks, avg(pg_column_size(src))::int src_bytes, avg(pg_column_size(dst))::int dst_bytes from c2_:sfx;
\endif
