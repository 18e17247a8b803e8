-- GIN on 32-bit hashes of the chunk's addresses (expression index; the query adds the exact test on the arrays).
\timing on
create or replace function addr_hashes(a inet[]) returns int4[] language sql immutable parallel safe as
  $$ select array(select distinct hashinet(x) from unnest(a) x) $$;
drop index if exists c1_5_addrs_idx, c1_5_hash_idx;
create index c1_5_hash_idx on c1_5 using gin (addr_hashes(addrs));
drop index c1_5_hash_idx;
create index c1_5_hash_idx on c1_5 using gin (addr_hashes(addrs));
select round(pg_relation_size('c1_5_hash_idx') / 2854957.0, 2) as gin_hash_b_per_rec;
-- incremental: COPY-like insert of the day into an empty table that has the index
drop table if exists c1_5h;
create table c1_5h (like c1_5 including compression);
create index on c1_5h using gin (addr_hashes(addrs));
insert into c1_5h select * from c1_5;
select gin_clean_pending_list('c1_5h_addr_hashes_idx');
set enable_seqscan = off;
explain (analyze, buffers, costs off) select count(*) from c1_5 where addr_hashes(addrs) @> array[hashinet('20.163.159.223')] and '20.163.159.223' = any(addrs);
