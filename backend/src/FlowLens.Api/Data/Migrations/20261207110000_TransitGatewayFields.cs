using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class TransitGatewayFields : Migration
    {
        // The flows view with the Transit Gateway fields, in FlowColumns' order (the counters after bytes, the ids after reject_reason).
        private const string FlowsSelect = """
                select
                    c.object_id as object_id,
                    u.packets as packets,
                    u.bytes as bytes,
                    u.packets_lost_no_route as packets_lost_no_route,
                    u.packets_lost_blackhole as packets_lost_blackhole,
                    u.packets_lost_mtu_exceeded as packets_lost_mtu_exceeded,
                    u.packets_lost_ttl_expired as packets_lost_ttl_expired,
                    c.base + u.t * interval '1 second' as start,
                    c.base + u.e * interval '1 second' as "end",
                    c.source_id as source_id,
                    u.account_id as account_id,
                    u.interface_id as interface_id,
                    u.srcport as srcport,
                    u.dstport as dstport,
                    u.vpc_id as vpc_id,
                    u.subnet_id as subnet_id,
                    u.instance_id as instance_id,
                    u.region as region,
                    u.az_id as az_id,
                    u.sublocation_type as sublocation_type,
                    u.sublocation_id as sublocation_id,
                    u.pkt_src_aws_service as pkt_src_aws_service,
                    u.pkt_dst_aws_service as pkt_dst_aws_service,
                    u.ecs_cluster_arn as ecs_cluster_arn,
                    u.ecs_cluster_name as ecs_cluster_name,
                    u.ecs_container_instance_arn as ecs_container_instance_arn,
                    u.ecs_container_instance_id as ecs_container_instance_id,
                    u.ecs_container_id as ecs_container_id,
                    u.ecs_second_container_id as ecs_second_container_id,
                    u.ecs_service_name as ecs_service_name,
                    u.ecs_task_definition_arn as ecs_task_definition_arn,
                    u.ecs_task_arn as ecs_task_arn,
                    u.ecs_task_id as ecs_task_id,
                    u.reject_reason as reject_reason,
                    u.resource_type as resource_type,
                    u.tgw_id as tgw_id,
                    u.tgw_attachment_id as tgw_attachment_id,
                    u.tgw_src_vpc_account_id as tgw_src_vpc_account_id,
                    u.tgw_dst_vpc_account_id as tgw_dst_vpc_account_id,
                    u.tgw_src_vpc_id as tgw_src_vpc_id,
                    u.tgw_dst_vpc_id as tgw_dst_vpc_id,
                    u.tgw_src_subnet_id as tgw_src_subnet_id,
                    u.tgw_dst_subnet_id as tgw_dst_subnet_id,
                    u.tgw_src_eni as tgw_src_eni,
                    u.tgw_dst_eni as tgw_dst_eni,
                    u.tgw_src_az_id as tgw_src_az_id,
                    u.tgw_dst_az_id as tgw_dst_az_id,
                    u.tgw_pair_attachment_id as tgw_pair_attachment_id,
                    u.version as version,
                    u.protocol as protocol,
                    u.action as action,
                    u.log_status as log_status,
                    u.tcp_flags as tcp_flags,
                    u.type as type,
                    u.flow_direction as flow_direction,
                    u.traffic_path as traffic_path,
                    u.srcaddr as srcaddr,
                    u.dstaddr as dstaddr,
                    u.pkt_srcaddr as pkt_srcaddr,
                    u.pkt_dstaddr as pkt_dstaddr,
                    u.extras as extras,
                    coalesce(u.line, c.line0 + u.ord::int - 1) as line
                from flow_chunks c
                cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.packets_lost_no_route), unnest(c.packets_lost_blackhole), unnest(c.packets_lost_mtu_exceeded), unnest(c.packets_lost_ttl_expired), unnest(c.t), unnest(c.e), unnest(c.account_id), unnest(c.interface_id), unnest(c.srcport), unnest(c.dstport), unnest(c.vpc_id), unnest(c.subnet_id), unnest(c.instance_id), unnest(c.region), unnest(c.az_id), unnest(c.sublocation_type), unnest(c.sublocation_id), unnest(c.pkt_src_aws_service), unnest(c.pkt_dst_aws_service), unnest(c.ecs_cluster_arn), unnest(c.ecs_cluster_name), unnest(c.ecs_container_instance_arn), unnest(c.ecs_container_instance_id), unnest(c.ecs_container_id), unnest(c.ecs_second_container_id), unnest(c.ecs_service_name), unnest(c.ecs_task_definition_arn), unnest(c.ecs_task_arn), unnest(c.ecs_task_id), unnest(c.reject_reason), unnest(c.resource_type), unnest(c.tgw_id), unnest(c.tgw_attachment_id), unnest(c.tgw_src_vpc_account_id), unnest(c.tgw_dst_vpc_account_id), unnest(c.tgw_src_vpc_id), unnest(c.tgw_dst_vpc_id), unnest(c.tgw_src_subnet_id), unnest(c.tgw_dst_subnet_id), unnest(c.tgw_src_eni), unnest(c.tgw_dst_eni), unnest(c.tgw_src_az_id), unnest(c.tgw_dst_az_id), unnest(c.tgw_pair_attachment_id), unnest(c.version), unnest(c.protocol), unnest(c.action), unnest(c.log_status), unnest(c.tcp_flags), unnest(c.type), unnest(c.flow_direction), unnest(c.traffic_path), unnest(c.srcaddr), unnest(c.dstaddr), unnest(c.pkt_srcaddr), unnest(c.pkt_dstaddr), unnest(c.extras), unnest(c.line))
                    with ordinality u(packets, bytes, packets_lost_no_route, packets_lost_blackhole, packets_lost_mtu_exceeded, packets_lost_ttl_expired, t, e, account_id, interface_id, srcport, dstport, vpc_id, subnet_id, instance_id, region, az_id, sublocation_type, sublocation_id, pkt_src_aws_service, pkt_dst_aws_service, ecs_cluster_arn, ecs_cluster_name, ecs_container_instance_arn, ecs_container_instance_id, ecs_container_id, ecs_second_container_id, ecs_service_name, ecs_task_definition_arn, ecs_task_arn, ecs_task_id, reject_reason, resource_type, tgw_id, tgw_attachment_id, tgw_src_vpc_account_id, tgw_dst_vpc_account_id, tgw_src_vpc_id, tgw_dst_vpc_id, tgw_src_subnet_id, tgw_dst_subnet_id, tgw_src_eni, tgw_dst_eni, tgw_src_az_id, tgw_dst_az_id, tgw_pair_attachment_id, version, protocol, action, log_status, tcp_flags, type, flow_direction, traffic_path, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr, extras, line, ord)
            """;

        // The view as 20261202120000_FlowChunks made it, for Down.
        private const string OldFlowsSelect = """
                select
                    c.object_id as object_id,
                    u.packets as packets,
                    u.bytes as bytes,
                    c.base + u.t * interval '1 second' as start,
                    c.base + u.e * interval '1 second' as "end",
                    c.source_id as source_id,
                    u.account_id as account_id,
                    u.interface_id as interface_id,
                    u.srcport as srcport,
                    u.dstport as dstport,
                    u.vpc_id as vpc_id,
                    u.subnet_id as subnet_id,
                    u.instance_id as instance_id,
                    u.region as region,
                    u.az_id as az_id,
                    u.sublocation_type as sublocation_type,
                    u.sublocation_id as sublocation_id,
                    u.pkt_src_aws_service as pkt_src_aws_service,
                    u.pkt_dst_aws_service as pkt_dst_aws_service,
                    u.ecs_cluster_arn as ecs_cluster_arn,
                    u.ecs_cluster_name as ecs_cluster_name,
                    u.ecs_container_instance_arn as ecs_container_instance_arn,
                    u.ecs_container_instance_id as ecs_container_instance_id,
                    u.ecs_container_id as ecs_container_id,
                    u.ecs_second_container_id as ecs_second_container_id,
                    u.ecs_service_name as ecs_service_name,
                    u.ecs_task_definition_arn as ecs_task_definition_arn,
                    u.ecs_task_arn as ecs_task_arn,
                    u.ecs_task_id as ecs_task_id,
                    u.reject_reason as reject_reason,
                    u.version as version,
                    u.protocol as protocol,
                    u.action as action,
                    u.log_status as log_status,
                    u.tcp_flags as tcp_flags,
                    u.type as type,
                    u.flow_direction as flow_direction,
                    u.traffic_path as traffic_path,
                    u.srcaddr as srcaddr,
                    u.dstaddr as dstaddr,
                    u.pkt_srcaddr as pkt_srcaddr,
                    u.pkt_dstaddr as pkt_dstaddr,
                    u.extras as extras,
                    coalesce(u.line, c.line0 + u.ord::int - 1) as line
                from flow_chunks c
                cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.e), unnest(c.account_id), unnest(c.interface_id), unnest(c.srcport), unnest(c.dstport), unnest(c.vpc_id), unnest(c.subnet_id), unnest(c.instance_id), unnest(c.region), unnest(c.az_id), unnest(c.sublocation_type), unnest(c.sublocation_id), unnest(c.pkt_src_aws_service), unnest(c.pkt_dst_aws_service), unnest(c.ecs_cluster_arn), unnest(c.ecs_cluster_name), unnest(c.ecs_container_instance_arn), unnest(c.ecs_container_instance_id), unnest(c.ecs_container_id), unnest(c.ecs_second_container_id), unnest(c.ecs_service_name), unnest(c.ecs_task_definition_arn), unnest(c.ecs_task_arn), unnest(c.ecs_task_id), unnest(c.reject_reason), unnest(c.version), unnest(c.protocol), unnest(c.action), unnest(c.log_status), unnest(c.tcp_flags), unnest(c.type), unnest(c.flow_direction), unnest(c.traffic_path), unnest(c.srcaddr), unnest(c.dstaddr), unnest(c.pkt_srcaddr), unnest(c.pkt_dstaddr), unnest(c.extras), unnest(c.line))
                    with ordinality u(packets, bytes, t, e, account_id, interface_id, srcport, dstport, vpc_id, subnet_id, instance_id, region, az_id, sublocation_type, sublocation_id, pkt_src_aws_service, pkt_dst_aws_service, ecs_cluster_arn, ecs_cluster_name, ecs_container_instance_arn, ecs_container_instance_id, ecs_container_id, ecs_second_container_id, ecs_service_name, ecs_task_definition_arn, ecs_task_arn, ecs_task_id, reject_reason, version, protocol, action, log_status, tcp_flags, type, flow_direction, traffic_path, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr, extras, line, ord)
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Issue #24: Transit Gateway flow logs' own fields, stored as the other fields are (ids as flow_strings ids,
            // counters as bigint) instead of in extras. Chunks of VPC flow logs hold null for them: no bytes.
            migrationBuilder.Sql($$"""
                alter table flow_chunks add column resource_type integer[] compression lz4, add column tgw_id integer[] compression lz4, add column tgw_attachment_id integer[] compression lz4, add column tgw_src_vpc_account_id integer[] compression lz4, add column tgw_dst_vpc_account_id integer[] compression lz4, add column tgw_src_vpc_id integer[] compression lz4, add column tgw_dst_vpc_id integer[] compression lz4, add column tgw_src_subnet_id integer[] compression lz4, add column tgw_dst_subnet_id integer[] compression lz4, add column tgw_src_eni integer[] compression lz4, add column tgw_dst_eni integer[] compression lz4, add column tgw_src_az_id integer[] compression lz4, add column tgw_dst_az_id integer[] compression lz4, add column tgw_pair_attachment_id integer[] compression lz4, add column packets_lost_no_route bigint[] compression lz4, add column packets_lost_blackhole bigint[] compression lz4, add column packets_lost_mtu_exceeded bigint[] compression lz4, add column packets_lost_ttl_expired bigint[] compression lz4;
                drop view flows;
                create view flows as
                {{FlowsSelect}};
                comment on view flows is 'every stored record as a row with every field (no time pruning: for people and tests; queries use FlowChunks.Rows)';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                drop view flows;
                create view flows as
                {{OldFlowsSelect}};
                comment on view flows is 'every stored record as a row with every field (no time pruning: for people and tests; queries use FlowChunks.Rows)';
                alter table flow_chunks drop column resource_type, drop column tgw_id, drop column tgw_attachment_id, drop column tgw_src_vpc_account_id, drop column tgw_dst_vpc_account_id, drop column tgw_src_vpc_id, drop column tgw_dst_vpc_id, drop column tgw_src_subnet_id, drop column tgw_dst_subnet_id, drop column tgw_src_eni, drop column tgw_dst_eni, drop column tgw_src_az_id, drop column tgw_dst_az_id, drop column tgw_pair_attachment_id, drop column packets_lost_no_route, drop column packets_lost_blackhole, drop column packets_lost_mtu_exceeded, drop column packets_lost_ttl_expired;
                """);
        }
    }
}
