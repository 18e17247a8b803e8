namespace FlowLens.Core.Lookups;

/// <summary>The <c>traffic-path</c> codes: the path egress traffic takes to its destination.</summary>
public static class TrafficPaths
{
    // A short label for screens and AWS's description, by code.
    private static readonly (string Short, string Label)[] Paths =
    [
        ("", ""),
        ("Same VPC", "another resource in the same VPC"),
        ("Internet gateway or gateway endpoint", "internet gateway or gateway VPC endpoint"),
        ("Virtual private gateway", "virtual private gateway"),
        ("Intra-region VPC peering", "intra-region VPC peering"),
        ("Inter-region VPC peering", "inter-region VPC peering"),
        ("Local gateway", "local gateway"),
        ("Gateway VPC endpoint (Nitro)", "gateway VPC endpoint (Nitro)"),
        ("Internet gateway (Nitro)", "internet gateway (Nitro)"),
    ];

    /// <summary>The label of a code (8 → "internet gateway (Nitro)"); a code AWS adds later shows as "path N".</summary>
    public static string Label(int code) => Known(code) ? Paths[code].Label : $"path {code}";

    /// <summary>The label in a few words, for tables and charts (1 → "Same VPC").</summary>
    public static string Short(int code) => Known(code) ? Paths[code].Short : $"path {code}";

    /// <summary>Every known code with its labels, in order.</summary>
    public static IEnumerable<(int Code, string Short, string Label)> All =>
        Enumerable.Range(1, Paths.Length - 1).Select(c => (c, Paths[c].Short, Paths[c].Label));

    private static bool Known(int code) => code >= 1 && code < Paths.Length;
}
