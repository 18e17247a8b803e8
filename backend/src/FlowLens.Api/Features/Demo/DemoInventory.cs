using FlowLens.Api.Features.Ingestion.Inventory;
using FlowLens.Core.Synthetic;

namespace FlowLens.Api.Features.Demo;

/// <summary>
/// The inventory of the synthetic accounts (<see cref="SyntheticEstate"/>) as one EC2 inventory run would read it in
/// eu-west-1: every ENI with its private and IPv6 addresses, the instances with their Name tags, the security groups,
/// subnets and VPCs, a NAT gateway, internet and egress-only gateways, an interface endpoint and an S3 gateway
/// endpoint. Rows carry no AWS times, so on the first merge they describe every flow before it (from -infinity), and
/// the same snapshot merged again changes nothing.
/// </summary>
public static class DemoInventory
{
    public static InventorySnapshot Snapshot()
    {
        var snapshot = new InventorySnapshot { InterfacesRead = true };
        snapshot.KindsRead.UnionWith([ResourceKinds.Instance, ResourceKinds.SecurityGroup, ResourceKinds.Subnet, ResourceKinds.Vpc,
            ResourceKinds.VpcEndpoint, ResourceKinds.NatGateway, ResourceKinds.InternetGateway, ResourceKinds.EgressOnlyInternetGateway]);
        foreach (var account in SyntheticEstate.Accounts)
        {
            Add(snapshot, account);
        }
        AddPlantedHosts(snapshot, SyntheticEstate.Accounts[0]);
        return snapshot;
    }

    private static void Add(InventorySnapshot snapshot, SyntheticAccount account)
    {
        var (env, prefix, vpc) = (account.Environment, account.Id[..4], account.VpcId);
        void Resource(string id, string kind, string? name, string? type, params (string Key, string? Value)[] attributes) =>
            snapshot.Resources.Add(new ResourceRow(id, kind, account.Id, name, type, vpc, Attributes(attributes), null));

        Resource(vpc, ResourceKinds.Vpc, env, null, ("cidrBlocks", account.VpcCidr), ("ipv6CidrBlocks", account.VpcIpv6Cidr));
        Resource($"igw-{prefix}{account.Index:x13}", ResourceKinds.InternetGateway, $"{env}-igw", null, ("state", "available"));
        Resource($"eigw-{prefix}{account.Index:x13}", ResourceKinds.EgressOnlyInternetGateway, $"{env}-eigw", null, ("state", "attached"));
        for (var s = 0; s < SyntheticEstate.Subnets.Count; s++)
        {
            var zone = SyntheticEstate.AvailabilityZone(s);
            Resource(account.SubnetId(s), ResourceKinds.Subnet, $"{env}-{SyntheticEstate.Subnets[s]}-{zone[^1]}", null,
                ("cidrBlock", account.SubnetCidr(s)), ("ipv6CidrBlocks", account.SubnetIpv6Cidr(s)), ("availabilityZone", zone));
        }
        foreach (var (name, description) in SyntheticEstate.SecurityGroups)
        {
            Resource(account.SecurityGroupId(name), ResourceKinds.SecurityGroup, $"{env}-{name}", null, ("groupName", name), ("description", description));
        }
        // The S3 gateway endpoint has no ENI: it shows in the route tables (traffic-path 7), not as an address.
        Resource($"vpce-{prefix}{0x100 + account.Index:x13}", ResourceKinds.VpcEndpoint, $"{env}-s3", "Gateway",
            ("serviceName", $"com.amazonaws.{SyntheticEstate.Region}.s3"), ("state", "available"));

        foreach (var eni in SyntheticEstate.Interfaces)
        {
            var subnet = SyntheticEstate.SubnetOf(eni.Index);
            var interfaceId = account.InterfaceId(eni.Index);
            var primary = account.Address(eni.Index, 10).ToString();
            var groups = eni.SecurityGroups.Select(account.SecurityGroupId).Order(StringComparer.Ordinal).ToArray();
            var (interfaceType, kind, resourceId, description, requester) = eni.Kind switch
            {
                SyntheticInterfaceKinds.Instance => ("interface", ResourceKinds.Instance, account.InstanceId(eni.Index), "Primary network interface", (string?)null),
                SyntheticInterfaceKinds.NatGateway => ("nat_gateway", ResourceKinds.NatGateway, $"nat-{prefix}{eni.Index:x13}", $"Interface for NAT Gateway nat-{prefix}{eni.Index:x13}", "amazon"),
                SyntheticInterfaceKinds.LoadBalancer => ("interface", "load-balancer", $"app/{eni.Name}/50dc6c495c0c{account.Index:x4}", $"ELB app/{eni.Name}/50dc6c495c0c{account.Index:x4}", "amazon-elb"),
                SyntheticInterfaceKinds.VpcEndpoint => ("vpc_endpoint", ResourceKinds.VpcEndpoint, $"vpce-{prefix}{eni.Index:x13}", $"VPC Endpoint Interface vpce-{prefix}{eni.Index:x13}", "amazon"),
                SyntheticInterfaceKinds.Lambda => ("lambda", "lambda", eni.Name, $"AWS Lambda VPC ENI-{eni.Name}-{new Guid(account.Index, 0, 0, new byte[8]):D}", "amazon-lambda"),
                SyntheticInterfaceKinds.Rds => ("interface", "rds", (string?)null, "RDSNetworkInterface", "amazon-rds"),
                _ => throw new InvalidOperationException($"No ENI kind {eni.Kind}."),
            };
            snapshot.Interfaces.Add(new InterfaceRow(interfaceId, account.Id, interfaceType, kind, resourceId, description, requester, requester is not null,
                vpc, account.SubnetId(subnet), SyntheticEstate.AvailabilityZone(subnet), account.InstanceId(eni.Index), groups, null));

            switch (eni.Kind)
            {
                case SyntheticInterfaceKinds.Instance:
                    Resource(resourceId!, ResourceKinds.Instance, eni.Name, eni.InstanceType,
                        ("state", "running"), ("subnetId", account.SubnetId(subnet)), ("privateIpAddress", primary));
                    break;
                case SyntheticInterfaceKinds.NatGateway:
                    Resource(resourceId!, ResourceKinds.NatGateway, $"{env}-{eni.Name}", "public", ("state", "available"),
                        ("subnetId", account.SubnetId(subnet)), ("publicIps", NatPublicIp(account)), ("privateIps", primary));
                    snapshot.Addresses.Add(new AddressRow(NatPublicIp(account), interfaceId, "public", null));
                    break;
                case SyntheticInterfaceKinds.VpcEndpoint:
                    Resource(resourceId!, ResourceKinds.VpcEndpoint, $"{env}-{eni.Name}", "Interface",
                        ("serviceName", $"com.amazonaws.{SyntheticEstate.Region}.{eni.Name}"), ("state", "available"));
                    break;
            }

            // Every host address the flows use; AWS keeps the first four of a subnet (network, router, DNS, reserved).
            for (var host = SyntheticEstate.FirstHost; host <= SyntheticEstate.LastHost; host++)
            {
                if (eni.Index % 8 != 0 || host > 3)
                {
                    snapshot.Addresses.Add(new AddressRow(account.Address(eni.Index, host).ToString(), interfaceId, "private", null));
                }
                snapshot.Addresses.Add(new AddressRow(account.Ipv6Address(eni.Index, host).ToString(), interfaceId, "ipv6", null));
            }
        }
    }

