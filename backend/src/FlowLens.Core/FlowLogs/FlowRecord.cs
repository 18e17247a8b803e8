namespace FlowLens.Core.FlowLogs;

public enum FlowAction : byte { Accept = 1, Reject = 2 }

public enum LogStatus : byte
{
    /// <summary>Data is logging normally.</summary>
    Ok = 1,
    /// <summary>No traffic to or from the interface during the window.</summary>
    NoData = 2,
    /// <summary>AWS skipped records during the window (capacity or internal error): data is missing.</summary>
    SkipData = 3,
}

/// <summary>The <c>type</c> field: the traffic's IP family.</summary>
public enum TrafficType : byte { IPv4 = 1, IPv6 = 2, EFA = 3 }

public enum FlowDirection : byte { Ingress = 1, Egress = 2 }

/// <summary>TCP flags OR-ed over the aggregation window.</summary>
[Flags]
public enum TcpFlags : byte { None = 0, Fin = 1, Syn = 2, Rst = 4, Psh = 8, Ack = 16, Urg = 32, Ece = 64, Cwr = 128 }

/// <summary>
/// One flow log record. Every field is null when the format lacks it or the record says <c>-</c>.
/// A reader reuses one instance for every record: copy what you keep (<see cref="Clone"/>).
/// </summary>
public sealed class FlowRecord
{
    public int? Version { get; set; }
    public string? AccountId { get; set; }
    public string? InterfaceId { get; set; }
    public FlowAddress? SrcAddr { get; set; }
    public FlowAddress? DstAddr { get; set; }
    public int? SrcPort { get; set; }
    public int? DstPort { get; set; }
    /// <summary>IANA protocol number (6 TCP, 17 UDP, 1 ICMP...).</summary>
    public int? Protocol { get; set; }
    public long? Packets { get; set; }
    public long? Bytes { get; set; }
    public DateTimeOffset? Start { get; set; }
    public DateTimeOffset? End { get; set; }
    public FlowAction? Action { get; set; }
    public LogStatus? LogStatus { get; set; }
    public string? VpcId { get; set; }
    public string? SubnetId { get; set; }
    public string? InstanceId { get; set; }
    public TcpFlags? TcpFlags { get; set; }
    public TrafficType? Type { get; set; }
    public FlowAddress? PktSrcAddr { get; set; }
    public FlowAddress? PktDstAddr { get; set; }
    public string? Region { get; set; }
    public string? AzId { get; set; }
    public string? SublocationType { get; set; }
    public string? SublocationId { get; set; }
    public string? PktSrcAwsService { get; set; }
    public string? PktDstAwsService { get; set; }
    public FlowDirection? FlowDirection { get; set; }
    /// <summary>The egress path code, 1 to 8 (see <see cref="Lookups.TrafficPaths"/>).</summary>
    public byte? TrafficPath { get; set; }
    public string? EcsClusterArn { get; set; }
    public string? EcsClusterName { get; set; }
    public string? EcsContainerInstanceArn { get; set; }
    public string? EcsContainerInstanceId { get; set; }
    public string? EcsContainerId { get; set; }
    public string? EcsSecondContainerId { get; set; }
    public string? EcsServiceName { get; set; }
    public string? EcsTaskDefinitionArn { get; set; }
    public string? EcsTaskArn { get; set; }
    public string? EcsTaskId { get; set; }
    public string? RejectReason { get; set; }
    /// <summary>Transit Gateway flow logs: <c>TransitGateway</c> (the resource the flow log is on).</summary>
    public string? ResourceType { get; set; }
    public string? TgwId { get; set; }
    public string? TgwAttachmentId { get; set; }
    public string? TgwSrcVpcAccountId { get; set; }
    public string? TgwDstVpcAccountId { get; set; }
    public string? TgwSrcVpcId { get; set; }
    public string? TgwDstVpcId { get; set; }
    public string? TgwSrcSubnetId { get; set; }
    public string? TgwDstSubnetId { get; set; }
    public string? TgwSrcEni { get; set; }
    public string? TgwDstEni { get; set; }
    public string? TgwSrcAzId { get; set; }
    public string? TgwDstAzId { get; set; }
    public string? TgwPairAttachmentId { get; set; }
    /// <summary>Transit Gateway flow logs: packets dropped because no route matched.</summary>
    public long? PacketsLostNoRoute { get; set; }
    /// <summary>Packets dropped by a blackhole route.</summary>
    public long? PacketsLostBlackhole { get; set; }
    /// <summary>Packets dropped for being larger than the attachment's MTU.</summary>
    public long? PacketsLostMtuExceeded { get; set; }
    /// <summary>Packets dropped because their time to live ran out.</summary>
    public long? PacketsLostTtlExpired { get; set; }

