-- Bytes per record of the 7-day tables (20M records, v5), and the database.
select 'today (tw) + brin(start)' layout, round(pg_table_size('tw_1123')::numeric*0 + (select sum(pg_table_size(c.oid)) from pg_class c where c.relname ~ '^tw_\d{4}$') / 20e6, 1) heap,
       round((select sum(pg_indexes_size(c.oid)) from pg_class c where c.relname ~ '^tw_\d{4}$') / 20e6, 2) idx
union all
select 'narrow (n2w) + brin(t) + bloom(src,dst)', round((select sum(pg_table_size(c.oid)) from pg_class c where c.relname ~ '^n2w_\d{4}$') / 20e6, 1),
       round((select sum(pg_indexes_size(c.oid)) from pg_class c where c.relname ~ '^n2w_\d{4}$') / 20e6, 2)
union all
select 'narrow pkt side table (n2pw) + brin + bloom', round(pg_table_size('n2pw') / 20e6, 1), round(pg_indexes_size('n2pw') / 20e6, 2)
union all
select 'chunks lz4 N=2000 (c1w) + gin(addrs) + btree(start_max)', round((select sum(pg_table_size(c.oid)) from pg_class c where c.relname ~ '^c1w_\d{4}$') / 20e6, 1),
       round((select sum(pg_indexes_size(c.oid)) from pg_class c where c.relname ~ '^c1w_\d{4}$') / 20e6, 2)
union all
select 'flow_contexts (dictionary)', round(pg_total_relation_size('flow_contexts') / 20e6, 3), 0;
select pg_size_pretty(pg_database_size(current_database())) as db_total_all_experiments;
