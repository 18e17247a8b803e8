using System.Net;
using System.Text.Json;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Core.FlowLogs;
using Npgsql;

namespace FlowLens.Api.Features.Flows;

/// <summary>One stored flow as read back: the record, where it came from, and fields FlowLens does not know.</summary>
public sealed record StoredFlow(FlowRecord Record, long SourceId, long ObjectId, int Line, Dictionary<string, string?>? Extras);

/// <summary>
/// Reads rows of <see cref="Core.Queries.FlowSearchSql.Columns"/> back into flow records, each column by its name:
/// the select's order is not this class's concern. The names are looked up once per result, not per row.
/// </summary>
public sealed class FlowRows(NpgsqlDataReader row, FlowStrings strings)
{
    private readonly int[] _ordinals = [.. FlowColumns.All.Select(c => row.GetOrdinal(c.Name))];

    /// <summary>The reader's current row.</summary>
    public StoredFlow Read()
    {
        int? Int(FlowColumn c) => At(c) is var i && row.IsDBNull(i) ? null : row.GetInt32(i);
        int? Small(FlowColumn c) => At(c) is var i && row.IsDBNull(i) ? null : row.GetInt16(i);
        long? Long(FlowColumn c) => At(c) is var i && row.IsDBNull(i) ? null : row.GetInt64(i);
        string? Text(FlowColumn c) => At(c) is var i && row.IsDBNull(i) ? null : strings.ValueOf(row.GetInt32(i));
        FlowAddress? Address(FlowColumn c) => At(c) is var i && row.IsDBNull(i) ? null : FlowAddress.FromIPAddress(row.GetFieldValue<IPAddress>(i));
        DateTimeOffset? Time(FlowColumn c) => At(c) is var i && row.IsDBNull(i) ? null : new DateTimeOffset(row.GetDateTime(i));
        int At(FlowColumn column) => _ordinals[(int)column];

        var r = new FlowRecord
        {
            Version = Small(FlowColumn.Version),
            AccountId = Text(FlowColumn.AccountId),
            InterfaceId = Text(FlowColumn.InterfaceId),
            SrcAddr = Address(FlowColumn.SrcAddr),
            DstAddr = Address(FlowColumn.DstAddr),
            SrcPort = Int(FlowColumn.SrcPort),
            DstPort = Int(FlowColumn.DstPort),
            Protocol = Small(FlowColumn.Protocol),
            Packets = Long(FlowColumn.Packets),
            Bytes = Long(FlowColumn.Bytes),
            Start = Time(FlowColumn.Start),
            End = Time(FlowColumn.End),
            Action = (FlowAction?)Small(FlowColumn.Action),
            LogStatus = (LogStatus?)Small(FlowColumn.LogStatus),
            VpcId = Text(FlowColumn.VpcId),
            SubnetId = Text(FlowColumn.SubnetId),
            InstanceId = Text(FlowColumn.InstanceId),
            TcpFlags = (TcpFlags?)Small(FlowColumn.TcpFlags),
            Type = (TrafficType?)Small(FlowColumn.Type),
            PktSrcAddr = Address(FlowColumn.PktSrcAddr),
            PktDstAddr = Address(FlowColumn.PktDstAddr),
            Region = Text(FlowColumn.Region),
            AzId = Text(FlowColumn.AzId),
            SublocationType = Text(FlowColumn.SublocationType),
            SublocationId = Text(FlowColumn.SublocationId),
            PktSrcAwsService = Text(FlowColumn.PktSrcAwsService),
            PktDstAwsService = Text(FlowColumn.PktDstAwsService),
            FlowDirection = (FlowDirection?)Small(FlowColumn.FlowDirection),
            TrafficPath = (byte?)Small(FlowColumn.TrafficPath),
            EcsClusterArn = Text(FlowColumn.EcsClusterArn),
            EcsClusterName = Text(FlowColumn.EcsClusterName),
            EcsContainerInstanceArn = Text(FlowColumn.EcsContainerInstanceArn),
            EcsContainerInstanceId = Text(FlowColumn.EcsContainerInstanceId),
            EcsContainerId = Text(FlowColumn.EcsContainerId),
            EcsSecondContainerId = Text(FlowColumn.EcsSecondContainerId),
            EcsServiceName = Text(FlowColumn.EcsServiceName),
            EcsTaskDefinitionArn = Text(FlowColumn.EcsTaskDefinitionArn),
            EcsTaskArn = Text(FlowColumn.EcsTaskArn),
            EcsTaskId = Text(FlowColumn.EcsTaskId),
            RejectReason = Text(FlowColumn.RejectReason),
            ResourceType = Text(FlowColumn.ResourceType),
            TgwId = Text(FlowColumn.TgwId),
            TgwAttachmentId = Text(FlowColumn.TgwAttachmentId),
            TgwSrcVpcAccountId = Text(FlowColumn.TgwSrcVpcAccountId),
            TgwDstVpcAccountId = Text(FlowColumn.TgwDstVpcAccountId),
            TgwSrcVpcId = Text(FlowColumn.TgwSrcVpcId),
            TgwDstVpcId = Text(FlowColumn.TgwDstVpcId),
            TgwSrcSubnetId = Text(FlowColumn.TgwSrcSubnetId),
            TgwDstSubnetId = Text(FlowColumn.TgwDstSubnetId),
            TgwSrcEni = Text(FlowColumn.TgwSrcEni),
            TgwDstEni = Text(FlowColumn.TgwDstEni),
            TgwSrcAzId = Text(FlowColumn.TgwSrcAzId),
            TgwDstAzId = Text(FlowColumn.TgwDstAzId),
            TgwPairAttachmentId = Text(FlowColumn.TgwPairAttachmentId),
            PacketsLostNoRoute = Long(FlowColumn.PacketsLostNoRoute),
            PacketsLostBlackhole = Long(FlowColumn.PacketsLostBlackhole),
            PacketsLostMtuExceeded = Long(FlowColumn.PacketsLostMtuExceeded),
            PacketsLostTtlExpired = Long(FlowColumn.PacketsLostTtlExpired),
        };
        var extras = At(FlowColumn.Extras) is var e && row.IsDBNull(e) ? null : JsonSerializer.Deserialize<Dictionary<string, string?>>(row.GetString(e));
        return new StoredFlow(r, Int(FlowColumn.SourceId)!.Value, Long(FlowColumn.ObjectId)!.Value, Int(FlowColumn.Line)!.Value, extras);
    }
}
