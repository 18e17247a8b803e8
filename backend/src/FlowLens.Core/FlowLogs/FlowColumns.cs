namespace FlowLens.Core.FlowLogs;

/// <summary>The columns of the <c>flows</c> table, in the table's order.</summary>
public enum FlowColumn : byte
{
    ObjectId,
    Packets,
    Bytes,
    PacketsLostNoRoute,
    PacketsLostBlackhole,
    PacketsLostMtuExceeded,
    PacketsLostTtlExpired,
    Start,
    End,
    SourceId,
    AccountId,
    InterfaceId,
    SrcPort,
    DstPort,
    VpcId,
    SubnetId,
    InstanceId,
    Region,
    AzId,
    SublocationType,
    SublocationId,
    PktSrcAwsService,
    PktDstAwsService,
    EcsClusterArn,
    EcsClusterName,
    EcsContainerInstanceArn,
    EcsContainerInstanceId,
    EcsContainerId,
    EcsSecondContainerId,
    EcsServiceName,
    EcsTaskDefinitionArn,
    EcsTaskArn,
    EcsTaskId,
    RejectReason,
    ResourceType,
    TgwId,
    TgwAttachmentId,
    TgwSrcVpcAccountId,
    TgwDstVpcAccountId,
    TgwSrcVpcId,
    TgwDstVpcId,
    TgwSrcSubnetId,
    TgwDstSubnetId,
    TgwSrcEni,
    TgwDstEni,
    TgwSrcAzId,
    TgwDstAzId,
    TgwPairAttachmentId,
    Version,
    Protocol,
    Action,
    LogStatus,
    TcpFlags,
    Type,
    FlowDirection,
    TrafficPath,
    SrcAddr,
    DstAddr,
    PktSrcAddr,
    PktDstAddr,
    Extras,
    Line,
}

/// <summary>
/// A column of <c>flows</c>: its name, its PostgreSQL type as <c>information_schema.columns.data_type</c> spells it,
/// and the AWS field it stores, if it stores one.
/// </summary>
public sealed record FlowColumnInfo(FlowColumn Column, string Name, string SqlType, FlowField? Field)
{
    /// <summary>The name as SQL text: <c>end</c> is a keyword.</summary>
    public string Sql => Name == "end" ? "\"end\"" : Name;
}

/// <summary>
/// The <c>flows</c> table, column by column: COPY writes, the flow search selects and rows are read back by this
/// list. 8-byte values first, then 4-byte, 2-byte and variable-length ones, so PostgreSQL pads rows least.
/// A test keeps it equal to the migrated table.
/// </summary>
public static class FlowColumns
{
    /// <summary>A text column's value in a record (what ingestion stores, what a filter compares).</summary>
    public static string? Text(FlowColumn column, FlowRecord r) => column switch
    {
        FlowColumn.AccountId => r.AccountId,
        FlowColumn.InterfaceId => r.InterfaceId,
        FlowColumn.VpcId => r.VpcId,
        FlowColumn.SubnetId => r.SubnetId,
        FlowColumn.InstanceId => r.InstanceId,
        FlowColumn.Region => r.Region,
        FlowColumn.AzId => r.AzId,
        FlowColumn.SublocationType => r.SublocationType,
        FlowColumn.SublocationId => r.SublocationId,
        FlowColumn.PktSrcAwsService => r.PktSrcAwsService,
        FlowColumn.PktDstAwsService => r.PktDstAwsService,
        FlowColumn.EcsClusterArn => r.EcsClusterArn,
        FlowColumn.EcsClusterName => r.EcsClusterName,
        FlowColumn.EcsContainerInstanceArn => r.EcsContainerInstanceArn,
        FlowColumn.EcsContainerInstanceId => r.EcsContainerInstanceId,
        FlowColumn.EcsContainerId => r.EcsContainerId,
        FlowColumn.EcsSecondContainerId => r.EcsSecondContainerId,
        FlowColumn.EcsServiceName => r.EcsServiceName,
        FlowColumn.EcsTaskDefinitionArn => r.EcsTaskDefinitionArn,
        FlowColumn.EcsTaskArn => r.EcsTaskArn,
        FlowColumn.EcsTaskId => r.EcsTaskId,
        FlowColumn.RejectReason => r.RejectReason,
        FlowColumn.ResourceType => r.ResourceType,
        FlowColumn.TgwId => r.TgwId,
        FlowColumn.TgwAttachmentId => r.TgwAttachmentId,
        FlowColumn.TgwSrcVpcAccountId => r.TgwSrcVpcAccountId,
        FlowColumn.TgwDstVpcAccountId => r.TgwDstVpcAccountId,
        FlowColumn.TgwSrcVpcId => r.TgwSrcVpcId,
        FlowColumn.TgwDstVpcId => r.TgwDstVpcId,
        FlowColumn.TgwSrcSubnetId => r.TgwSrcSubnetId,
        FlowColumn.TgwDstSubnetId => r.TgwDstSubnetId,
        FlowColumn.TgwSrcEni => r.TgwSrcEni,
        FlowColumn.TgwDstEni => r.TgwDstEni,
        FlowColumn.TgwSrcAzId => r.TgwSrcAzId,
        FlowColumn.TgwDstAzId => r.TgwDstAzId,
        FlowColumn.TgwPairAttachmentId => r.TgwPairAttachmentId,
        _ => throw new ArgumentOutOfRangeException(nameof(column), column, "not a text column"),
    };

