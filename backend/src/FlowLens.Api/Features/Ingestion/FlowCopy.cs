using System.Text.Json;
using FlowLens.Core.FlowLogs;
using FlowLens.Api.Data;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>Writes flow records into the <c>flows</c> table with binary COPY, on the caller's transaction.</summary>
public sealed class FlowCopy : IAsyncDisposable
{
    // Every field of the record, in the order rows are written.
    private const string Columns =
        "object_id, packets, bytes, start, \"end\", source_id, account_id, interface_id, srcport, dstport, vpc_id, " +
        "subnet_id, instance_id, region, az_id, sublocation_type, sublocation_id, pkt_src_aws_service, " +
        "pkt_dst_aws_service, ecs_cluster_arn, ecs_cluster_name, ecs_container_instance_arn, ecs_container_instance_id, " +
        "ecs_container_id, ecs_second_container_id, ecs_service_name, ecs_task_definition_arn, ecs_task_arn, ecs_task_id, " +
        "reject_reason, version, protocol, action, log_status, tcp_flags, type, flow_direction, traffic_path, " +
        "srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr, extras, line";

    private const short ColumnCount = 44;

    private readonly BinaryCopyWriter _writer;
    private readonly FlowStrings _strings;
    private readonly long _objectId;
    private readonly int _sourceId;

    private FlowCopy(BinaryCopyWriter writer, FlowStrings strings, long objectId, int sourceId) =>
        (_writer, _strings, _objectId, _sourceId) = (writer, strings, objectId, sourceId);

    public static async Task<FlowCopy> BeginAsync(NpgsqlConnection connection, FlowStrings strings, long objectId, long sourceId, CancellationToken ct) =>
        new(await BinaryCopyWriter.BeginAsync(connection, "flows", Columns, ct), strings, objectId, checked((int)sourceId));

    /// <summary>
    /// Writes one record; <paramref name="line"/> is where it is in its object, <paramref name="objectId"/> the
    /// ledger row it belongs to when not the COPY's own (a CloudWatch batch spans several streams).
    /// </summary>
    public async ValueTask WriteAsync(FlowRecord r, FlowLogFormat format, long line, long? objectId, CancellationToken ct)
    {
        var w = _writer;
        await w.StartRowAsync(ColumnCount, ct);
        w.Int64(objectId ?? _objectId);
        Number(r.Packets);
        Number(r.Bytes);
        Time(r.Start);
        Time(r.End);
        w.Int32(_sourceId);
        Text(r.AccountId);
        Text(r.InterfaceId);
        Number(r.SrcPort);
        Number(r.DstPort);
        Text(r.VpcId);
        Text(r.SubnetId);
        Text(r.InstanceId);
        Text(r.Region);
        Text(r.AzId);
        Text(r.SublocationType);
        Text(r.SublocationId);
        Text(r.PktSrcAwsService);
        Text(r.PktDstAwsService);
        Text(r.EcsClusterArn);
        Text(r.EcsClusterName);
        Text(r.EcsContainerInstanceArn);
        Text(r.EcsContainerInstanceId);
        Text(r.EcsContainerId);
        Text(r.EcsSecondContainerId);
        Text(r.EcsServiceName);
        Text(r.EcsTaskDefinitionArn);
        Text(r.EcsTaskArn);
        Text(r.EcsTaskId);
        Text(r.RejectReason);
        Small(r.Version);
        Small(r.Protocol);
        Small((int?)r.Action);
        Small((int?)r.LogStatus);
        Small((int?)r.TcpFlags);
        Small((int?)r.Type);
        Small((int?)r.FlowDirection);
        Small(r.TrafficPath);
        Address(r.SrcAddr);
        Address(r.DstAddr);
        Address(r.PktSrcAddr);
        Address(r.PktDstAddr);
        if (r.Extras.Length == 0)
        {
            w.Null();
        }
        else
        {
            w.Jsonb(JsonSerializer.Serialize(format.ExtraNames.Zip(r.Extras).ToDictionary(p => p.First, p => p.Second)));
        }
        w.Int32(checked((int)line));
    }

    /// <summary>Ends the COPY; the rows become visible when the caller's transaction commits.</summary>
    public Task CompleteAsync(CancellationToken ct) => _writer.CompleteAsync(ct);

    // Disposing without CompleteAsync cancels the COPY: none of its rows are stored.
    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    private void Number(long? value)
    {
        if (value is { } v)
        {
            _writer.Int64(v);
        }
        else
        {
            _writer.Null();
        }
    }

    private void Number(int? value)
    {
        if (value is { } v)
        {
            _writer.Int32(v);
        }
        else
        {
            _writer.Null();
        }
    }

    private void Small(int? value)
    {
        if (value is { } v)
        {
            _writer.Int16((short)v);
        }
        else
        {
            _writer.Null();
        }
    }

    private void Time(DateTimeOffset? value)
    {
        if (value is { } v)
        {
            _writer.Timestamp(v);
        }
        else
        {
            _writer.Null();
        }
    }

    private void Text(string? value)
    {
        if (value is null)
        {
            _writer.Null();
        }
        else
        {
            _writer.Int32(_strings.IdOf(value));
        }
    }

    private void Address(FlowAddress? value)
    {
        if (value is { } v)
        {
            _writer.Inet(v);
        }
        else
        {
            _writer.Null();
        }
    }
}
