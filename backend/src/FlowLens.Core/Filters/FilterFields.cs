using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Filters;

/// <summary>How a filter field's values are read and compared.</summary>
public enum FilterKind
{
    /// <summary>IPv4/IPv6 address or CIDR block; <c>=</c> on a block means "inside it".</summary>
    Address,
    /// <summary>A whole number (ports, packets, bytes, version, tcp-flags, traffic-path).</summary>
    Number,
    /// <summary>An IANA protocol, by number or name (<c>6</c>, <c>tcp</c>).</summary>
    Protocol,
    /// <summary>One of a few words, stored as a small code (action, log-status, type, flow-direction).</summary>
    Enum,
    /// <summary>Text ids (interface-id, vpc-id...), stored as ids into flow_strings.</summary>
    Text,
    /// <summary>
    /// What FlowLens knows of an address or an interface, not stored in the flow (<see cref="FilterField.Attribute"/>):
    /// the API resolves the values to address ranges or interfaces before the filter becomes SQL.
    /// </summary>
    Context,
}

/// <summary>The context a <see cref="FilterKind.Context"/> field compares (docs/enrichment.md).</summary>
public enum ContextAttribute
{
    /// <summary>The name of the most specific of your networks holding the address.</summary>
    Network,
    /// <summary>The service of the most specific AWS ip-ranges.json prefix holding the address (S3, EC2, AMAZON...).</summary>
    AwsService,
    /// <summary>The ISO 3166 country code of the address, from the country database.</summary>
    Country,
    /// <summary>The autonomous system number of the address, from the ASN database.</summary>
    Asn,
    /// <summary>The Name tag of the instance (or the name of the resource) the flow's interface belonged to at the flow's time.</summary>
    InstanceName,
    /// <summary>A security group (id, group name or Name tag) of the flow's interface at the flow's time.</summary>
    SecurityGroup,
    /// <summary>The name of a threat list (docs/threat-lists.md) holding the address.</summary>
    ThreatList,
}

/// <summary>A field the filter language knows: its AWS name, kind, the columns it reads and example values.</summary>
public sealed record FilterField(string Name, FilterKind Kind, IReadOnlyList<string> Columns, IReadOnlyList<string> Examples)
{
    /// <summary>Words and their stored codes, for <see cref="FilterKind.Enum"/> fields.</summary>
    public IReadOnlyDictionary<string, int> Codes { get; init; } = new Dictionary<string, int>();

    /// <summary>What a <see cref="FilterKind.Context"/> field compares.</summary>
    public ContextAttribute? Attribute { get; init; }
}

public static class FilterFields
{
    private static FilterField Enum(string name, string column, params (string Word, int Code)[] codes) =>
        new(name, FilterKind.Enum, [column], [.. codes.Select(c => c.Word)])
        {
            Codes = codes.ToDictionary(c => c.Word, c => c.Code, StringComparer.OrdinalIgnoreCase),
        };

    private static FilterField Text(string name, params string[] examples) => new(name, FilterKind.Text, [name.Replace('-', '_')], examples);

    private static FilterField Number(string name, params string[] examples) => new(name, FilterKind.Number, [name.Replace('-', '_')], examples);

    private static FilterField Context(string name, ContextAttribute attribute, string[] columns, params string[] examples) =>
        new(name, FilterKind.Context, columns, examples) { Attribute = attribute };

