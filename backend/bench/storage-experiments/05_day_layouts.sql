-- Bytes per record of each layout for one day (2026-11-24, 2.85M records). psql -v src=stage5_day -v sfx=5 (or stage2_day / 2)
\set ON_ERROR_STOP 1
set max_parallel_workers_per_gather = 0;

-- 1. Today's layout (schema.sql columns) + BRIN on start.
drop table if exists t_:sfx;
create table t_:sfx (like flows_template);
insert into t_:sfx select object_id, packets, bytes, start, "end", source_id, account_id, interface_id, srcport, dstport,
  vpc_id, subnet_id, instance_id, region, az_id, sublocation_type, sublocation_id, pkt_src_aws_service, pkt_dst_aws_service,
  ecs_cluster_arn, ecs_cluster_name, ecs_container_instance_arn, ecs_container_instance_id, ecs_container_id,
  ecs_second_container_id, ecs_service_name, ecs_task_definition_arn, ecs_task_arn, ecs_task_id, reject_reason, version,
  protocol, action, log_status, tcp_flags, type, flow_direction, traffic_path, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr,
  extras, line from :src;
create index on t_:sfx using brin (start);

-- 2a. Narrow, readable: plain types, ctx for the text ids, end as a duration, pkt-* only when they differ.
drop table if exists n1_:sfx;
create table n1_:sfx (bytes int8 not null, packets int8 not null, start timestamptz not null, object_id int4 not null,
  line int4 not null, ctx int4 not null, srcport int4, dstport int4, dur int2 not null, protocol int2, tcp_flags int2,
  action "char", log_status "char" not null, type "char", flow_direction "char", traffic_path "char",
  srcaddr inet, dstaddr inet, pkt_srcaddr inet, pkt_dstaddr inet);
insert into n1_:sfx select bytes, packets, start, object_id, line, ctx, srcport, dstport,
  extract(epoch from "end" - start)::int2, protocol, tcp_flags, action::int::"char", log_status::int::"char",
  type::int::"char", flow_direction::int::"char", traffic_path::int::"char", srcaddr, dstaddr,
  nullif(pkt_srcaddr, srcaddr), nullif(pkt_dstaddr, dstaddr) from :src;

-- 2b. Narrow, packed: no NULLs but the addresses of NODATA rows; start as int4 seconds since 2000; codes and ports packed;
--     pkt-* in a side table for the rows where they differ.
drop table if exists n2_:sfx, n2p_:sfx;
create table n2_:sfx (bytes int8 not null, packets int8 not null, t int4 not null, object_id int4 not null,
  line int4 not null, ctx int4 not null, ports int4 not null, codes int4 not null, dur int2 not null,
  srcaddr inet, dstaddr inet);
insert into n2_:sfx select bytes, packets, t2000(start), object_id, line, ctx,
  coalesce(srcport << 16 | dstport, -1), pack_codes(protocol, tcp_flags, action, log_status, type, flow_direction, traffic_path),
  extract(epoch from "end" - start)::int2, srcaddr, dstaddr from :src;
create table n2p_:sfx (t int4 not null, object_id int4 not null, line int4 not null, pkt_srcaddr inet, pkt_dstaddr inet);
insert into n2p_:sfx select t2000(start), object_id, line, pkt_srcaddr, pkt_dstaddr from :src
  where pkt_srcaddr <> srcaddr or pkt_dstaddr <> dstaddr;  -- null (v2, NODATA) = same
create index on n2_:sfx using brin (t);

-- 3. Chunked columnar arrays, one row per (object, day, <= :N records); c1 keeps inet[] per address field,
--    c2 keeps the chunk's distinct addresses once (addrs) and int2 positions into it.
\if :{?N}
\else
\set N 2000
\endif
drop table if exists c_tmp;
create unlogged table c_tmp as
select s.*, (line - 2) / :N as k, t2000(start) as t from :src s;

drop table if exists c1_:sfx;
create table c1_:sfx (start_min timestamptz not null, start_max timestamptz not null, object_id int4 not null,
  line0 int4 not null, n int4 not null, addrs inet[] not null,
  ctx int4[] not null, t int2[] not null, dur int2[] not null, packets int8[] not null, bytes int8[] not null,
  srcport int4[], dstport int4[], protocol int2[], tcp_flags int2[], action int2[], log_status int2[] not null,
  type int2[], flow_direction int2[], traffic_path int2[],
  srcaddr inet[], dstaddr inet[], pkt_srcaddr inet[], pkt_dstaddr inet[], line int4[]);
