using System.Runtime.CompilerServices;
using System.Text.Json;
using FlowLens.Api.Data;
using FlowLens.Core.FlowLogs;
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

    private readonly BinaryCopyWriter _writer;
    private readonly FlowStrings _strings;

    // Text ids seen lately, by the string's identity: the parser hands back one string instance for a repeated value,
    // and flow logs repeat the same few hundred ids (accounts, ENIs, subnets, instances...) line after line, so most
    // lookups end at a reference comparison. With 64 slots those ids kept evicting each other (the dictionary lookup
    // behind was about 3% of FlowLens's CPU in the ingest benchmark's profile, 0.6% with 1,024 slots: 16 KB an object).
    private readonly (string? Value, int Id)[] _recentIds = new (string?, int)[1024];
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
        await w.StartRowAsync(ct);
        w.Int64(objectId ?? _objectId);
        w.Int64(r.Packets);
        w.Int64(r.Bytes);
        w.Timestamp(r.Start);
        w.Timestamp(r.End);
        w.Int32(_sourceId);
        Text(r.AccountId);
        Text(r.InterfaceId);
        w.Int32(r.SrcPort);
        w.Int32(r.DstPort);
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
        w.Int16((short?)r.Version);
        w.Int16((short?)r.Protocol);
        w.Int16((short?)r.Action);
        w.Int16((short?)r.LogStatus);
        w.Int16((short?)r.TcpFlags);
        w.Int16((short?)r.Type);
        w.Int16((short?)r.FlowDirection);
        w.Int16(r.TrafficPath);
        w.Inet(r.SrcAddr);
        w.Inet(r.DstAddr);
        w.Inet(r.PktSrcAddr);
        w.Inet(r.PktDstAddr);
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

    // Text values are stored as their flow_strings id.
    private void Text(string? value)
    {
        if (value is null)
        {
            _writer.Null();
            return;
        }
        ref var recent = ref _recentIds[RuntimeHelpers.GetHashCode(value) & (_recentIds.Length - 1)];
        if (!ReferenceEquals(recent.Value, value))
        {
            recent = (value, _strings.IdOf(value));
        }
        _writer.Int32(recent.Id);
    }
}
