-- The recommended set-up: GIN on addrs built per closed day partition (CREATE INDEX after the day), none on the
-- open day (11-29 plays "today"); searches then scan the open day's chunks with the same addrs @> array[x] test.
\timing on
drop index if exists c1w_addrs;
create index c1w_1123_gin on c1w_1123 using gin (addrs);
create index c1w_1124_gin on c1w_1124 using gin (addrs);
create index c1w_1125_gin on c1w_1125 using gin (addrs);
create index c1w_1126_gin on c1w_1126 using gin (addrs);
create index c1w_1127_gin on c1w_1127 using gin (addrs);
create index c1w_1128_gin on c1w_1128 using gin (addrs);
select round(sum(pg_relation_size(c.oid)) / 20e6 * 7 / 6, 2) as gin_b_per_rec_if_all_days from pg_class c where c.relname like 'c1w_11%_gin';
