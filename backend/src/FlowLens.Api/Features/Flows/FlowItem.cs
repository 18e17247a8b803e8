using FlowLens.Api.Features.Context;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Api.Features.Flows;

/// <summary>
/// A flow record as the API answers it: every field (null when the record does not have it), words for
/// <c>action</c>, <c>logStatus</c>, <c>type</c> and <c>flowDirection</c> as AWS writes them, <c>protocol</c> as its
/// IANA number, times in ISO 8601 UTC. <c>sourceId</c>, <c>objectId</c> and <c>line</c> say where it was read.
/// </summary>
/// <param name="Src">What FlowLens knows of <c>srcAddr</c> at the flow's start (network, AWS service, country, ASN, AWS resource).</param>
/// <param name="Dst">The same of <c>dstAddr</c>.</param>
/// <param name="Interface">The inventory's description of <c>interfaceId</c> at the flow's start: the ENI that logged the flow and what it belongs to (an instance, a NAT gateway...).</param>
public sealed record FlowItem(
    int? Version, string? AccountId, string? InterfaceId, string? SrcAddr, string? DstAddr, int? SrcPort, int? DstPort,
    int? Protocol, long? Packets, long? Bytes, DateTimeOffset? Start, DateTimeOffset? End, string? Action, string? LogStatus,
    string? VpcId, string? SubnetId, string? InstanceId, int? TcpFlags, string? Type, string? PktSrcAddr, string? PktDstAddr,
    string? Region, string? AzId, string? SublocationType, string? SublocationId, string? PktSrcAwsService,
    string? PktDstAwsService, string? FlowDirection, int? TrafficPath, string? RejectReason,
    string? EcsClusterArn, string? EcsClusterName, string? EcsContainerInstanceArn, string? EcsContainerInstanceId,
    string? EcsContainerId, string? EcsSecondContainerId, string? EcsServiceName, string? EcsTaskDefinitionArn,
    string? EcsTaskArn, string? EcsTaskId,
    string? ResourceType, string? TgwId, string? TgwAttachmentId, string? TgwSrcVpcAccountId, string? TgwDstVpcAccountId, string? TgwSrcVpcId,
    string? TgwDstVpcId, string? TgwSrcSubnetId, string? TgwDstSubnetId, string? TgwSrcEni, string? TgwDstEni, string? TgwSrcAzId, string? TgwDstAzId,
    string? TgwPairAttachmentId, long? PacketsLostNoRoute, long? PacketsLostBlackhole, long? PacketsLostMtuExceeded, long? PacketsLostTtlExpired,
    long SourceId, long ObjectId, int Line, Dictionary<string, string?>? Extras,
    AddressInfo? Src, AddressInfo? Dst, InventoryContext? Interface)
{
    public static FlowItem Example => From(new StoredFlow(new FlowRecord
    {
        Version = 5, AccountId = "111122223333", InterfaceId = "eni-1111000000000000a",
        SrcAddr = FlowAddress.FromIPv4(0xC6336407), DstAddr = FlowAddress.FromIPv4(0x0A000A19), SrcPort = 40211, DstPort = 22,
        Protocol = 6, Packets = 1, Bytes = 44, Start = new DateTimeOffset(2026, 11, 24, 13, 5, 12, TimeSpan.Zero),
        End = new DateTimeOffset(2026, 11, 24, 13, 6, 12, TimeSpan.Zero), Action = FlowAction.Reject, LogStatus = FlowLens.Core.FlowLogs.LogStatus.Ok,
        VpcId = "vpc-1111aaaa000000000", SubnetId = "subnet-11110000000000002", InstanceId = "i-1111000000000000a",
        TcpFlags = FlowLens.Core.FlowLogs.TcpFlags.Syn, Type = TrafficType.IPv4, PktSrcAddr = FlowAddress.FromIPv4(0xC6336407),
        PktDstAddr = FlowAddress.FromIPv4(0x0A000A19), Region = "eu-west-1", AzId = "euw1-az2", FlowDirection = FlowLens.Core.FlowLogs.FlowDirection.Ingress,
    }, SourceId: 1, ObjectId: 42, Line: 1877, Extras: null), ExampleContext);

    private static FlowContext ExampleContext
    {
        get
        {
            var web1 = new InventoryContext("eni-1111000000000000a", "private", "111122223333", "eu-west-1", "instance", "i-1111000000000000a", "web-1",
                "t3.small", "running", "interface", "Primary network interface", "i-1111000000000000a", "vpc-1111aaaa000000000", "prod",
                "subnet-11110000000000002", "app-b", "eu-west-1b", [new SecurityGroupContext("sg-1111000000000000a", "web-public", "web")]);
            return new FlowContext(
                new AddressInfo("198.51.100.7", null, null, "GB", 64496, "Documentation AS", null),
                new AddressInfo("10.0.10.25", new NetworkMatch(1, "10.0.0.0/16", "prod", "workloads", null), null, null, null, null, web1),
                web1 with { AddressKind = null });
        }
    }

    public static FlowItem From(StoredFlow flow, FlowContext context)
    {
        var r = flow.Record;
        string? Word(FlowField field) => r.Get(field) is null ? null : FlowLogText.Value(r, field);
        return new FlowItem(
            r.Version, r.AccountId, r.InterfaceId, r.SrcAddr?.ToString(), r.DstAddr?.ToString(), r.SrcPort, r.DstPort,
            r.Protocol, r.Packets, r.Bytes, r.Start, r.End, Word(FlowField.Action), Word(FlowField.LogStatus),
            r.VpcId, r.SubnetId, r.InstanceId, (int?)r.TcpFlags, Word(FlowField.Type), r.PktSrcAddr?.ToString(), r.PktDstAddr?.ToString(),
            r.Region, r.AzId, r.SublocationType, r.SublocationId, r.PktSrcAwsService,
            r.PktDstAwsService, Word(FlowField.FlowDirection), r.TrafficPath, r.RejectReason,
            r.EcsClusterArn, r.EcsClusterName, r.EcsContainerInstanceArn, r.EcsContainerInstanceId,
            r.EcsContainerId, r.EcsSecondContainerId, r.EcsServiceName, r.EcsTaskDefinitionArn,
            r.EcsTaskArn, r.EcsTaskId,
            r.ResourceType, r.TgwId, r.TgwAttachmentId, r.TgwSrcVpcAccountId, r.TgwDstVpcAccountId, r.TgwSrcVpcId,
            r.TgwDstVpcId, r.TgwSrcSubnetId, r.TgwDstSubnetId, r.TgwSrcEni, r.TgwDstEni, r.TgwSrcAzId, r.TgwDstAzId,
            r.TgwPairAttachmentId, r.PacketsLostNoRoute, r.PacketsLostBlackhole, r.PacketsLostMtuExceeded, r.PacketsLostTtlExpired,
            flow.SourceId, flow.ObjectId, flow.Line, flow.Extras,
            context.Src, context.Dst, context.Interface);
    }
}
