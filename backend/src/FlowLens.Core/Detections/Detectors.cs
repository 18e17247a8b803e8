using System.Text.Json;

namespace FlowLens.Core.Detections;

/// <summary>A number a detector takes, with its documented default and the range it accepts.</summary>
public sealed record DetectorParameter(string Name, double Default, double Min, double Max, string Description);

/// <summary>A built-in detector: its id (a rule's kind), default window and severity, and parameters.</summary>
public sealed record Detector(string Id, string Name, string Window, string Severity, IReadOnlyList<DetectorParameter> Parameters, string Description);

/// <summary>The kinds of rule: <c>threshold</c>, and the built-in detectors (docs/detections.md lists them all).</summary>
public static class Detectors
{
    public const string Threshold = "threshold";
    public const string PortScan = "port-scan";
    public const string HostSweep = "host-sweep";
    public const string BruteForce = "brute-force";
    public const string SourceSilent = "source-silent";
    public const string NewPort = "new-port";
    public const string Exfiltration = "exfiltration";
    public const string ThreatList = "threat-list";
    public const string AwsServiceInternet = "s3-dynamodb-igw";

    public static readonly IReadOnlyList<string> Severities = ["low", "medium", "high", "critical"];

    /// <summary>Metrics of a threshold rule.</summary>
    public static readonly IReadOnlyList<string> Metrics = ["records", "flows", "bytes", "packets", "distinct-dstport", "distinct-dstaddr"];

    public static readonly IReadOnlyList<Detector> BuiltIn =
    [
        new(PortScan, "Port scan", "5m", "medium",
        [
            new("minPorts", 20, 2, 65535, "distinct destination ports of one destination address one source's REJECTed flows hit in the window"),
        ], "One source address is rejected on many ports of one destination (GuardDuty Recon:EC2/Portscan)."),
        new(HostSweep, "Host sweep", "5m", "medium",
        [
            new("minHosts", 20, 2, 1_000_000, "distinct destination addresses one source's REJECTed flows hit on one destination port in the window"),
        ], "One source address is rejected on one port of many destinations (GuardDuty Impact:EC2/PortSweep)."),
        new(BruteForce, "SSH/RDP brute force", "5m", "high",
        [
            new("minConnections", 20, 2, 1_000_000, "connections (distinct source ports) from one outside address to port 22 or 3389 in the window"),
        ], "Many connections from one address outside the private ranges to SSH or RDP (GuardDuty UnauthorizedAccess:EC2/SSHBruteForce)."),
        new(NewPort, "New port served", "15m", "medium",
        [
            new("baselineHours", 168, 1, 2160, "hours FlowLens must have seen the interface (serving or sending out) before a port it never served counts as new"),
            new("minFlows", 3, 1, 1_000_000, "ACCEPTed flows the interface served on the new port in the window, at least"),
        ], "An interface accepts connections on a port it never served before (GuardDuty Behavior:EC2/NetworkPortUnusual)."),
        new(Exfiltration, "Bytes out far above baseline", "1h", "high",
        [
            new("factor", 10, 2, 1000, "times the interface's average bytes out per hour over the baseline, at least"),
            new("minBytes", 100_000_000, 1_000_000, 1e13, "bytes from inside to outside in the window, at least"),
            new("baselineHours", 168, 24, 2160, "hours of history the baseline averages; an interface seen for less than a quarter of them has no baseline yet"),
        ], "An interface sends far more to addresses outside the VPCs than it usually does (GuardDuty Behavior:EC2/TrafficVolumeUnusual)."),
        new(ThreatList, "Threat-list traffic", "5m", "high",
        [
            new("minFlows", 1, 1, 1_000_000, "flows with one address in the window, at least"),
        ], "ACCEPTed flows from an address on a threat list, or any flow to one (GuardDuty UnauthorizedAccess:EC2/MaliciousIPCaller)."),
        new(AwsServiceInternet, "S3/DynamoDB through an internet gateway", "1h", "low",
        [
            new("minBytes", 1, 1, 1e13, "bytes a VPC's interfaces sent to S3 or DynamoDB through an internet gateway in the window, at least"),
        ], "A VPC reaches S3 or DynamoDB through its internet gateway (traffic-path 8; v5 logs with vpc-id) instead of a gateway VPC endpoint: data leaves the private path, and NAT or transfer charges follow. One finding per VPC: the fix is the VPC's."),
        new(SourceSilent, "Source gone silent", "5m", "high",
        [
            new("minutes", 60, 5, 10_080, "minutes an enabled source that ingested records before has ingested none"),
        ], "An enabled source stopped delivering records: its logs stopped, its credentials or bucket changed, or its worker is down."),
    ];

