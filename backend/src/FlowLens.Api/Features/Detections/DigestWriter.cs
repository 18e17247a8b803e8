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

    /// <summary>Groups kept per threshold rule's part and 5-minute slice of a batch (of at least the rule's least); the rest are bounded by the floor.</summary>
    public const int RuleKeys = 500;

    public static async Task WriteAsync(NpgsqlConnection connection, DetectionDigest digest, RuleDigest rules, long sourceId, long? objectId, CancellationToken ct)
    {
        // A batch's slices and groups join on (batch, slice); a random number names the batch (an object or a
        // CloudWatch batch of several streams), with no sequence to round-trip to.
        var batch = RandomNumberGenerator.GetInt32(int.MaxValue) * (long)int.MaxValue + RandomNumberGenerator.GetInt32(int.MaxValue);
        var slices = digest.Slices(Keys).ToList();
        await using (var copy = await BinaryCopyWriter.BeginAsync(connection, "detection_slices", "batch, source_id, object_id, slice, records, floors", ct))
        {
            foreach (var slice in slices)
            {
                await StartRowAsync(copy, batch, sourceId, objectId, slice.Slice, ct);
                copy.Int64(slice.Records);
                copy.Int64Array(slice.Floors);
            }
            await copy.CompleteAsync(ct);
        }
        await using (var copy = await BinaryCopyWriter.BeginAsync(connection, "detection_digests",
            "batch, source_id, object_id, slice, family, srcaddr, dstaddr, dstport, flows, bytes, ports, hosts", ct))
        {
            foreach (var slice in slices)
            {
                foreach (var key in slice.Keys.Where(k => !IsInterfaceFamily(k.Family)))
                {
                    await StartRowAsync(copy, batch, sourceId, objectId, slice.Slice, ct);
                    copy.Int16((short)key.Family);
                    copy.Inet(key.SrcAddr);
                    copy.Inet(key.DstAddr);
                    copy.Int32(key.DstPort);
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
        // The interfaces' families: one row of parallel arrays per slice and family (a row each took as much room as the flows).
        await using (var copy = await BinaryCopyWriter.BeginAsync(connection, "detection_interfaces",
            "batch, source_id, object_id, slice, family, interface_ids, ports, flows, bytes", ct))
        {
            foreach (var slice in slices)
            {
                foreach (var family in slice.Keys.Where(k => IsInterfaceFamily(k.Family)).GroupBy(k => k.Family))
                {
                    var keys = family.ToList();
                    await StartRowAsync(copy, batch, sourceId, objectId, slice.Slice, ct);
                    copy.Int16((short)family.Key);
                    copy.TextArray([.. keys.Select(k => k.InterfaceId!)]);
                    copy.Int32Array([.. keys.Select(k => k.DstPort)]);
                    copy.Int32Array([.. keys.Select(k => (int?)k.Flows)], nullWhenAllNull: false);
                    if (family.Key == DigestFamily.BytesOut)
                    {
                        copy.Int64Array([.. keys.Select(k => k.Bytes)]);
                    }
                    else
                    {
                        copy.Null();
                    }
                }
            }
            await copy.CompleteAsync(ct);
        }
        if (rules.Rules.Count > 0)
        {
            await WriteRulesAsync(connection, rules, batch, sourceId, objectId, ct);
        }
    }

    private static async Task WriteRulesAsync(NpgsqlConnection connection, RuleDigest digest, long batch, long sourceId, long? objectId, CancellationToken ct)
    {
        var slices = digest.Slices(RuleKeys).ToList();
        await using (var copy = await BinaryCopyWriter.BeginAsync(connection, "rule_slices", "batch, source_id, object_id, slice, rule_id, part, stamp, records, floor", ct))
        {
            foreach (var slice in slices)
            {
                await StartRowAsync(copy, batch, sourceId, objectId, slice.Slice, ct);
                copy.Int64(slice.Rule.Id);
                copy.Int16(slice.Rule.Part);
                copy.Int64(slice.Rule.Stamp);
                copy.Int64(slice.Records);
                copy.Int64(slice.Floor);
            }
            await copy.CompleteAsync(ct);
        }
        await using (var copy = await BinaryCopyWriter.BeginAsync(connection, "rule_digests",
            "batch, source_id, object_id, slice, rule_id, part, key, value, members, records, first_start, last_start, ports, hosts", ct))
        {
            foreach (var slice in slices)
            {
                foreach (var group in slice.Groups)
                {
                    await StartRowAsync(copy, batch, sourceId, objectId, slice.Slice, ct);
                    copy.Int64(slice.Rule.Id);
                    copy.Int16(slice.Rule.Part);
                    copy.Text(group.Key);
                    copy.Int64(group.Value);
                    copy.Int32(slice.Rule.Metric.StartsWith("distinct-", StringComparison.Ordinal) ? group.Ports.Length + group.Hosts.Length : null);
                    copy.Int32(group.Records);
                    copy.Timestamp(new DateTimeOffset(group.First));
                    copy.Timestamp(new DateTimeOffset(group.Last));
                    copy.Int32Array([.. group.Ports.Select(p => (int?)p)]);
                    copy.InetArray([.. group.Hosts.Select(h => (FlowAddress?)h)]);
                }
            }
            await copy.CompleteAsync(ct);
        }
    }

    /// <summary>Starts a digest row with what every table of them begins with: the batch, its source and object, the slice.</summary>
    private static async ValueTask StartRowAsync(BinaryCopyWriter copy, long batch, long sourceId, long? objectId, DateTime slice, CancellationToken ct)
    {
        await copy.StartRowAsync(ct);
        copy.Int64(batch);
        copy.Int64(sourceId);
        copy.Int64(objectId);
        copy.Timestamp(new DateTimeOffset(slice));
    }

    private static bool IsInterfaceFamily(DigestFamily family) => family is DigestFamily.ServedPorts or DigestFamily.BytesOut;

    /// <summary>Deletes the digests <paramref name="condition"/> selects (on <c>source_id</c> / <c>object_id</c>, with <paramref name="values"/> as $1...).</summary>
    public static async Task DeleteAsync(NpgsqlConnection connection, string condition, CancellationToken ct, params object[] values)
    {
        foreach (var table in new[] { "detection_digests", "detection_interfaces", "detection_slices", "rule_digests", "rule_slices" })
        {
            await using var command = DetectionJob.Command(connection, $"delete from {table} where {condition}", values);
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
