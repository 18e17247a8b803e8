using System.Security.Cryptography;
using FlowLens.Api.Data;
using FlowLens.Core.Detections;
using FlowLens.Core.FlowLogs;
using Npgsql;

namespace FlowLens.Api.Features.Detections;

/// <summary>
/// Appends a batch's digests (<see cref="DetectionDigest"/>) with binary COPY on the ingestion's connection and
/// transaction, so they exist exactly when the batch's flows do; deletes them with the flows (a replaced object, a
/// deleted source) and after the detections' lookback.
/// </summary>
public static class DigestWriter
{
    /// <summary>Groups kept per family and 5-minute slice of a batch; the rest are bounded by the floor.</summary>
    public const int Keys = 500;

    public static async Task WriteAsync(NpgsqlConnection connection, DetectionDigest digest, long sourceId, long? objectId, CancellationToken ct)
    {
        // A batch's slices and groups join on (batch, slice); a random number names the batch (an object or a
        // CloudWatch batch of several streams), with no sequence to round-trip to.
        var batch = RandomNumberGenerator.GetInt32(int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(int.MaxValue);
        var slices = digest.Slices(Keys).ToList();
        await using (var copy = await BinaryCopyWriter.BeginAsync(connection, "detection_slices", "batch, source_id, object_id, slice, records, floors", ct))
        {
            foreach (var slice in slices)
            {
                await copy.StartRowAsync(ct);
                copy.Int64(batch);
                copy.Int64(sourceId);
                copy.Int64(objectId);
                copy.Timestamp(new DateTimeOffset(slice.Slice));
                copy.Int64(slice.Records);
                copy.Int64Array(slice.Floors);
            }
            await copy.CompleteAsync(ct);
        }
        await using (var copy = await BinaryCopyWriter.BeginAsync(connection, "detection_digests",
            "batch, source_id, object_id, slice, family, srcaddr, dstaddr, dstport, interface_id, flows, bytes, ports, hosts", ct))
        {
            foreach (var slice in slices)
            {
                foreach (var key in slice.Keys)
                {
                    await copy.StartRowAsync(ct);
                    copy.Int64(batch);
                    copy.Int64(sourceId);
                    copy.Int64(objectId);
                    copy.Timestamp(new DateTimeOffset(slice.Slice));
                    copy.Int16((short)key.Family);
                    copy.Inet(key.SrcAddr);
                    copy.Inet(key.DstAddr);
                    copy.Int32(key.DstPort);
                    if (key.InterfaceId is null)
                    {
                        copy.Null();
                    }
                    else
                    {
                        copy.Text(key.InterfaceId);
                    }
                    copy.Int32(key.Flows);
                    copy.Int64(key.Bytes);
                    if (key.Ports.Length > 0)
                    {
                        copy.Int32Array([.. key.Ports.Select(p => (int?)p)], nullWhenAllNull: false);
                    }
                    else
                    {
                        copy.Null();
                    }
                    if (key.Hosts.Length > 0)
                    {
                        copy.InetArray([.. key.Hosts.Select(h => (FlowAddress?)h)]);
                    }
                    else
                    {
                        copy.Null();
                    }
                }
            }
            await copy.CompleteAsync(ct);
        }
    }

    /// <summary>Deletes the digests <paramref name="condition"/> selects (on <c>source_id</c> / <c>object_id</c>, with <paramref name="values"/> as $1...).</summary>
    public static async Task DeleteAsync(NpgsqlConnection connection, string condition, CancellationToken ct, params object[] values)
    {
        foreach (var table in new[] { "detection_digests", "detection_slices" })
        {
            await using var command = DetectionJob.Command(connection, $"delete from {table} where {condition}", values);
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
