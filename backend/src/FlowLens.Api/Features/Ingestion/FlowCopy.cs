using System.Text.Json;
using FlowLens.Core.FlowLogs;
using Npgsql;
using NpgsqlTypes;

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

    private readonly NpgsqlBinaryImporter _importer;
    private readonly FlowStrings _strings;
    private readonly long _objectId;
    private readonly int _sourceId;

    private FlowCopy(NpgsqlBinaryImporter importer, FlowStrings strings, long objectId, int sourceId) =>
        (_importer, _strings, _objectId, _sourceId) = (importer, strings, objectId, sourceId);

    public static async Task<FlowCopy> BeginAsync(NpgsqlConnection connection, FlowStrings strings, long objectId, long sourceId, CancellationToken ct) =>
        new(await connection.BeginBinaryImportAsync($"copy flows ({Columns}) from stdin (format binary)", ct), strings, objectId, checked((int)sourceId));

    /// <summary>
    /// Writes one record; <paramref name="line"/> is where it is in its object, <paramref name="objectId"/> the
    /// ledger row it belongs to when not the COPY's own (a CloudWatch batch spans several streams).
    /// </summary>
    public void Write(FlowRecord r, FlowLogFormat format, long line, long? objectId = null)
    {
        var w = _importer;
        w.StartRow();
        w.Write(objectId ?? _objectId, NpgsqlDbType.Bigint);
        Number(r.Packets, NpgsqlDbType.Bigint);
        Number(r.Bytes, NpgsqlDbType.Bigint);
        Time(r.Start);
        Time(r.End);
        w.Write(_sourceId, NpgsqlDbType.Integer);
        Text(r.AccountId);
        Text(r.InterfaceId);
        Number(r.SrcPort, NpgsqlDbType.Integer);
        Number(r.DstPort, NpgsqlDbType.Integer);
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
            w.WriteNull();
        }
        else
        {
            w.Write(JsonSerializer.Serialize(format.ExtraNames.Zip(r.Extras).ToDictionary(p => p.First, p => p.Second)), NpgsqlDbType.Jsonb);
        }
        w.Write(checked((int)line), NpgsqlDbType.Integer);
    }

    /// <summary>Ends the COPY; the rows become visible when the caller's transaction commits.</summary>
    public async Task<ulong> CompleteAsync(CancellationToken ct) => await _importer.CompleteAsync(ct);

    // Disposing without CompleteAsync cancels the COPY: none of its rows are stored.
    public ValueTask DisposeAsync() => _importer.DisposeAsync();

    private void Number<T>(T? value, NpgsqlDbType type) where T : struct
    {
        if (value is { } v)
        {
            _importer.Write(v, type);
        }
        else
        {
            _importer.WriteNull();
        }
    }

    private void Small(int? value)
    {
        if (value is { } v)
        {
            _importer.Write((short)v, NpgsqlDbType.Smallint);
        }
        else
        {
            _importer.WriteNull();
        }
    }

    private void Time(DateTimeOffset? value)
    {
        if (value is { } v)
        {
            _importer.Write(v.UtcDateTime, NpgsqlDbType.TimestampTz);
        }
        else
        {
            _importer.WriteNull();
        }
    }

    private void Text(string? value)
    {
        if (value is null)
        {
            _importer.WriteNull();
        }
        else
        {
            _importer.Write(_strings.IdOf(value), NpgsqlDbType.Integer);
        }
    }

    private void Address(FlowAddress? value)
    {
        if (value is { } v)
        {
            _importer.Write(v.ToIPAddress(), NpgsqlDbType.Inet);
        }
        else
        {
            _importer.WriteNull();
        }
    }
}
