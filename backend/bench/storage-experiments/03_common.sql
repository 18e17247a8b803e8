-- Shared pieces: a v2-shaped view of the data, the context dictionary, and helpers.
create or replace view stage_v2 as
select object_id, packets, bytes, start, "end", source_id, account_id, interface_id, srcport, dstport,
       null::int vpc_id, null::int subnet_id, null::int instance_id, null::int region, null::int az_id,
       null::int sublocation_type, null::int sublocation_id, null::int pkt_src_aws_service, null::int pkt_dst_aws_service,
       null::int ecs_cluster_arn, null::int ecs_cluster_name, null::int ecs_container_instance_arn,
       null::int ecs_container_instance_id, null::int ecs_container_id, null::int ecs_second_container_id,
       null::int ecs_service_name, null::int ecs_task_definition_arn, null::int ecs_task_arn, null::int ecs_task_id,
       null::int reject_reason, 2::smallint version, protocol, action, log_status,
       null::smallint tcp_flags, null::smallint type, null::smallint flow_direction, null::smallint traffic_path,
       srcaddr, dstaddr, null::inet pkt_srcaddr, null::inet pkt_dstaddr, extras, line
from stage;

-- Per-record constants of an interface (and the rare per-record text fields) as one id: the narrow layouts' "ctx".
create or replace function ctx_key(s stage) returns text language sql immutable as $$
  select concat_ws('|', s.source_id, s.version, s.account_id, s.interface_id, s.vpc_id, s.subnet_id, s.instance_id,
     s.region, s.az_id, s.sublocation_type, s.sublocation_id, s.pkt_src_aws_service, s.pkt_dst_aws_service,
     s.ecs_cluster_arn, s.ecs_cluster_name, s.ecs_container_instance_arn, s.ecs_container_instance_id,
     s.ecs_container_id, s.ecs_second_container_id, s.ecs_service_name, s.ecs_task_definition_arn, s.ecs_task_arn,
     s.ecs_task_id, s.reject_reason) $$;

drop table if exists flow_contexts;
create table flow_contexts (id int primary key, key text unique not null, source_id int not null, version smallint,
  account_id int, interface_id int, vpc_id int, subnet_id int, instance_id int, region int, az_id int,
  sublocation_type int, sublocation_id int, pkt_src_aws_service int, pkt_dst_aws_service int,
  ecs_cluster_arn int, ecs_cluster_name int, ecs_container_instance_arn int, ecs_container_instance_id int,
  ecs_container_id int, ecs_second_container_id int, ecs_service_name int, ecs_task_definition_arn int,
  ecs_task_arn int, ecs_task_id int, reject_reason int);
insert into flow_contexts
select row_number() over (order by key), * from (
  select distinct on (k) k as key, source_id, version, account_id, interface_id, vpc_id, subnet_id, instance_id, region, az_id,
    sublocation_type, sublocation_id, pkt_src_aws_service, pkt_dst_aws_service, ecs_cluster_arn, ecs_cluster_name,
    ecs_container_instance_arn, ecs_container_instance_id, ecs_container_id, ecs_second_container_id, ecs_service_name,
    ecs_task_definition_arn, ecs_task_arn, ecs_task_id, reject_reason
  from (select ctx_key(s) k, s.* from stage s union all select ctx_key(row(v.*)::stage), v.* from stage_v2 v where object_id <= 2) x
) d;
select count(*) as contexts, pg_size_pretty(pg_total_relation_size('flow_contexts')) from flow_contexts;

-- Packed codes of the narrow row and their decoding.
create or replace function pack_codes(protocol int, tcp_flags int, action int, log_status int, type int, dir int, path int)
returns int language sql immutable parallel safe as $$
  select coalesce(protocol, 255) | coalesce(tcp_flags, 255) << 8 | coalesce(action, 0) << 16 | coalesce(log_status, 0) << 18
       | coalesce(type, 0) << 20 | coalesce(dir, 0) << 22 | coalesce(path, 0) << 24 $$;
create or replace function t2000(ts timestamptz) returns int language sql immutable parallel safe as
  $$ select (extract(epoch from ts) - 946684800)::int $$;
create or replace function ts2000(t int) returns timestamptz language sql immutable parallel safe as
  $$ select timestamptz '2000-01-01 00:00:00+00' + t * interval '1 second' $$;