    /// <summary>The two instances of prod the planted attacks use (a partner API, a reports host), each with its one address.</summary>
    private static void AddPlantedHosts(InventorySnapshot snapshot, SyntheticAccount account)
    {
        foreach (var host in SyntheticAttacks.PlantedHosts)
        {
            var (address, subnet) = (host.Address.ToString(), account.SubnetId(host.Subnet));
            snapshot.Interfaces.Add(new InterfaceRow(host.InterfaceId, account.Id, "interface", ResourceKinds.Instance, host.InstanceId, "Primary network interface",
                null, false, account.VpcId, subnet, SyntheticEstate.AvailabilityZone(host.Subnet), host.InstanceId, [account.SecurityGroupId(host.SecurityGroup)], null));
            snapshot.Resources.Add(new ResourceRow(host.InstanceId, ResourceKinds.Instance, account.Id, host.Name, "m6i.large", account.VpcId,
                Attributes([("state", "running"), ("subnetId", subnet), ("privateIpAddress", address)]), null));
            snapshot.Addresses.Add(new AddressRow(address, host.InterfaceId, "private", null));
        }
    }

    /// <summary>The NAT gateway's elastic IP, in TEST-NET-1 (192.0.2.0/24).</summary>
    private static string NatPublicIp(SyntheticAccount account) => $"192.0.2.{10 + account.Index}";

    /// <summary>Only the attributes that have a value, in key order, as <see cref="Ec2Inventory"/> keeps them.</summary>
    private static SortedDictionary<string, string> Attributes((string Key, string? Value)[] pairs) =>
        new(pairs.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!), StringComparer.Ordinal);
}