    public static readonly IReadOnlyList<FilterField> All =
    [
        new("srcaddr", FilterKind.Address, ["srcaddr"], ["10.0.0.5", "10.0.0.0/8", "2001:db8::/32"]),
        new("dstaddr", FilterKind.Address, ["dstaddr"], ["10.0.0.5", "172.16.0.0/12"]),
        new("addr", FilterKind.Address, ["srcaddr", "dstaddr"], ["10.0.0.5", "192.168.0.0/16"]),
        new("pkt-srcaddr", FilterKind.Address, ["pkt_srcaddr"], ["10.0.1.5"]),
        new("pkt-dstaddr", FilterKind.Address, ["pkt_dstaddr"], ["203.0.113.5"]),
        Number("srcport", "443", "49152"),
        Number("dstport", "22", "3389", "443"),
        new("port", FilterKind.Number, ["srcport", "dstport"], ["22", "443"]),
        new("protocol", FilterKind.Protocol, ["protocol"], ["tcp", "udp", "icmp", "6"]),
        Enum("action", "action", ("ACCEPT", (int)FlowAction.Accept), ("REJECT", (int)FlowAction.Reject)),
        Enum("log-status", "log_status", ("OK", (int)LogStatus.Ok), ("NODATA", (int)LogStatus.NoData), ("SKIPDATA", (int)LogStatus.SkipData)),
        Number("packets", "1", "100"),
        Number("bytes", "1000000"),
        Text("interface-id", "eni-1235b8ca123456789"),
        Text("account-id", "123456789010"),
        Text("vpc-id", "vpc-abcdefab012345678"),
        Text("subnet-id", "subnet-aaaaaaaa012345678"),
        Text("instance-id", "i-01234567890123456"),
        Enum("type", "type", ("IPv4", (int)TrafficType.IPv4), ("IPv6", (int)TrafficType.IPv6), ("EFA", (int)TrafficType.EFA)),
        Number("tcp-flags", "2", "18"),
        Text("region", "eu-west-1"),
        Text("az-id", "euw1-az1"),
        Enum("flow-direction", "flow_direction", ("ingress", (int)FlowDirection.Ingress), ("egress", (int)FlowDirection.Egress)),
        Number("traffic-path", "1", "8"),
        Text("pkt-src-aws-service", "AMAZON", "S3"),
        Text("pkt-dst-aws-service", "S3", "DYNAMODB"),
        Text("sublocation-type", "outpost", "wavelength", "localzone"),
        Text("sublocation-id", "op-0123456789abcdef0"),
        Text("reject-reason", "BPA"),
        Text("ecs-cluster-arn"), Text("ecs-cluster-name"), Text("ecs-container-instance-arn"), Text("ecs-container-instance-id"),
        Text("ecs-container-id"), Text("ecs-second-container-id"), Text("ecs-service-name"), Text("ecs-task-definition-arn"),
        Text("ecs-task-arn"), Text("ecs-task-id"),
        Number("version", "2", "5", "6"),
        Text("resource-type", "TransitGateway"),
        Text("tgw-id", "tgw-0123456789abcdef0"),
        Text("tgw-attachment-id", "tgw-attach-0123456789abcdef0"),
        Text("tgw-src-vpc-account-id", "123456789010"),
        Text("tgw-dst-vpc-account-id", "123456789010"),
        Text("tgw-src-vpc-id", "vpc-abcdefab012345678"),
        Text("tgw-dst-vpc-id", "vpc-abcdefab012345678"),
        Text("tgw-src-subnet-id", "subnet-aaaaaaaa012345678"),
        Text("tgw-dst-subnet-id", "subnet-aaaaaaaa012345678"),
        Text("tgw-src-eni", "eni-1235b8ca123456789"),
        Text("tgw-dst-eni", "eni-1235b8ca123456789"),
        Text("tgw-src-az-id", "use1-az1"),
        Text("tgw-dst-az-id", "use1-az2"),
        Text("tgw-pair-attachment-id", "tgw-attach-0123456789abcdef0"),
        Number("packets-lost-no-route", "1"),
        Number("packets-lost-blackhole", "1"),
        Number("packets-lost-mtu-exceeded", "1"),
        Number("packets-lost-ttl-expired", "1"),
        Context("src-network", ContextAttribute.Network, ["srcaddr"], "prod", "office-vpn"),
        Context("dst-network", ContextAttribute.Network, ["dstaddr"], "prod"),
        Context("network", ContextAttribute.Network, ["srcaddr", "dstaddr"], "prod"),
        Context("src-aws-service", ContextAttribute.AwsService, ["srcaddr"], "S3", "EC2", "AMAZON"),
        Context("dst-aws-service", ContextAttribute.AwsService, ["dstaddr"], "S3", "DYNAMODB"),
        Context("aws-service", ContextAttribute.AwsService, ["srcaddr", "dstaddr"], "S3"),
        Context("src-country", ContextAttribute.Country, ["srcaddr"], "CN", "US"),
        Context("dst-country", ContextAttribute.Country, ["dstaddr"], "US", "DE"),
        Context("country", ContextAttribute.Country, ["srcaddr", "dstaddr"], "CN"),
        Context("src-asn", ContextAttribute.Asn, ["srcaddr"], "16509", "AS4134"),
        Context("dst-asn", ContextAttribute.Asn, ["dstaddr"], "16509"),
        Context("asn", ContextAttribute.Asn, ["srcaddr", "dstaddr"], "16509"),
        Context("instance-name", ContextAttribute.InstanceName, ["interface_id"], "web-*", "bastion"),
        Context("security-group", ContextAttribute.SecurityGroup, ["interface_id"], "sg-0123456789abcdef0", "web-public"),
        Context("src-threat-list", ContextAttribute.ThreatList, ["srcaddr"], "spamhaus-drop", "firehol-*"),
        Context("dst-threat-list", ContextAttribute.ThreatList, ["dstaddr"], "spamhaus-drop"),
        Context("threat-list", ContextAttribute.ThreatList, ["srcaddr", "dstaddr"], "spamhaus-drop"),
    ];

    private static readonly Dictionary<string, FilterField> ByName = All.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    public static bool TryFind(string name, out FilterField field) => ByName.TryGetValue(name, out field!);
}
