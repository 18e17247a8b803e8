namespace FlowLens.Api.Features.Ingestion.Inventory;

/// <summary>
/// What one inventory run read from EC2 in one region, row by row as the inventory tables hold it. <c>Since</c> of a row
/// is AWS's own time for the thing (attach, launch or creation time) when it gives one: it dates a first sighting on
/// the first run of a source and region.
/// </summary>
public sealed class InventorySnapshot
{
    /// <summary>Whether DescribeNetworkInterfaces was read: if not, the interfaces and addresses are left as they are.</summary>
    public bool InterfacesRead { get; set; }

    public List<InterfaceRow> Interfaces { get; } = [];

    public List<AddressRow> Addresses { get; } = [];

    public List<ResourceRow> Resources { get; } = [];

    /// <summary>The resource kinds read; only these are compared with the stored rows.</summary>
    public HashSet<string> KindsRead { get; } = [];

    /// <summary>Why parts are missing, one line per action refused: <c>ec2:DescribeVpcs denied: ...</c>.</summary>
    public List<string> Denied { get; } = [];
}

public sealed record InterfaceRow(
    string InterfaceId, string? AccountId, string? InterfaceType, string Kind, string? ResourceId, string? Description,
    string? RequesterId, bool RequesterManaged, string? VpcId, string? SubnetId, string? AvailabilityZone, string? InstanceId,
    string[] SecurityGroupIds, DateTimeOffset? Since);

/// <summary>An address on an ENI: <c>private</c> (primary or secondary), <c>public</c> (public or elastic IPv4) or <c>ipv6</c>.</summary>
public sealed record AddressRow(string Address, string InterfaceId, string Kind, DateTimeOffset? Since);

/// <summary>
/// An instance, security group, subnet, VPC, VPC endpoint, NAT, internet or egress-only gateway, transit gateway
/// attachment or peering connection: its Name tag, a type, its VPC, and what else matters of it in
/// <see cref="Attributes"/> (state, CIDRs, service name, group name...).
/// </summary>
public sealed record ResourceRow(
    string ResourceId, string Kind, string? AccountId, string? Name, string? Type, string? VpcId,
    SortedDictionary<string, string> Attributes, DateTimeOffset? Since);

public static class ResourceKinds
{
    public const string Instance = "instance";
    public const string SecurityGroup = "security-group";
    public const string Subnet = "subnet";
    public const string Vpc = "vpc";
    public const string VpcEndpoint = "vpc-endpoint";
    public const string NatGateway = "nat-gateway";
    public const string InternetGateway = "internet-gateway";
    public const string EgressOnlyInternetGateway = "egress-only-internet-gateway";
    public const string TransitGatewayAttachment = "transit-gateway-attachment";
    public const string VpcPeeringConnection = "vpc-peering-connection";
}
