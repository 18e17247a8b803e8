-- flow feed, after a cursor, up to 1000 flows (one more asked) stored below the horizon, from 100 chunks at most
select
    p.object_id as object_id,
    p.a_packets[p.ord] as packets,
    p.a_bytes[p.ord] as bytes,
    p.a_packets_lost_no_route[p.ord] as packets_lost_no_route,
    p.a_packets_lost_blackhole[p.ord] as packets_lost_blackhole,
    p.a_packets_lost_mtu_exceeded[p.ord] as packets_lost_mtu_exceeded,
    p.a_packets_lost_ttl_expired[p.ord] as packets_lost_ttl_expired,
    p.start as start,
    p.a_base + p.a_e[p.ord] * interval '1 second' as "end",
    p.source_id as source_id,
    p.a_account_id[p.ord] as account_id,
    p.a_interface_id[p.ord] as interface_id,
    p.a_srcport[p.ord] as srcport,
    p.a_dstport[p.ord] as dstport,
    p.a_vpc_id[p.ord] as vpc_id,
    p.a_subnet_id[p.ord] as subnet_id,
    p.a_instance_id[p.ord] as instance_id,
    p.a_region[p.ord] as region,
    p.a_az_id[p.ord] as az_id,
    p.a_sublocation_type[p.ord] as sublocation_type,
    p.a_sublocation_id[p.ord] as sublocation_id,
    p.a_pkt_src_aws_service[p.ord] as pkt_src_aws_service,
    p.a_pkt_dst_aws_service[p.ord] as pkt_dst_aws_service,
    p.a_ecs_cluster_arn[p.ord] as ecs_cluster_arn,
    p.a_ecs_cluster_name[p.ord] as ecs_cluster_name,
    p.a_ecs_container_instance_arn[p.ord] as ecs_container_instance_arn,
    p.a_ecs_container_instance_id[p.ord] as ecs_container_instance_id,
    p.a_ecs_container_id[p.ord] as ecs_container_id,
    p.a_ecs_second_container_id[p.ord] as ecs_second_container_id,
    p.a_ecs_service_name[p.ord] as ecs_service_name,
    p.a_ecs_task_definition_arn[p.ord] as ecs_task_definition_arn,
    p.a_ecs_task_arn[p.ord] as ecs_task_arn,
    p.a_ecs_task_id[p.ord] as ecs_task_id,
    p.a_reject_reason[p.ord] as reject_reason,
    p.a_resource_type[p.ord] as resource_type,
    p.a_tgw_id[p.ord] as tgw_id,
    p.a_tgw_attachment_id[p.ord] as tgw_attachment_id,
    p.a_tgw_src_vpc_account_id[p.ord] as tgw_src_vpc_account_id,
    p.a_tgw_dst_vpc_account_id[p.ord] as tgw_dst_vpc_account_id,
    p.a_tgw_src_vpc_id[p.ord] as tgw_src_vpc_id,
    p.a_tgw_dst_vpc_id[p.ord] as tgw_dst_vpc_id,
    p.a_tgw_src_subnet_id[p.ord] as tgw_src_subnet_id,
    p.a_tgw_dst_subnet_id[p.ord] as tgw_dst_subnet_id,
    p.a_tgw_src_eni[p.ord] as tgw_src_eni,
    p.a_tgw_dst_eni[p.ord] as tgw_dst_eni,
    p.a_tgw_src_az_id[p.ord] as tgw_src_az_id,
    p.a_tgw_dst_az_id[p.ord] as tgw_dst_az_id,
    p.a_tgw_pair_attachment_id[p.ord] as tgw_pair_attachment_id,
    p.a_version[p.ord] as version,
    p.a_protocol[p.ord] as protocol,
    p.a_action[p.ord] as action,
    p.a_log_status[p.ord] as log_status,
    p.a_tcp_flags[p.ord] as tcp_flags,
    p.a_type[p.ord] as type,
    p.a_flow_direction[p.ord] as flow_direction,
    p.a_traffic_path[p.ord] as traffic_path,
    p.a_srcaddr[p.ord] as srcaddr,
    p.a_dstaddr[p.ord] as dstaddr,
    p.a_pkt_srcaddr[p.ord] as pkt_srcaddr,
    p.a_pkt_dstaddr[p.ord] as pkt_dstaddr,
    p.a_extras[p.ord] as extras,
    coalesce(p.a_line[p.ord], p.a_line0 + p.ord - 1) as line,
    c.stored_xid::text as feed_xid, c.object_id as feed_object_id, c.line0 as feed_line0, p.ord as feed_ord