alter table c1_:sfx alter column addrs set compression :comp, alter column ctx set compression :comp,
  alter column t set compression :comp, alter column dur set compression :comp, alter column packets set compression :comp,
  alter column bytes set compression :comp, alter column srcport set compression :comp, alter column dstport set compression :comp,
  alter column protocol set compression :comp, alter column tcp_flags set compression :comp, alter column action set compression :comp,
  alter column log_status set compression :comp, alter column type set compression :comp,
  alter column flow_direction set compression :comp, alter column traffic_path set compression :comp,
  alter column srcaddr set compression :comp, alter column dstaddr set compression :comp,
  alter column pkt_srcaddr set compression :comp, alter column pkt_dstaddr set compression :comp, alter column line set compression :comp;
insert into c1_:sfx
select min(start), max(start), object_id, min(line), count(*),
  array(select distinct a from unnest(array_agg(srcaddr) || array_agg(dstaddr) || array_agg(pkt_srcaddr) || array_agg(pkt_dstaddr)) a
        where a is not null order by a),
  array_agg(ctx order by line), array_agg((t - t2000(min_start))::int2 order by line),
  array_agg(extract(epoch from "end" - start)::int2 order by line),
  array_agg(packets order by line), array_agg(bytes order by line),
  array_agg(srcport order by line), array_agg(dstport order by line), array_agg(protocol order by line),
  case when bool_or(tcp_flags is not null) then array_agg(tcp_flags order by line) end,
  array_agg(action order by line), array_agg(log_status order by line),
  case when bool_or(type is not null) then array_agg(type order by line) end,
  case when bool_or(flow_direction is not null) then array_agg(flow_direction order by line) end,
  case when bool_or(traffic_path is not null) then array_agg(traffic_path order by line) end,
  array_agg(srcaddr order by line), array_agg(dstaddr order by line),
  case when bool_or(pkt_srcaddr <> srcaddr) then array_agg(nullif(pkt_srcaddr, srcaddr) order by line) end,
  case when bool_or(pkt_dstaddr <> dstaddr) then array_agg(nullif(pkt_dstaddr, dstaddr) order by line) end,
  null
from (select c.*, min(start) over (partition by object_id, k) as min_start from c_tmp c) x
group by object_id, k order by object_id, k;

\if :{?noc2}
\else
drop table if exists c2_:sfx;
create table c2_:sfx (like c1_:sfx including compression);
alter table c2_:sfx drop column srcaddr, drop column dstaddr, drop column pkt_srcaddr, drop column pkt_dstaddr, drop column line,
  add column src int2[], add column dst int2[], add column psrc int2[], add column pdst int2[], add column line int4[];
alter table c2_:sfx alter column src set compression :comp, alter column dst set compression :comp,
  alter column psrc set compression :comp, alter column pdst set compression :comp, alter column line set compression :comp;
insert into c2_:sfx (start_min, start_max, object_id, line0, n, addrs, ctx, t, dur, packets, bytes, srcport, dstport, protocol,
  tcp_flags, action, log_status, type, flow_direction, traffic_path, src, dst, psrc, pdst, line)
select start_min, start_max, object_id, line0, n, addrs, ctx, t, dur, packets, bytes, srcport, dstport, protocol,
  tcp_flags, action, log_status, type, flow_direction, traffic_path,
  array(select array_position(addrs, a)::int2 from unnest(srcaddr) a),
  array(select array_position(addrs, a)::int2 from unnest(dstaddr) a),
  case when pkt_srcaddr is not null then array(select array_position(addrs, a)::int2 from unnest(pkt_srcaddr) a) end,
  case when pkt_dstaddr is not null then array(select array_position(addrs, a)::int2 from unnest(pkt_dstaddr) a) end,
  null
from c1_:sfx order by object_id, line0;
create index on c2_:sfx using gin (addrs);
\endif
create index on c1_:sfx using gin (addrs);

vacuum analyze t_:sfx, n1_:sfx, n2_:sfx, n2p_:sfx, c1_:sfx;
\ir 05_day_report.sql
