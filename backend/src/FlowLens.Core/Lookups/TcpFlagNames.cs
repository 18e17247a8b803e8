using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Lookups;

/// <summary>Names for the <c>tcp-flags</c> bitmask.</summary>
public static class TcpFlagNames
{
    private static readonly (TcpFlags Flag, string Name)[] Order =
    [
        (TcpFlags.Syn, "SYN"), (TcpFlags.Ack, "ACK"), (TcpFlags.Fin, "FIN"), (TcpFlags.Rst, "RST"),
        (TcpFlags.Psh, "PSH"), (TcpFlags.Urg, "URG"), (TcpFlags.Ece, "ECE"), (TcpFlags.Cwr, "CWR"),
    ];

    /// <summary>Every flag: its bit and name, in the order <see cref="Names"/> lists them.</summary>
    public static IEnumerable<(int Bit, string Name)> All => Order.Select(o => ((int)o.Flag, o.Name));

    /// <summary>The flags set, as names (18 → ["SYN", "ACK"]).</summary>
    public static IReadOnlyList<string> Names(TcpFlags flags) =>
        [.. Order.Where(o => flags.HasFlag(o.Flag)).Select(o => o.Name)];

    /// <summary>One line for display: "SYN-ACK" for 18, "SYN,FIN" for 3, "none" for 0.</summary>
    public static string Describe(TcpFlags flags) => flags switch
    {
        TcpFlags.None => "none",
        TcpFlags.Syn | TcpFlags.Ack => "SYN-ACK",
        _ => string.Join(',', Names(flags)),
    };
}
