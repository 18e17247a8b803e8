using System.Collections.Frozen;

namespace FlowLens.Core.Lookups;

/// <summary>IANA "Assigned Internet Protocol Numbers": number to keyword and back.</summary>
public static class Protocols
{
    public const int Icmp = 1;
    public const int Tcp = 6;
    public const int Udp = 17;
    public const int IcmpV6 = 58;

    // Keywords as IANA lists them; numbers without a keyword get IANA's description.
    private static readonly string[] Names =
    [
        "HOPOPT", "ICMP", "IGMP", "GGP", "IPv4", "ST", "TCP", "CBT", "EGP", "IGP", // 0-9
        "BBN-RCC-MON", "NVP-II", "PUP", "ARGUS", "EMCON", "XNET", "CHAOS", "UDP", "MUX", "DCN-MEAS", // 10-19
        "HMP", "PRM", "XNS-IDP", "TRUNK-1", "TRUNK-2", "LEAF-1", "LEAF-2", "RDP", "IRTP", "ISO-TP4", // 20-29
        "NETBLT", "MFE-NSP", "MERIT-INP", "DCCP", "3PC", "IDPR", "XTP", "DDP", "IDPR-CMTP", "TP++", // 30-39
        "IL", "IPv6", "SDRP", "IPv6-Route", "IPv6-Frag", "IDRP", "RSVP", "GRE", "DSR", "BNA", // 40-49
        "ESP", "AH", "I-NLSP", "SWIPE", "NARP", "Min-IPv4", "TLSP", "SKIP", "IPv6-ICMP", "IPv6-NoNxt", // 50-59
        "IPv6-Opts", "any host internal protocol", "CFTP", "any local network", "SAT-EXPAK", "KRYPTOLAN", "RVD", "IPPC", "any distributed file system", "SAT-MON", // 60-69
        "VISA", "IPCV", "CPNX", "CPHB", "WSN", "PVP", "BR-SAT-MON", "SUN-ND", "WB-MON", "WB-EXPAK", // 70-79
        "ISO-IP", "VMTP", "SECURE-VMTP", "VINES", "IPTM", "NSFNET-IGP", "DGP", "TCF", "EIGRP", "OSPFIGP", // 80-89
        "Sprite-RPC", "LARP", "MTP", "AX.25", "IPIP", "MICP", "SCC-SP", "ETHERIP", "ENCAP", "any private encryption scheme", // 90-99
        "GMTP", "IFMP", "PNNI", "PIM", "ARIS", "SCPS", "QNX", "A/N", "IPComp", "SNP", // 100-109
        "Compaq-Peer", "IPX-in-IP", "VRRP", "PGM", "any 0-hop protocol", "L2TP", "DDX", "IATP", "STP", "SRP", // 110-119
        "UTI", "SMP", "SM", "PTP", "ISIS over IPv4", "FIRE", "CRTP", "CRUDP", "SSCOPMCE", "IPLT", // 120-129
        "SPS", "PIPE", "SCTP", "FC", "RSVP-E2E-IGNORE", "Mobility Header", "UDPLite", "MPLS-in-IP", "manet", "HIP", // 130-139
        "Shim6", "WESP", "ROHC", "Ethernet", "AGGFRAG", "NSH", // 140-145
    ];

    private static readonly FrozenDictionary<string, int> ByName = Names
        .Select((name, number) => (Name: name, Number: number))
        .Append((Name: "ICMPv6", Number: IcmpV6))
        .DistinctBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
        .ToFrozenDictionary(p => p.Name, p => p.Number, StringComparer.OrdinalIgnoreCase);

    /// <summary>The protocol's keyword (6 → "TCP"); "Unassigned", "Experimental" or "Reserved" for the rest.</summary>
    public static string Name(int number) => number switch
    {
        >= 0 when number < Names.Length => Names[number],
        >= 146 and <= 252 => "Unassigned",
        253 or 254 => "Experimental",
        255 => "Reserved",
        _ => throw new ArgumentOutOfRangeException(nameof(number), number, "protocol numbers are 0 to 255"),
    };

    /// <summary>Every number with a name of its own (0 to 145), in order.</summary>
    public static IEnumerable<(int Number, string Name)> All => Names.Select((name, number) => (number, name));

    /// <summary>Reads a protocol as a number (<c>6</c>) or a keyword, in any case (<c>tcp</c>, <c>ICMPv6</c>).</summary>
    public static bool TryParse(string text, out int number)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out number))
        {
            return number is >= 0 and <= 255;
        }
        return ByName.TryGetValue(text, out number);
    }
}
