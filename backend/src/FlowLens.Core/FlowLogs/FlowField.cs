namespace FlowLens.Core.FlowLogs;

/// <summary>
/// Every field AWS defines for VPC flow log records (versions 2 to 8), in the documentation's order, then the fields
/// only Transit Gateway flow log records have (version 6).
/// </summary>
public enum FlowField : byte
{
    Version,
    AccountId,
    InterfaceId,
    SrcAddr,
    DstAddr,
    SrcPort,
    DstPort,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    Type,
    PktSrcAddr,
    PktDstAddr,
    Region,
    AzId,
    SublocationType,
    SublocationId,
    PktSrcAwsService,
    PktDstAwsService,
    FlowDirection,
    TrafficPath,
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
    PacketsLostNoRoute,
    PacketsLostBlackhole,
    PacketsLostMtuExceeded,
    PacketsLostTtlExpired,
}

/// <summary>How a field's text turns into a value.</summary>
public enum FlowFieldKind : byte
{
    Text,
    Integer,
    Address,
    Timestamp,
    Action,
    LogStatus,
    TcpFlags,
    TrafficType,
    FlowDirection,
    TrafficPath,
}

/// <summary>A field's AWS name, the version that introduced it and the kind of its values.</summary>
public sealed record FlowFieldInfo(FlowField Field, string Name, int Version, FlowFieldKind Kind)
{
    /// <summary>The column name in AWS's Parquet files and Athena tables: the name with <c>_</c> for <c>-</c>.</summary>
    public string ParquetName { get; } = Name.Replace('-', '_');
}

