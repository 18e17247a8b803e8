using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Synthetic;

/// <summary>
/// What the synthetic flows run in: three accounts (prod, staging, dev) in eu-west-1, each with one VPC
/// (<c>10.{n}.0.0/16</c>, <c>2001:db8:0:{n}00::/56</c>) of three subnets (public, app, data: a /21 each, one per
/// availability zone) and the same 24 ENIs: instances (web-1, api-1, db-1, bastion-1...), a NAT gateway, a load
/// balancer, an interface endpoint, a Lambda function and an RDS database. ENI <c>e</c> answers for the host
/// addresses of <c>10.{n}.{e}.0/24</c> (and of <c>2001:db8:0:{n}0{s}::{e}:0/112</c>) that the flows pick.
/// <see cref="SyntheticFlows"/> draws its records from it, and the demo's inventory describes it, so the ids match.
/// </summary>
public static class SyntheticEstate
{
    public const string Region = "eu-west-1";

    /// <summary>The host part of an ENI's addresses: the flows pick one of these, the inventory lists them all.</summary>
    public const int FirstHost = 2, LastHost = 249;

    public static IReadOnlyList<SyntheticAccount> Accounts { get; } =
        [new(0, "111122223333", "prod"), new(1, "444455556666", "staging"), new(2, "777788889999", "dev")];

    /// <summary>Public, app and data; subnet <c>s</c> holds ENIs 8s to 8s + 7, in availability zone <c>s</c> + 1.</summary>
    public static IReadOnlyList<string> Subnets { get; } = ["public", "app", "data"];

    /// <summary>The security groups of every account, by index: group name and description.</summary>
    public static IReadOnlyList<(string Name, string Description)> SecurityGroups { get; } =
    [
        ("alb-public", "HTTPS from the internet to the load balancer"),
        ("web", "HTTP from the load balancer"),
        ("bastion", "SSH from the office VPN"),
        ("egress-proxy", "Outbound HTTPS proxy"),
        ("api", "API servers"),
        ("worker", "Queue workers"),
        ("vpc-endpoints", "HTTPS to the interface endpoints"),
        ("lambda", "Lambda functions in the VPC"),
        ("postgres", "PostgreSQL from the app subnet"),
        ("redis", "Redis from the app subnet"),
        ("search", "Search cluster"),
        ("kafka", "Kafka brokers"),
        ("monitoring", "Metrics scraping from the monitoring account"),
    ];

    /// <summary>The 24 ENIs of every account, by index; every fifth (0, 5, 10, 15, 20) has no instance.</summary>
    public static IReadOnlyList<SyntheticInterface> Interfaces { get; } =
    [
        new(0, SyntheticInterfaceKinds.NatGateway, "nat-a", null, []),
        new(1, SyntheticInterfaceKinds.Instance, "bastion-1", "t3.micro", ["bastion", "monitoring"]),
        new(2, SyntheticInterfaceKinds.Instance, "web-1", "m6i.large", ["web", "monitoring"]),
        new(3, SyntheticInterfaceKinds.Instance, "web-2", "m6i.large", ["web", "monitoring"]),
        new(4, SyntheticInterfaceKinds.Instance, "web-3", "m6i.large", ["web", "monitoring"]),
        new(5, SyntheticInterfaceKinds.LoadBalancer, "web-alb", null, ["alb-public"]),
        new(6, SyntheticInterfaceKinds.Instance, "proxy-1", "t3.small", ["egress-proxy", "monitoring"]),
        new(7, SyntheticInterfaceKinds.Instance, "web-4", "m6i.large", ["web", "monitoring"]),
        new(8, SyntheticInterfaceKinds.Instance, "api-1", "m6i.xlarge", ["api", "monitoring"]),
        new(9, SyntheticInterfaceKinds.Instance, "api-2", "m6i.xlarge", ["api", "monitoring"]),
        new(10, SyntheticInterfaceKinds.VpcEndpoint, "secretsmanager", null, ["vpc-endpoints"]),
        new(11, SyntheticInterfaceKinds.Instance, "api-3", "m6i.xlarge", ["api", "monitoring"]),
        new(12, SyntheticInterfaceKinds.Instance, "worker-1", "c6i.large", ["worker", "monitoring"]),
        new(13, SyntheticInterfaceKinds.Instance, "worker-2", "c6i.large", ["worker", "monitoring"]),
        new(14, SyntheticInterfaceKinds.Instance, "worker-3", "c6i.large", ["worker", "monitoring"]),
        new(15, SyntheticInterfaceKinds.Lambda, "billing-export", null, ["lambda"]),
        new(16, SyntheticInterfaceKinds.Instance, "db-1", "r6i.large", ["postgres", "monitoring"]),
        new(17, SyntheticInterfaceKinds.Instance, "db-2", "r6i.large", ["postgres", "monitoring"]),
        new(18, SyntheticInterfaceKinds.Instance, "cache-1", "r6g.large", ["redis", "monitoring"]),
        new(19, SyntheticInterfaceKinds.Instance, "cache-2", "r6g.large", ["redis", "monitoring"]),
        new(20, SyntheticInterfaceKinds.Rds, "orders-db", null, ["postgres"]),
        new(21, SyntheticInterfaceKinds.Instance, "search-1", "r6i.xlarge", ["search", "monitoring"]),
        new(22, SyntheticInterfaceKinds.Instance, "kafka-1", "m6i.large", ["kafka", "monitoring"]),
        new(23, SyntheticInterfaceKinds.Instance, "kafka-2", "m6i.large", ["kafka", "monitoring"]),
    ];

