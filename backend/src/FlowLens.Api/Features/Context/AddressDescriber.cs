using System.Net;
using FlowLens.Core.Scopes;

namespace FlowLens.Api.Features.Context;

/// <summary>
/// Describes many addresses, each at its own time: networks, AWS ranges, country and ASN from memory
/// (<see cref="AddressContext"/>), the resource from the inventory in one query for all (<see cref="InventoryLookup"/>).
/// </summary>
public sealed class AddressDescriber(AddressContext context, InventoryLookup inventory)
{
    /// <summary>The addresses' context, in the order given; resources outside <paramref name="scope"/> are not described.</summary>
    public async Task<AddressInfo[]> DescribeAsync(IReadOnlyList<(IPAddress Address, DateTimeOffset At)> addresses, AccessScope scope, CancellationToken ct) =>
        (await DescribeAsync(addresses, [], scope, ct)).Addresses;

    /// <summary>
    /// The addresses' context and the inventory's description of the ENIs <paramref name="interfaces"/> (null where
    /// unknown or outside <paramref name="scope"/>), each in the order given, with one inventory query for both.
    /// </summary>
    public async Task<(AddressInfo[] Addresses, InventoryContext?[] Interfaces)> DescribeAsync(
        IReadOnlyList<(IPAddress Address, DateTimeOffset At)> addresses, IReadOnlyList<(string InterfaceId, DateTimeOffset At)> interfaces, AccessScope scope,
        CancellationToken ct)
    {
        await context.LoadAsync(ct);
        var infos = addresses.Select(a => context.Lookup(a.Address)).ToArray();
        // By the address as Lookup writes it: an IPv4-mapped IPv6 address is the IPv4 address the inventory holds.
        var addressKeys = infos.Select((info, i) => new InventoryKey(info.Address, addresses[i].At)).ToArray();
        var interfaceKeys = interfaces.Select(e => new InventoryKey(e.InterfaceId, e.At)).ToArray();
        var found = await inventory.DescribeAsync(addressKeys.Concat(interfaceKeys), scope, ct);
        InventoryContext? Find(InventoryKey key) => found.GetValueOrDefault(key);
        return ([.. infos.Select((info, i) => info with { Resource = Find(addressKeys[i]) })], [.. interfaceKeys.Select(Find)]);
    }
}