    public static readonly IReadOnlyList<FlowColumnInfo> All =
    [
        new(FlowColumn.ObjectId, "object_id", "bigint", null),
        new(FlowColumn.Packets, "packets", "bigint", FlowField.Packets),
        new(FlowColumn.Bytes, "bytes", "bigint", FlowField.Bytes),
        new(FlowColumn.PacketsLostNoRoute, "packets_lost_no_route", "bigint", FlowField.PacketsLostNoRoute),
        new(FlowColumn.PacketsLostBlackhole, "packets_lost_blackhole", "bigint", FlowField.PacketsLostBlackhole),
        new(FlowColumn.PacketsLostMtuExceeded, "packets_lost_mtu_exceeded", "bigint", FlowField.PacketsLostMtuExceeded),
        new(FlowColumn.PacketsLostTtlExpired, "packets_lost_ttl_expired", "bigint", FlowField.PacketsLostTtlExpired),
        new(FlowColumn.Start, "start", "timestamp with time zone", FlowField.Start),
        new(FlowColumn.End, "end", "timestamp with time zone", FlowField.End),
        new(FlowColumn.SourceId, "source_id", "integer", null),
        new(FlowColumn.AccountId, "account_id", "integer", FlowField.AccountId),
        new(FlowColumn.InterfaceId, "interface_id", "integer", FlowField.InterfaceId),
        new(FlowColumn.SrcPort, "srcport", "integer", FlowField.SrcPort),
        new(FlowColumn.DstPort, "dstport", "integer", FlowField.DstPort),
        new(FlowColumn.VpcId, "vpc_id", "integer", FlowField.VpcId),
        new(FlowColumn.SubnetId, "subnet_id", "integer", FlowField.SubnetId),
        new(FlowColumn.InstanceId, "instance_id", "integer", FlowField.InstanceId),
        new(FlowColumn.Region, "region", "integer", FlowField.Region),
        new(FlowColumn.AzId, "az_id", "integer", FlowField.AzId),
        new(FlowColumn.SublocationType, "sublocation_type", "integer", FlowField.SublocationType),
        new(FlowColumn.SublocationId, "sublocation_id", "integer", FlowField.SublocationId),
        new(FlowColumn.PktSrcAwsService, "pkt_src_aws_service", "integer", FlowField.PktSrcAwsService),
        new(FlowColumn.PktDstAwsService, "pkt_dst_aws_service", "integer", FlowField.PktDstAwsService),
        new(FlowColumn.EcsClusterArn, "ecs_cluster_arn", "integer", FlowField.EcsClusterArn),
        new(FlowColumn.EcsClusterName, "ecs_cluster_name", "integer", FlowField.EcsClusterName),
        new(FlowColumn.EcsContainerInstanceArn, "ecs_container_instance_arn", "integer", FlowField.EcsContainerInstanceArn),
        new(FlowColumn.EcsContainerInstanceId, "ecs_container_instance_id", "integer", FlowField.EcsContainerInstanceId),
        new(FlowColumn.EcsContainerId, "ecs_container_id", "integer", FlowField.EcsContainerId),
        new(FlowColumn.EcsSecondContainerId, "ecs_second_container_id", "integer", FlowField.EcsSecondContainerId),
        new(FlowColumn.EcsServiceName, "ecs_service_name", "integer", FlowField.EcsServiceName),
        new(FlowColumn.EcsTaskDefinitionArn, "ecs_task_definition_arn", "integer", FlowField.EcsTaskDefinitionArn),
        new(FlowColumn.EcsTaskArn, "ecs_task_arn", "integer", FlowField.EcsTaskArn),
        new(FlowColumn.EcsTaskId, "ecs_task_id", "integer", FlowField.EcsTaskId),
        new(FlowColumn.RejectReason, "reject_reason", "integer", FlowField.RejectReason),
        new(FlowColumn.ResourceType, "resource_type", "integer", FlowField.ResourceType),
        new(FlowColumn.TgwId, "tgw_id", "integer", FlowField.TgwId),
        new(FlowColumn.TgwAttachmentId, "tgw_attachment_id", "integer", FlowField.TgwAttachmentId),
        new(FlowColumn.TgwSrcVpcAccountId, "tgw_src_vpc_account_id", "integer", FlowField.TgwSrcVpcAccountId),
        new(FlowColumn.TgwDstVpcAccountId, "tgw_dst_vpc_account_id", "integer", FlowField.TgwDstVpcAccountId),
        new(FlowColumn.TgwSrcVpcId, "tgw_src_vpc_id", "integer", FlowField.TgwSrcVpcId),
        new(FlowColumn.TgwDstVpcId, "tgw_dst_vpc_id", "integer", FlowField.TgwDstVpcId),
        new(FlowColumn.TgwSrcSubnetId, "tgw_src_subnet_id", "integer", FlowField.TgwSrcSubnetId),
        new(FlowColumn.TgwDstSubnetId, "tgw_dst_subnet_id", "integer", FlowField.TgwDstSubnetId),
        new(FlowColumn.TgwSrcEni, "tgw_src_eni", "integer", FlowField.TgwSrcEni),
        new(FlowColumn.TgwDstEni, "tgw_dst_eni", "integer", FlowField.TgwDstEni),
        new(FlowColumn.TgwSrcAzId, "tgw_src_az_id", "integer", FlowField.TgwSrcAzId),
        new(FlowColumn.TgwDstAzId, "tgw_dst_az_id", "integer", FlowField.TgwDstAzId),
        new(FlowColumn.TgwPairAttachmentId, "tgw_pair_attachment_id", "integer", FlowField.TgwPairAttachmentId),
        new(FlowColumn.Version, "version", "smallint", FlowField.Version),
        new(FlowColumn.Protocol, "protocol", "smallint", FlowField.Protocol),
        new(FlowColumn.Action, "action", "smallint", FlowField.Action),
        new(FlowColumn.LogStatus, "log_status", "smallint", FlowField.LogStatus),
        new(FlowColumn.TcpFlags, "tcp_flags", "smallint", FlowField.TcpFlags),
        new(FlowColumn.Type, "type", "smallint", FlowField.Type),
        new(FlowColumn.FlowDirection, "flow_direction", "smallint", FlowField.FlowDirection),
        new(FlowColumn.TrafficPath, "traffic_path", "smallint", FlowField.TrafficPath),
        new(FlowColumn.SrcAddr, "srcaddr", "inet", FlowField.SrcAddr),
        new(FlowColumn.DstAddr, "dstaddr", "inet", FlowField.DstAddr),
        new(FlowColumn.PktSrcAddr, "pkt_srcaddr", "inet", FlowField.PktSrcAddr),
        new(FlowColumn.PktDstAddr, "pkt_dstaddr", "inet", FlowField.PktDstAddr),
        // Values of fields FlowLens does not know, by their names in the format.
        new(FlowColumn.Extras, "extras", "jsonb", null),
        // The record's line (text) or row (Parquet) in its object; null for rows stored before it was added.
        new(FlowColumn.Line, "line", "integer", null),
    ];

    /// <summary>Every column, comma-separated in table order: the column list of COPY and of a full select.</summary>
    public static readonly string List = string.Join(", ", All.Select(c => c.Sql));

    public static FlowColumnInfo Info(FlowColumn column) => All[(int)column];

    /// <summary>The column of a name (<c>srcaddr</c>, <c>log_status</c>).</summary>
    public static FlowColumn Named(string name) => All.Single(c => c.Name == name).Column;
}