    /// <summary>
    /// Where the flows to AWS services go, per <c>pkt-dst-aws-service</c>: prefixes as AWS's ip-ranges.json lists them
    /// (its trimmed copy in deploy/local/demo has them all), so the published service of the address agrees.
    /// </summary>
    public static IReadOnlyDictionary<string, (uint Base, uint Size)> AwsServiceRanges { get; } = new Dictionary<string, (uint, uint)>
    {
        ["AMAZON"] = (0x4CDF0000u, 4096),     // 76.223.0.0/20, in 76.223.0.0/17 (AMAZON, GLOBAL)
        ["S3"] = (0x34DA0000u, 4096),         // 52.218.0.0/20, in 52.218.0.0/17 (S3, eu-west-1)
        ["DYNAMODB"] = (0x345E1800u, 512),    // 52.94.24.0/23 (DYNAMODB, eu-west-1)
        ["EC2"] = (0x1261C000u, 4096),        // 18.97.192.0/20, in 18.97.192.0/18 (EC2, eu-west-1)
        ["CLOUDFRONT"] = (0xCDFBF900u, 256),  // 205.251.249.0/24 (CLOUDFRONT, GLOBAL)
        ["ROUTE53"] = (0x0FB10000u, 4096),    // 15.177.0.0/20, in 15.177.0.0/18 (ROUTE53_HEALTHCHECKS, GLOBAL)
    };

    /// <summary>The one IPv6 address of AWS the flows reach (S3 and EC2 in eu-west-1 list 2a05:d031:8000::/40).</summary>
    public const string AwsIpv6Address = "2a05:d031:8000::1";

    /// <summary>The subnet of ENI <paramref name="eni"/>: 0 public, 1 app, 2 data.</summary>
    public static int SubnetOf(int eni) => eni / 8;

    /// <summary>The availability zone id of ENI <paramref name="eni"/> (its subnet's).</summary>
    public static string AzIdOf(int eni) => $"euw1-az{SubnetOf(eni) + 1}";

    /// <summary>The availability zone name of subnet <paramref name="subnet"/> (eu-west-1a, b, c).</summary>
    public static string AvailabilityZone(int subnet) => $"{Region}{(char)('a' + subnet)}";
}

public static class SyntheticInterfaceKinds
{
    public const string Instance = "instance", NatGateway = "nat-gateway", LoadBalancer = "load-balancer", VpcEndpoint = "vpc-endpoint",
        Lambda = "lambda", Rds = "rds";
}

/// <summary>One ENI of every synthetic account: what it belongs to, that thing's name, its instance type, its security groups.</summary>
public sealed record SyntheticInterface(int Index, string Kind, string Name, string? InstanceType, string[] SecurityGroups);

/// <summary>One synthetic account and its VPC, and the ids and addresses of its ENIs.</summary>
public sealed record SyntheticAccount(int Index, string Id, string Environment)
{
    private string Prefix => Id[..4];

    public string VpcId => $"vpc-{Prefix}aaaa{Index:x9}";

    public string VpcCidr => $"10.{Index}.0.0/16";

    public string VpcIpv6Cidr => $"2001:db8:0:{Index << 8:x}::/56";

    public string InterfaceId(int eni) => $"eni-{Prefix}{eni:x13}";

    /// <summary>The instance on ENI <paramref name="eni"/>, or null when the ENI belongs to something else.</summary>
    public string? InstanceId(int eni) =>
        SyntheticEstate.Interfaces[eni].Kind == SyntheticInterfaceKinds.Instance ? $"i-{Prefix}{eni:x13}" : null;

    public string SubnetId(int subnet) => $"subnet-{Prefix}{subnet:x13}";

    public string SubnetCidr(int subnet) => $"10.{Index}.{subnet * 8}.0/21";

    public string SubnetIpv6Cidr(int subnet) => $"2001:db8:0:{(Index << 8) | subnet:x}::/64";

    public string SecurityGroupId(string name)
    {
        var index = SyntheticEstate.SecurityGroups.Select(g => g.Name).ToList().IndexOf(name);
        return index < 0 ? throw new ArgumentException($"No security group {name}.", nameof(name)) : $"sg-{Prefix}{index:x13}";
    }

    /// <summary>Host <paramref name="host"/> of ENI <paramref name="eni"/>: <c>10.{account}.{eni}.{host}</c>.</summary>
    public FlowAddress Address(int eni, int host) => FlowAddress.FromIPv4(0x0A000000u | (uint)(Index << 16) | (uint)(eni << 8) | (uint)host);

    /// <summary>Host <paramref name="host"/> of ENI <paramref name="eni"/> in IPv6: in its subnet's /64.</summary>
    public FlowAddress Ipv6Address(int eni, int host) =>
        FlowAddress.TryParse($"2001:db8:0:{(Index << 8) | SyntheticEstate.SubnetOf(eni):x}::{eni:x}:{host:x}", out var address)
            ? address : throw new InvalidOperationException("Not an IPv6 address.");

    /// <summary>The VPC's DNS resolver (its base + 2, AmazonProvidedDNS).</summary>
    public FlowAddress DnsResolver => FlowAddress.FromIPv4(0x0A000002u | (uint)(Index << 16));

    /// <summary>An address of the VPC no ENI holds (the pings go there).</summary>
    public FlowAddress Unassigned => FlowAddress.FromIPv4(0x0A000101u | (uint)(Index << 16));
}
