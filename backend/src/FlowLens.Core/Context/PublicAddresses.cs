using System.Net;
using System.Net.Sockets;

namespace FlowLens.Core.Context;

/// <summary>Which addresses are on the public internet: where FlowLens may send requests to URLs users give (SSRF guards).</summary>
public static class PublicAddresses
{
    /// <summary>False for loopback, link-local (cloud metadata), private, shared, unspecified, multicast and reserved addresses.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var first = address.GetAddressBytes()[0];
            return !(address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal
                || address.IsIPv6Multicast || first == 0);
        }
        var b = address.GetAddressBytes();
        return b[0] switch
        {
            0 or 10 or 127 or >= 224 => false,
            100 => b[1] is < 64 or >= 128, // 100.64.0.0/10, carrier-grade NAT
            169 => b[1] != 254,
            172 => b[1] is < 16 or >= 32,
            192 => !(b[1] == 168 || (b[1] == 0 && b[2] is 0 or 2)),
            198 => b[1] is not (18 or 19),
            _ => true,
        };
    }
}
