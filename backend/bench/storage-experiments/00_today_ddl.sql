-- Today's flows columns (schema.sql), as a plain template table.
drop table if exists flows_template cascade;
create table flows_template (
    object_id bigint NOT NULL, packets bigint, bytes bigint, start timestamptz, "end" timestamptz,
    source_id integer NOT NULL, account_id integer, interface_id integer, srcport integer, dstport integer,
    vpc_id integer, subnet_id integer, instance_id integer, region integer, az_id integer,
    sublocation_type integer, sublocation_id integer, pkt_src_aws_service integer, pkt_dst_aws_service integer,
    ecs_cluster_arn integer, ecs_cluster_name integer, ecs_container_instance_arn integer,
    ecs_container_instance_id integer, ecs_container_id integer, ecs_second_container_id integer,
    ecs_service_name integer, ecs_task_definition_arn integer, ecs_task_arn integer, ecs_task_id integer,
    reject_reason integer, version smallint, protocol smallint, action smallint, log_status smallint,
    tcp_flags smallint, type smallint, flow_direction smallint, traffic_path smallint,
    srcaddr inet, dstaddr inet, pkt_srcaddr inet, pkt_dstaddr inet, extras jsonb, line integer);