public static class FlowFields
{
    public static readonly IReadOnlyList<FlowFieldInfo> All =
    [
        new(FlowField.Version, "version", 2, FlowFieldKind.Integer),
        new(FlowField.AccountId, "account-id", 2, FlowFieldKind.Text),
        new(FlowField.InterfaceId, "interface-id", 2, FlowFieldKind.Text),
        new(FlowField.SrcAddr, "srcaddr", 2, FlowFieldKind.Address),
        new(FlowField.DstAddr, "dstaddr", 2, FlowFieldKind.Address),
        new(FlowField.SrcPort, "srcport", 2, FlowFieldKind.Integer),
        new(FlowField.DstPort, "dstport", 2, FlowFieldKind.Integer),
        new(FlowField.Protocol, "protocol", 2, FlowFieldKind.Integer),
        new(FlowField.Packets, "packets", 2, FlowFieldKind.Integer),
        new(FlowField.Bytes, "bytes", 2, FlowFieldKind.Integer),
        new(FlowField.Start, "start", 2, FlowFieldKind.Timestamp),
        new(FlowField.End, "end", 2, FlowFieldKind.Timestamp),
        new(FlowField.Action, "action", 2, FlowFieldKind.Action),
        new(FlowField.LogStatus, "log-status", 2, FlowFieldKind.LogStatus),
        new(FlowField.VpcId, "vpc-id", 3, FlowFieldKind.Text),
        new(FlowField.SubnetId, "subnet-id", 3, FlowFieldKind.Text),
        new(FlowField.InstanceId, "instance-id", 3, FlowFieldKind.Text),
        new(FlowField.TcpFlags, "tcp-flags", 3, FlowFieldKind.TcpFlags),
        new(FlowField.Type, "type", 3, FlowFieldKind.TrafficType),
        new(FlowField.PktSrcAddr, "pkt-srcaddr", 3, FlowFieldKind.Address),
        new(FlowField.PktDstAddr, "pkt-dstaddr", 3, FlowFieldKind.Address),
        new(FlowField.Region, "region", 4, FlowFieldKind.Text),
        new(FlowField.AzId, "az-id", 4, FlowFieldKind.Text),
        new(FlowField.SublocationType, "sublocation-type", 4, FlowFieldKind.Text),
        new(FlowField.SublocationId, "sublocation-id", 4, FlowFieldKind.Text),
        new(FlowField.PktSrcAwsService, "pkt-src-aws-service", 5, FlowFieldKind.Text),
        new(FlowField.PktDstAwsService, "pkt-dst-aws-service", 5, FlowFieldKind.Text),
        new(FlowField.FlowDirection, "flow-direction", 5, FlowFieldKind.FlowDirection),
        new(FlowField.TrafficPath, "traffic-path", 5, FlowFieldKind.TrafficPath),
        new(FlowField.EcsClusterArn, "ecs-cluster-arn", 7, FlowFieldKind.Text),
        new(FlowField.EcsClusterName, "ecs-cluster-name", 7, FlowFieldKind.Text),
        new(FlowField.EcsContainerInstanceArn, "ecs-container-instance-arn", 7, FlowFieldKind.Text),
        new(FlowField.EcsContainerInstanceId, "ecs-container-instance-id", 7, FlowFieldKind.Text),
        new(FlowField.EcsContainerId, "ecs-container-id", 7, FlowFieldKind.Text),
        new(FlowField.EcsSecondContainerId, "ecs-second-container-id", 7, FlowFieldKind.Text),
        new(FlowField.EcsServiceName, "ecs-service-name", 7, FlowFieldKind.Text),
        new(FlowField.EcsTaskDefinitionArn, "ecs-task-definition-arn", 7, FlowFieldKind.Text),
        new(FlowField.EcsTaskArn, "ecs-task-arn", 7, FlowFieldKind.Text),
        new(FlowField.EcsTaskId, "ecs-task-id", 7, FlowFieldKind.Text),
        new(FlowField.RejectReason, "reject-reason", 8, FlowFieldKind.Text),
        // Transit Gateway flow logs: their records also use version 2 to 5 fields (srcaddr, packets, log-status, type, region...).
        new(FlowField.ResourceType, "resource-type", 6, FlowFieldKind.Text),
        new(FlowField.TgwId, "tgw-id", 6, FlowFieldKind.Text),
        new(FlowField.TgwAttachmentId, "tgw-attachment-id", 6, FlowFieldKind.Text),
        new(FlowField.TgwSrcVpcAccountId, "tgw-src-vpc-account-id", 6, FlowFieldKind.Text),
        new(FlowField.TgwDstVpcAccountId, "tgw-dst-vpc-account-id", 6, FlowFieldKind.Text),
        new(FlowField.TgwSrcVpcId, "tgw-src-vpc-id", 6, FlowFieldKind.Text),
        new(FlowField.TgwDstVpcId, "tgw-dst-vpc-id", 6, FlowFieldKind.Text),
        new(FlowField.TgwSrcSubnetId, "tgw-src-subnet-id", 6, FlowFieldKind.Text),
        new(FlowField.TgwDstSubnetId, "tgw-dst-subnet-id", 6, FlowFieldKind.Text),
        new(FlowField.TgwSrcEni, "tgw-src-eni", 6, FlowFieldKind.Text),
        new(FlowField.TgwDstEni, "tgw-dst-eni", 6, FlowFieldKind.Text),
        new(FlowField.TgwSrcAzId, "tgw-src-az-id", 6, FlowFieldKind.Text),
        new(FlowField.TgwDstAzId, "tgw-dst-az-id", 6, FlowFieldKind.Text),
        new(FlowField.TgwPairAttachmentId, "tgw-pair-attachment-id", 6, FlowFieldKind.Text),
        new(FlowField.PacketsLostNoRoute, "packets-lost-no-route", 6, FlowFieldKind.Integer),
        new(FlowField.PacketsLostBlackhole, "packets-lost-blackhole", 6, FlowFieldKind.Integer),
        new(FlowField.PacketsLostMtuExceeded, "packets-lost-mtu-exceeded", 6, FlowFieldKind.Integer),
        new(FlowField.PacketsLostTtlExpired, "packets-lost-ttl-expired", 6, FlowFieldKind.Integer),
    ];

    private static readonly Dictionary<string, FlowFieldInfo> ByName = All.ToDictionary(f => f.Name, StringComparer.Ordinal);
    private static readonly Dictionary<string, FlowFieldInfo>.AlternateLookup<ReadOnlySpan<char>> BySpan = ByName.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Whether ASCII bytes spell an AWS field name, without allocating (header detection runs on every line).</summary>
    internal static bool IsName(ReadOnlySpan<byte> ascii)
    {
        Span<char> name = stackalloc char[64];
        if (ascii.Length > name.Length || System.Text.Ascii.ToUtf16(ascii, name, out var length) != System.Buffers.OperationStatus.Done)
        {
            return false;
        }
        // Parquet's spelling (log_status) is the same field, as in TryFind.
        name[..length].Replace('_', '-');
        return BySpan.ContainsKey(name[..length]);
    }

    public static FlowFieldInfo Info(FlowField field) => All[(int)field];

    /// <summary>Whether only Transit Gateway flow logs have the field (a VPC flow log's format cannot name it): the enum's last ones.</summary>
    public static bool IsTransitGatewayOnly(FlowField field) => field >= FlowField.ResourceType;

    /// <summary>Finds a field by its AWS name (<c>srcaddr</c>, <c>log-status</c>); Parquet's <c>log_status</c> too.</summary>
    public static bool TryFind(string name, out FlowFieldInfo info) =>
        ByName.TryGetValue(name, out info!) || ByName.TryGetValue(name.Replace('_', '-'), out info!);
}
