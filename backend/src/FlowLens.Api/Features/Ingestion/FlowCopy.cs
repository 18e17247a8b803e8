using System.Runtime.CompilerServices;
using System.Text.Json;
using FlowLens.Api.Data;
using FlowLens.Core.FlowLogs;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>Writes flow records into the <c>flows</c> table with binary COPY, on the caller's transaction.</summary>
public sealed class FlowCopy : IAsyncDisposable
{
    // The table's columns in its order, as an array: the row loop below walks it without allocating.
    private static readonly FlowColumn[] Columns = [.. FlowColumns.All.Select(c => c.Column)];

    private readonly BinaryCopyWriter _writer;
    private readonly FlowStrings _strings;

    // Text ids seen lately, by the string's identity: the parser hands back one string instance for a repeated value,
    // and flow logs repeat the same few hundred ids (accounts, ENIs, subnets, instances...) line after line, so most
    // lookups end at a reference comparison. With 64 slots those ids kept evicting each other (the dictionary lookup
    // behind was about 3% of FlowLens's CPU in the ingest benchmark's profile, 0.6% with 1,024 slots: 16 KB an object).
    private readonly (string? Value, int Id)[] _recentIds = new (string?, int)[1024];
    private readonly int _sourceId;

    private FlowCopy(BinaryCopyWriter writer, FlowStrings strings, int sourceId) => (_writer, _strings, _sourceId) = (writer, strings, sourceId);

    public static async Task<FlowCopy> BeginAsync(NpgsqlConnection connection, FlowStrings strings, long sourceId, CancellationToken ct) =>
        new(await BinaryCopyWriter.BeginAsync(connection, "flows", FlowColumns.List, ct), strings, checked((int)sourceId));

    /// <summary>
    /// Writes one record; <paramref name="line"/> is where it is in its object, <paramref name="objectId"/> the ledger
    /// row it belongs to.
    /// </summary>
    public async ValueTask WriteAsync(FlowRecord r, FlowLogFormat format, long line, long objectId, CancellationToken ct)
    {
        await _writer.StartRowAsync(ct);
        foreach (var column in Columns)
        {
            Write(column, r, format, line, objectId);
        }
    }

    private void Write(FlowColumn column, FlowRecord r, FlowLogFormat format, long line, long objectId)
    {
        var w = _writer;
        switch (column)
        {
            case FlowColumn.ObjectId: w.Int64(objectId); break;
            case FlowColumn.Packets: w.Int64(r.Packets); break;
            case FlowColumn.Bytes: w.Int64(r.Bytes); break;
            case FlowColumn.Start: w.Timestamp(r.Start); break;
            case FlowColumn.End: w.Timestamp(r.End); break;
            case FlowColumn.SourceId: w.Int32(_sourceId); break;
            case FlowColumn.AccountId: Text(r.AccountId); break;
            case FlowColumn.InterfaceId: Text(r.InterfaceId); break;
            case FlowColumn.SrcPort: w.Int32(r.SrcPort); break;
            case FlowColumn.DstPort: w.Int32(r.DstPort); break;
            case FlowColumn.VpcId: Text(r.VpcId); break;
            case FlowColumn.SubnetId: Text(r.SubnetId); break;
            case FlowColumn.InstanceId: Text(r.InstanceId); break;
            case FlowColumn.Region: Text(r.Region); break;
            case FlowColumn.AzId: Text(r.AzId); break;
            case FlowColumn.SublocationType: Text(r.SublocationType); break;
            case FlowColumn.SublocationId: Text(r.SublocationId); break;
            case FlowColumn.PktSrcAwsService: Text(r.PktSrcAwsService); break;
            case FlowColumn.PktDstAwsService: Text(r.PktDstAwsService); break;
            case FlowColumn.EcsClusterArn: Text(r.EcsClusterArn); break;
            case FlowColumn.EcsClusterName: Text(r.EcsClusterName); break;
            case FlowColumn.EcsContainerInstanceArn: Text(r.EcsContainerInstanceArn); break;
            case FlowColumn.EcsContainerInstanceId: Text(r.EcsContainerInstanceId); break;
            case FlowColumn.EcsContainerId: Text(r.EcsContainerId); break;
            case FlowColumn.EcsSecondContainerId: Text(r.EcsSecondContainerId); break;
            case FlowColumn.EcsServiceName: Text(r.EcsServiceName); break;
            case FlowColumn.EcsTaskDefinitionArn: Text(r.EcsTaskDefinitionArn); break;
            case FlowColumn.EcsTaskArn: Text(r.EcsTaskArn); break;
            case FlowColumn.EcsTaskId: Text(r.EcsTaskId); break;
            case FlowColumn.RejectReason: Text(r.RejectReason); break;
            case FlowColumn.Version: w.Int16((short?)r.Version); break;
            case FlowColumn.Protocol: w.Int16((short?)r.Protocol); break;
            case FlowColumn.Action: w.Int16((short?)r.Action); break;
            case FlowColumn.LogStatus: w.Int16((short?)r.LogStatus); break;
            case FlowColumn.TcpFlags: w.Int16((short?)r.TcpFlags); break;
            case FlowColumn.Type: w.Int16((short?)r.Type); break;
            case FlowColumn.FlowDirection: w.Int16((short?)r.FlowDirection); break;
            case FlowColumn.TrafficPath: w.Int16(r.TrafficPath); break;
            case FlowColumn.SrcAddr: w.Inet(r.SrcAddr); break;
            case FlowColumn.DstAddr: w.Inet(r.DstAddr); break;
            case FlowColumn.PktSrcAddr: w.Inet(r.PktSrcAddr); break;
            case FlowColumn.PktDstAddr: w.Inet(r.PktDstAddr); break;
            case FlowColumn.Extras when r.Extras.Length == 0: w.Null(); break;
            case FlowColumn.Extras: w.Jsonb(JsonSerializer.Serialize(format.ExtraNames.Zip(r.Extras).ToDictionary(p => p.First, p => p.Second))); break;
            case FlowColumn.Line: w.Int32(checked((int)line)); break;
            default: throw new ArgumentOutOfRangeException(nameof(column), column, "a flows column FlowCopy does not write");
        }
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
