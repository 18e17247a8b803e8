namespace FlowLens.Core.Lookups;

/// <summary>The <c>traffic-path</c> codes: the path egress traffic takes to its destination.</summary>
public static class TrafficPaths
{
    private static readonly string[] Labels =
    [
        "",
        "another resource in the same VPC",
        "internet gateway or gateway VPC endpoint",
        "virtual private gateway",
        "intra-region VPC peering",
        "inter-region VPC peering",
        "local gateway",
        "gateway VPC endpoint (Nitro)",
        "internet gateway (Nitro)",
    ];

    /// <summary>The label of a code (8 → "internet gateway (Nitro)"); a code AWS adds later shows as "path N".</summary>
    public static string Label(int code) => code >= 1 && code < Labels.Length ? Labels[code] : $"path {code}";

    /// <summary>Every known code with its label, in order.</summary>
    public static IEnumerable<(int Code, string Label)> All => Enumerable.Range(1, Labels.Length - 1).Select(c => (c, Labels[c]));
}
