-- stage + ctx id, rows kept in object order (serial plan).
set max_parallel_workers_per_gather = 0;
drop table if exists stage_ctx;
create unlogged table stage_ctx as
select s.*, c.id as ctx from stage s join flow_contexts c on c.key = ctx_key(s) order by s.object_id, s.line;
-- v2 shape of one day (2026-11-24), for the v2 sizes
drop table if exists stage2_day;
create unlogged table stage2_day as
select v.*, c.id as ctx from stage_v2 v join flow_contexts c on c.key = ctx_key(row(v.*)::stage)
where v.start >= '2026-11-24 00:00+00' and v.start < '2026-11-25 00:00+00' order by v.object_id, v.line;
drop table if exists stage5_day;
create unlogged table stage5_day as select * from stage_ctx
where start >= '2026-11-24 00:00+00' and start < '2026-11-25 00:00+00' order by object_id, line;
select (select count(*) from stage_ctx) all5, (select count(*) from stage5_day) day5, (select count(*) from stage2_day) day2;