from (
    select c.* from flow_chunks c
    where c.stored_xid < $1::xid8 and c.stored_xid >= $2::xid8
        and (c.stored_xid, c.object_id, c.line0) >= ($2::xid8, $3, $4)
    order by c.stored_xid, c.object_id, c.line0
    limit $6) c
left join lateral (
    select f.* from (select c.object_id as object_id, c.base + u.t * interval '1 second' as start, c.source_id as source_id, coalesce(u.line, c.line0 + u.ord::int - 1) as line, c.packets as a_packets, c.bytes as a_bytes, c.packets_lost_no_route as a_packets_lost_no_route, c.packets_lost_blackhole as a_packets_lost_blackhole, c.packets_lost_mtu_exceeded as a_packets_lost_mtu_exceeded, c.packets_lost_ttl_expired as a_packets_lost_ttl_expired, c.t as a_t, c.e as a_e, c.account_id as a_account_id, c.interface_id as a_interface_id, c.srcport as a_srcport, c.dstport as a_dstport, c.vpc_id as a_vpc_id, c.subnet_id as a_subnet_id, c.instance_id as a_instance_id, c.region as a_region, c.az_id as a_az_id, c.sublocation_type as a_sublocation_type, c.sublocation_id as a_sublocation_id, c.pkt_src_aws_service as a_pkt_src_aws_service, c.pkt_dst_aws_service as a_pkt_dst_aws_service, c.ecs_cluster_arn as a_ecs_cluster_arn, c.ecs_cluster_name as a_ecs_cluster_name, c.ecs_container_instance_arn as a_ecs_container_instance_arn, c.ecs_container_instance_id as a_ecs_container_instance_id, c.ecs_container_id as a_ecs_container_id, c.ecs_second_container_id as a_ecs_second_container_id, c.ecs_service_name as a_ecs_service_name, c.ecs_task_definition_arn as a_ecs_task_definition_arn, c.ecs_task_arn as a_ecs_task_arn, c.ecs_task_id as a_ecs_task_id, c.reject_reason as a_reject_reason, c.resource_type as a_resource_type, c.tgw_id as a_tgw_id, c.tgw_attachment_id as a_tgw_attachment_id, c.tgw_src_vpc_account_id as a_tgw_src_vpc_account_id, c.tgw_dst_vpc_account_id as a_tgw_dst_vpc_account_id, c.tgw_src_vpc_id as a_tgw_src_vpc_id, c.tgw_dst_vpc_id as a_tgw_dst_vpc_id, c.tgw_src_subnet_id as a_tgw_src_subnet_id, c.tgw_dst_subnet_id as a_tgw_dst_subnet_id, c.tgw_src_eni as a_tgw_src_eni, c.tgw_dst_eni as a_tgw_dst_eni, c.tgw_src_az_id as a_tgw_src_az_id, c.tgw_dst_az_id as a_tgw_dst_az_id, c.tgw_pair_attachment_id as a_tgw_pair_attachment_id, c.version as a_version, c.protocol as a_protocol, c.action as a_action, c.log_status as a_log_status, c.tcp_flags as a_tcp_flags, c.type as a_type, c.flow_direction as a_flow_direction, c.traffic_path as a_traffic_path, c.srcaddr as a_srcaddr, c.dstaddr as a_dstaddr, c.pkt_srcaddr as a_pkt_srcaddr, c.pkt_dstaddr as a_pkt_dstaddr, c.extras as a_extras, c.line as a_line, c.base as a_base, c.line0 as a_line0, u.ord::int as ord from rows from (unnest(c.t), unnest(c.line)) with ordinality u(t, line, ord)) f
    where true
        and (c.stored_xid, c.object_id, c.line0, f.ord) > ($2::xid8, $3, $4, $5)
    order by f.ord) p on true
limit $7
-- parameters: $1='7340500', $2='7340221', $3=42, $4=1, $5=1877, $6=100, $7=1101