    /// <summary>
    /// A threshold query a rule is judged as: a threshold rule's own, or one of the fixed ones of a detector that is a
    /// filter (threat lists, S3/DynamoDB through an internet gateway). <see cref="KeyFormat"/> turns the group's key
    /// into the finding's (<c>{0}</c> is the key).
    /// </summary>
    public sealed record ThresholdPart(string? Filter, string GroupBy, string Metric, long Threshold, string KeyFormat = "{0}");

    /// <summary>The threshold queries of a rule of <paramref name="kind"/> (none for a detector judged otherwise).</summary>
    public static IReadOnlyList<ThresholdPart> ThresholdParts(string kind, string? filter, string? groupBy, string? metric, long? threshold,
        IReadOnlyDictionary<string, double> parameters) => kind switch
        {
            Threshold => [new ThresholdPart(filter, groupBy!, metric!, threshold!.Value)],
            // Inbound: accepted only (listed scanners being rejected is what a security group is for); outbound: any try.
            ThreatList => [
                new("src-threat-list = '*' and action = ACCEPT", "srcaddr", "flows", (long)Math.Ceiling(parameters["minFlows"]) - 1, "from {0}"),
            new("dst-threat-list = '*'", "dstaddr", "flows", (long)Math.Ceiling(parameters["minFlows"]) - 1, "to {0}"),
        ],
            AwsServiceInternet => [
                new("(pkt-dst-aws-service in ('S3', 'DYNAMODB') or dst-aws-service in ('S3', 'DYNAMODB')) and traffic-path = 8",
                "vpc-id", "bytes", (long)Math.Ceiling(parameters["minBytes"]) - 1),
        ],
            _ => [],
        };

    /// <summary>Whether a kind is judged per window of flows    /// <summary>Whether a kind is judged per window of flows (all but <see cref="SourceSilent"/>, judged on the clock).</summary>
    public static bool IsWindowed(string kind) => kind != SourceSilent;

    /// <summary>The destination ports the brute-force detector watches: SSH and RDP.</summary>
    public static readonly IReadOnlyList<int> BruteForcePorts = [22, 3389];

    /// <summary>Sources the brute-force detector leaves out: private, shared, loopback and link-local ranges (not "outside").</summary>
    public static readonly IReadOnlyList<string> InsideRanges =
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128"];

    public static bool IsBuiltIn(string kind) => BuiltIn.Any(d => d.Id == kind);

    public static Detector? Find(string kind) => BuiltIn.FirstOrDefault(d => d.Id == kind);

    public static int SeverityRank(string severity) => Severities.ToList().IndexOf(severity);

    /// <summary>
    /// A detector's parameters from a JSON object (null: all defaults), each missing one at its default; an error
    /// names an unknown or out-of-range parameter. Never throws on input.
    /// </summary>
    public static (Dictionary<string, double>? Values, string? Error) Parameters(Detector detector, JsonElement? json)
    {
        var values = detector.Parameters.ToDictionary(p => p.Name, p => p.Default);
        if (json is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return (values, null);
        }
        if (element.ValueKind != JsonValueKind.Object)
        {
            return (null, "parameters is a JSON object");
        }
        foreach (var property in element.EnumerateObject())
        {
            var parameter = detector.Parameters.FirstOrDefault(p => p.Name == property.Name);
            if (parameter is null)
            {
                return (null, $"'{property.Name}' is not a parameter of {detector.Id}; it takes: {string.Join(", ", detector.Parameters.Select(p => p.Name))}");
            }
            if (property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetDouble(out var value) || value < parameter.Min || value > parameter.Max)
            {
                return (null, $"{property.Name} is a number from {parameter.Min} to {parameter.Max}");
            }
            values[parameter.Name] = value;
        }
        return (values, null);
    }
}