    /// <summary>Values of fields this version of FlowLens does not know, in the order of the format's extra fields.</summary>
    public string?[] Extras { get; set; } = [];

    public FlowRecord Clone()
    {
        var copy = (FlowRecord)MemberwiseClone();
        copy.Extras = (string?[])Extras.Clone();
        return copy;
    }

    /// <summary>A field's value as an object (for tests, exports and generic code; not for hot loops).</summary>
    public object? Get(FlowField field) => field switch
    {
        FlowField.Version => Version,
        FlowField.AccountId => AccountId,
        FlowField.InterfaceId => InterfaceId,
        FlowField.SrcAddr => SrcAddr,
        FlowField.DstAddr => DstAddr,
        FlowField.SrcPort => SrcPort,
        FlowField.DstPort => DstPort,
        FlowField.Protocol => Protocol,
        FlowField.Packets => Packets,
        FlowField.Bytes => Bytes,
        FlowField.Start => Start,
        FlowField.End => End,
        FlowField.Action => Action,
        FlowField.LogStatus => LogStatus,
        FlowField.VpcId => VpcId,
        FlowField.SubnetId => SubnetId,
        FlowField.InstanceId => InstanceId,
        FlowField.TcpFlags => TcpFlags,
        FlowField.Type => Type,
        FlowField.PktSrcAddr => PktSrcAddr,
        FlowField.PktDstAddr => PktDstAddr,
        FlowField.Region => Region,
        FlowField.AzId => AzId,
        FlowField.SublocationType => SublocationType,
        FlowField.SublocationId => SublocationId,
        FlowField.PktSrcAwsService => PktSrcAwsService,
        FlowField.PktDstAwsService => PktDstAwsService,
        FlowField.FlowDirection => FlowDirection,
        FlowField.TrafficPath => TrafficPath,
        FlowField.EcsClusterArn => EcsClusterArn,
        FlowField.EcsClusterName => EcsClusterName,
        FlowField.EcsContainerInstanceArn => EcsContainerInstanceArn,
        FlowField.EcsContainerInstanceId => EcsContainerInstanceId,
        FlowField.EcsContainerId => EcsContainerId,
        FlowField.EcsSecondContainerId => EcsSecondContainerId,
        FlowField.EcsServiceName => EcsServiceName,
        FlowField.EcsTaskDefinitionArn => EcsTaskDefinitionArn,
        FlowField.EcsTaskArn => EcsTaskArn,
        FlowField.EcsTaskId => EcsTaskId,
        FlowField.RejectReason => RejectReason,
        FlowField.ResourceType => ResourceType,
        FlowField.TgwId => TgwId,
        FlowField.TgwAttachmentId => TgwAttachmentId,
        FlowField.TgwSrcVpcAccountId => TgwSrcVpcAccountId,
        FlowField.TgwDstVpcAccountId => TgwDstVpcAccountId,
        FlowField.TgwSrcVpcId => TgwSrcVpcId,
        FlowField.TgwDstVpcId => TgwDstVpcId,
        FlowField.TgwSrcSubnetId => TgwSrcSubnetId,
        FlowField.TgwDstSubnetId => TgwDstSubnetId,
        FlowField.TgwSrcEni => TgwSrcEni,
        FlowField.TgwDstEni => TgwDstEni,
        FlowField.TgwSrcAzId => TgwSrcAzId,
        FlowField.TgwDstAzId => TgwDstAzId,
        FlowField.TgwPairAttachmentId => TgwPairAttachmentId,
        FlowField.PacketsLostNoRoute => PacketsLostNoRoute,
        FlowField.PacketsLostBlackhole => PacketsLostBlackhole,
        FlowField.PacketsLostMtuExceeded => PacketsLostMtuExceeded,
        FlowField.PacketsLostTtlExpired => PacketsLostTtlExpired,
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}
