-- The 7-day, 20M-record tables for the search and group-by measurements (v5 shape).
-- UNLOGGED only to build them faster on this shared box: sizes and query plans/times are the same as logged tables;
-- load times are measured separately (08_load.sh) on logged tables.
\set ON_ERROR_STOP 1
set max_parallel_workers_per_gather = 0;
drop table if exists tw, n2w, n2pw, c1w cascade;

-- 1. today's layout, partitioned by day, BRIN on start
create unlogged table tw (like flows_template) partition by range (start);
create index tw_start on tw using brin (start);
select format('create unlogged table %I partition of tw for values from (%L) to (%L)', 'tw_' || to_char(d, 'MMDD'), d, d + 1)
from (select date '2026-11-23' + i as d from generate_series(0, 6) i) g \gexec
insert into tw select object_id, packets, bytes, start, "end", source_id, account_id, interface_id, srcport, dstport,
  vpc_id, subnet_id, instance_id, region, az_id, sublocation_type, sublocation_id, pkt_src_aws_service, pkt_dst_aws_service,
  ecs_cluster_arn, ecs_cluster_name, ecs_container_instance_arn, ecs_container_instance_id, ecs_container_id,
  ecs_second_container_id, ecs_service_name, ecs_task_definition_arn, ecs_task_arn, ecs_task_id, reject_reason, version,
  protocol, action, log_status, tcp_flags, type, flow_direction, traffic_path, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr,
  extras, line from stage_ctx;

-- 2. narrow packed rows, partitioned by day on t (int4 seconds since 2000), BRIN on t; pkt-* side table
create unlogged table n2w (bytes int8 not null, packets int8 not null, t int4 not null, object_id int4 not null,
  line int4 not null, ctx int4 not null, ports int4 not null, codes int4 not null, dur int2 not null,
  srcaddr inet, dstaddr inet) partition by range (t);
create index n2w_t on n2w using brin (t);
select format('create unlogged table %I partition of n2w for values from (%s) to (%s)', 'n2w_' || to_char(d, 'MMDD'),
  t2000(d::timestamptz), t2000((d + 1)::timestamptz))
from (select date '2026-11-23' + i as d from generate_series(0, 6) i) g \gexec
insert into n2w select bytes, packets, t2000(start), object_id, line, ctx,
  coalesce(srcport << 16 | dstport, -1), pack_codes(protocol, tcp_flags, action, log_status, type, flow_direction, traffic_path),
  extract(epoch from "end" - start)::int2, srcaddr, dstaddr from stage_ctx;
create unlogged table n2pw (t int4 not null, object_id int4 not null, line int4 not null, pkt_srcaddr inet, pkt_dstaddr inet);
insert into n2pw select t2000(start), object_id, line, pkt_srcaddr, pkt_dstaddr from stage_ctx
  where pkt_srcaddr <> srcaddr or pkt_dstaddr <> dstaddr;  -- null (v2, NODATA) = same
create index n2pw_t on n2pw using brin (t);

-- 3. chunked arrays (lz4), one row per (object, day, <= 2000 records), partitioned by day on start_min
create unlogged table c1w (start_min timestamptz not null, start_max timestamptz not null, object_id int4 not null,
  line0 int4 not null, n int4 not null, addrs inet[] compression lz4 not null,
  ctx int4[] compression lz4 not null, t int2[] compression lz4 not null, dur int2[] compression lz4 not null,
  packets int8[] compression lz4 not null, bytes int8[] compression lz4 not null,
  srcport int4[] compression lz4, dstport int4[] compression lz4, protocol int2[] compression lz4,
  tcp_flags int2[] compression lz4, action int2[] compression lz4, log_status int2[] compression lz4 not null,
  type int2[] compression lz4, flow_direction int2[] compression lz4, traffic_path int2[] compression lz4,
  srcaddr inet[] compression lz4, dstaddr inet[] compression lz4, pkt_srcaddr inet[] compression lz4,
  pkt_dstaddr inet[] compression lz4, line int4[] compression lz4) partition by range (start_min);
select format('create unlogged table %I partition of c1w for values from (%L) to (%L)', 'c1w_' || to_char(d, 'MMDD'), d, d + 1)
from (select date '2026-11-23' + i as d from generate_series(0, 6) i) g \gexec
insert into c1w
select min(start), max(start), object_id, min(line), count(*),
  array(select distinct a from unnest(array_agg(srcaddr) || array_agg(dstaddr) || array_agg(pkt_srcaddr) || array_agg(pkt_dstaddr)) a
        where a is not null order by a),
  array_agg(ctx order by line), array_agg(extract(epoch from start - min_start)::int2 order by line),
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
from (select s.*, min(start) over (partition by object_id, start::date, (line - 2) / 2000) as min_start
      from stage_ctx s) x
group by object_id, start::date, (line - 2) / 2000 order by 3, 4;
create index c1w_addrs on c1w using gin (addrs);
create index c1w_start_max on c1w (start_max);
vacuum analyze tw, n2w, n2pw, c1w;
