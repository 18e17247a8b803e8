using System.Net;
using FlowLens.Api.Features.Context;
using FlowLens.Core.Scopes;

namespace FlowLens.Api.Features.Flows;

/// <summary>What FlowLens knows of a flow at its start: its two addresses and the interface that logged it.</summary>
public sealed record FlowContext(AddressInfo? Src, AddressInfo? Dst, InventoryContext? Interface)
{
    public static readonly FlowContext None = new(null, null, null);

    /// <summary>
    /// The context of each flow, in order, with one inventory query for the batch (a page, or a slice of an export).
    /// A flow without a start gets none: a search's flows always have one, since the range is on it.
    /// </summary>
    public static async Task<FlowContext[]> DescribeAsync(IReadOnlyList<StoredFlow> flows, AddressDescriber describer, AccessScope scope, CancellationToken ct)
    {
        var addresses = new List<(IPAddress, DateTimeOffset)>();
        var interfaces = new List<(string, DateTimeOffset)>();
        foreach (var r in flows.Select(f => f.Record))
        {
            if (r.Start is not { } at)
            {
                continue;
            }
            if (r.SrcAddr is { } src)
            {
                addresses.Add((src.ToIPAddress(), at));
            }
            if (r.DstAddr is { } dst)
            {
                addresses.Add((dst.ToIPAddress(), at));
            }
            if (r.InterfaceId is { } eni)
            {
                interfaces.Add((eni, at));
            }
        }
        var (described, enis) = await describer.DescribeAsync(addresses, interfaces, scope, ct);

        // The same walk again, taking the answers in the order they were asked.
        var result = new FlowContext[flows.Count];
        var (a, e) = (0, 0);
        for (var i = 0; i < flows.Count; i++)
        {
            var r = flows[i].Record;
            result[i] = r.Start is null ? None : new FlowContext(
                r.SrcAddr is null ? null : described[a++], r.DstAddr is null ? null : described[a++], r.InterfaceId is null ? null : enis[e++]);
        }
        return result;
    }
}
