using System.Net;
using System.Text.Json;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Core.FlowLogs;
using Npgsql;

namespace FlowLens.Api.Features.Flows;

/// <summary>One stored flow as read back: the record, where it came from, and fields FlowLens does not know.</summary>
public sealed record StoredFlow(FlowRecord Record, long SourceId, long ObjectId, int Line, Dictionary<string, string?>? Extras);

/// <summary>Reads rows of <see cref="Core.Queries.FlowSearchSql.Columns"/> back into flow records.</summary>
public static class FlowRows
{
    public static StoredFlow Read(NpgsqlDataReader row, FlowStrings strings)
    {
        var i = 0;
        int? Int() => row.IsDBNull(i++) ? null : row.GetInt32(i - 1);
        int? Small() => row.IsDBNull(i++) ? null : row.GetInt16(i - 1);
        long? Long() => row.IsDBNull(i++) ? null : row.GetInt64(i - 1);
        string? Text() => row.IsDBNull(i++) ? null : strings.ValueOf(row.GetInt32(i - 1));
        FlowAddress? Address() => row.IsDBNull(i++) ? null : FlowAddress.FromIPAddress(row.GetFieldValue<IPAddress>(i - 1));
        DateTimeOffset? Time() => row.IsDBNull(i++) ? null : new DateTimeOffset(row.GetDateTime(i - 1));

        var r = new FlowRecord
        {
            Version = Small(),
            AccountId = Text(),
            InterfaceId = Text(),
            SrcAddr = Address(),
            DstAddr = Address(),
            SrcPort = Int(),
            DstPort = Int(),
            Protocol = Small(),
            Packets = Long(),
            Bytes = Long(),
            Start = Time(),
            End = Time(),
            Action = (FlowAction?)Small(),
            LogStatus = (LogStatus?)Small(),
            VpcId = Text(),
            SubnetId = Text(),
            InstanceId = Text(),
            TcpFlags = (TcpFlags?)Small(),
            Type = (TrafficType?)Small(),
            PktSrcAddr = Address(),
            PktDstAddr = Address(),
            Region = Text(),
            AzId = Text(),
            SublocationType = Text(),
            SublocationId = Text(),
            PktSrcAwsService = Text(),
            PktDstAwsService = Text(),
            FlowDirection = (FlowDirection?)Small(),
            TrafficPath = (byte?)Small(),
            EcsClusterArn = Text(),
            EcsClusterName = Text(),
            EcsContainerInstanceArn = Text(),
            EcsContainerInstanceId = Text(),
            EcsContainerId = Text(),
            EcsSecondContainerId = Text(),
            EcsServiceName = Text(),
            EcsTaskDefinitionArn = Text(),
            EcsTaskArn = Text(),
            EcsTaskId = Text(),
            RejectReason = Text(),
        };
        var sourceId = row.GetInt32(i++);
        var objectId = row.GetInt64(i++);
        var line = row.GetInt32(i++);
        var extras = row.IsDBNull(i) ? null : JsonSerializer.Deserialize<Dictionary<string, string?>>(row.GetString(i));
        return new StoredFlow(r, sourceId, objectId, line, extras);
    }
}
