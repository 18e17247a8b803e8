using System.Text.RegularExpressions;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace FlowLens.Api.Features.Ingestion.Inventory;

/// <summary>
/// Reads one region of an account through the EC2 Describe calls, page by page (<c>NextToken</c>); the SDK retries
/// throttled calls (<c>RequestLimitExceeded</c>) with backoff. An action the credentials may not call is noted in
/// <see cref="InventorySnapshot.Denied"/> and its part left out; any other failure ends the run.
/// </summary>
public static partial class Ec2Inventory
{
    private static readonly HashSet<string> DeniedCodes = ["UnauthorizedOperation", "AccessDenied", "AccessDeniedException"];

    public static async Task<InventorySnapshot> ReadAsync(IAmazonEC2 ec2, ILogger logger, CancellationToken ct)
    {
        var snapshot = new InventorySnapshot();
        var interfaces = new List<NetworkInterface>();
        snapshot.InterfacesRead = await PagesAsync(snapshot, logger, "DescribeNetworkInterfaces", async token =>
        {
            var page = await ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { NextToken = token, MaxResults = 1000 }, ct);
            interfaces.AddRange(page.NetworkInterfaces ?? []);
            return page.NextToken;
        });
        var owners = new Dictionary<string, (string Kind, string? Id)>(); // ENI -> the resource that says it owns it

        await ResourcesAsync(snapshot, logger, ResourceKinds.Instance, "DescribeInstances", async token =>
        {
            var page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { NextToken = token, MaxResults = 1000 }, ct);
            foreach (var reservation in page.Reservations ?? [])
            {
                foreach (var i in reservation.Instances ?? [])
                {
                    snapshot.Resources.Add(new ResourceRow(i.InstanceId, ResourceKinds.Instance, reservation.OwnerId, NameOf(i.Tags), i.InstanceType?.Value, i.VpcId,
                        Attributes(("state", i.State?.Name?.Value), ("subnetId", i.SubnetId), ("privateIpAddress", i.PrivateIpAddress)), Time(i.LaunchTime)));
                }
            }
            return page.NextToken;
        });
        await ResourcesAsync(snapshot, logger, ResourceKinds.SecurityGroup, "DescribeSecurityGroups", async token =>
        {
            var page = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { NextToken = token, MaxResults = 1000 }, ct);
            foreach (var g in page.SecurityGroups ?? [])
            {
                snapshot.Resources.Add(new ResourceRow(g.GroupId, ResourceKinds.SecurityGroup, g.OwnerId, NameOf(g.Tags), null, g.VpcId,
                    Attributes(("groupName", g.GroupName), ("description", g.Description)), null));
            }
            return page.NextToken;
        });
        await ResourcesAsync(snapshot, logger, ResourceKinds.Subnet, "DescribeSubnets", async token =>
        {
            var page = await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { NextToken = token, MaxResults = 1000 }, ct);
            foreach (var s in page.Subnets ?? [])
            {
                snapshot.Resources.Add(new ResourceRow(s.SubnetId, ResourceKinds.Subnet, s.OwnerId, NameOf(s.Tags), null, s.VpcId,
                    Attributes(("cidrBlock", s.CidrBlock), ("ipv6CidrBlocks", Join((s.Ipv6CidrBlockAssociationSet ?? []).Select(a => a.Ipv6CidrBlock))),
                        ("availabilityZone", s.AvailabilityZone)), null));
            }
            return page.NextToken;
        });
        await ResourcesAsync(snapshot, logger, ResourceKinds.Vpc, "DescribeVpcs", async token =>
        {
            var page = await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { NextToken = token, MaxResults = 1000 }, ct);
            foreach (var v in page.Vpcs ?? [])
            {
                var cidrs = (v.CidrBlockAssociationSet ?? []).Select(a => a.CidrBlock).DefaultIfEmpty(v.CidrBlock);
                snapshot.Resources.Add(new ResourceRow(v.VpcId, ResourceKinds.Vpc, v.OwnerId, NameOf(v.Tags), null, v.VpcId,
                    Attributes(("cidrBlocks", Join(cidrs)), ("ipv6CidrBlocks", Join((v.Ipv6CidrBlockAssociationSet ?? []).Select(a => a.Ipv6CidrBlock))),
                        ("isDefault", v.IsDefault == true ? "true" : null)), null));
            }
            return page.NextToken;
        });
        await ResourcesAsync(snapshot, logger, ResourceKinds.VpcEndpoint, "DescribeVpcEndpoints", async token =>
        {
            var page = await ec2.DescribeVpcEndpointsAsync(new DescribeVpcEndpointsRequest { NextToken = token, MaxResults = 1000 }, ct);
            foreach (var e in page.VpcEndpoints ?? [])
            {
                snapshot.Resources.Add(new ResourceRow(e.VpcEndpointId, ResourceKinds.VpcEndpoint, e.OwnerId, NameOf(e.Tags), e.VpcEndpointType?.Value, e.VpcId,
                    Attributes(("serviceName", e.ServiceName), ("state", e.State?.Value)), Time(e.CreationTimestamp)));
                foreach (var eni in e.NetworkInterfaceIds ?? [])
                {
                    owners[eni] = ("vpc-endpoint", e.VpcEndpointId);
                }
            }
            return page.NextToken;
        });
        await ResourcesAsync(snapshot, logger, ResourceKinds.NatGateway, "DescribeNatGateways", async token =>
        {
            var page = await ec2.DescribeNatGatewaysAsync(new DescribeNatGatewaysRequest { NextToken = token, MaxResults = 1000 }, ct);
            foreach (var n in page.NatGateways ?? [])
            {
                var addresses = n.NatGatewayAddresses ?? [];
                snapshot.Resources.Add(new ResourceRow(n.NatGatewayId, ResourceKinds.NatGateway, null, NameOf(n.Tags), n.ConnectivityType?.Value, n.VpcId,
                    Attributes(("state", n.State?.Value), ("subnetId", n.SubnetId), ("publicIps", Join(addresses.Select(a => a.PublicIp))),
                        ("privateIps", Join(addresses.Select(a => a.PrivateIp)))), Time(n.CreateTime)));
                foreach (var a in addresses.Where(a => a.NetworkInterfaceId is not null))
                {
                    owners[a.NetworkInterfaceId] = ("nat-gateway", n.NatGatewayId);
                }
            }
            return page.NextToken;
        });
        await ResourcesAsync(snapshot, logger, ResourceKinds.InternetGateway, "DescribeInternetGateways", async token =>
        {
            var page = await ec2.DescribeInternetGatewaysAsync(new DescribeInternetGatewaysRequest { NextToken = token, MaxResults = 1000 }, ct);
            foreach (var g in page.InternetGateways ?? [])
            {
                snapshot.Resources.Add(new ResourceRow(g.InternetGatewayId, ResourceKinds.InternetGateway, g.OwnerId, NameOf(g.Tags), null,
                    g.Attachments?.FirstOrDefault()?.VpcId, Attributes(("state", g.Attachments?.FirstOrDefault()?.State?.Value)), null));
            }
            return page.NextToken;
        });
        await ResourcesAsync(snapshot, logger, ResourceKinds.EgressOnlyInternetGateway, "DescribeEgressOnlyInternetGateways", async token =>
        {
            var page = await ec2.DescribeEgressOnlyInternetGatewaysAsync(new DescribeEgressOnlyInternetGatewaysRequest { NextToken = token, MaxResults = 255 }, ct);
            foreach (var g in page.EgressOnlyInternetGateways ?? [])
            {
                snapshot.Resources.Add(new ResourceRow(g.EgressOnlyInternetGatewayId, ResourceKinds.EgressOnlyInternetGateway, null, NameOf(g.Tags), null,
                    g.Attachments?.FirstOrDefault()?.VpcId, Attributes(("state", g.Attachments?.FirstOrDefault()?.State?.Value)), null));
            }
            return page.NextToken;
        });
        await ResourcesAsync(snapshot, logger, ResourceKinds.TransitGatewayAttachment, "DescribeTransitGatewayAttachments", async token =>
        {
            var page = await ec2.DescribeTransitGatewayAttachmentsAsync(new DescribeTransitGatewayAttachmentsRequest { NextToken = token, MaxResults = 1000 }, ct);
            foreach (var a in page.TransitGatewayAttachments ?? [])
            {
                var vpc = a.ResourceType?.Value == "vpc" ? a.ResourceId : null;
                snapshot.Resources.Add(new ResourceRow(a.TransitGatewayAttachmentId, ResourceKinds.TransitGatewayAttachment, a.ResourceOwnerId, NameOf(a.Tags),
                    a.ResourceType?.Value, vpc, Attributes(("transitGatewayId", a.TransitGatewayId), ("resourceId", a.ResourceId), ("state", a.State?.Value)),
                    Time(a.CreationTime)));
            }
            return page.NextToken;
        });
        await ResourcesAsync(snapshot, logger, ResourceKinds.VpcPeeringConnection, "DescribeVpcPeeringConnections", async token =>
        {
            var page = await ec2.DescribeVpcPeeringConnectionsAsync(new DescribeVpcPeeringConnectionsRequest { NextToken = token, MaxResults = 1000 }, ct);
            foreach (var p in page.VpcPeeringConnections ?? [])
            {
                var (requester, accepter) = (p.RequesterVpcInfo, p.AccepterVpcInfo);
                snapshot.Resources.Add(new ResourceRow(p.VpcPeeringConnectionId, ResourceKinds.VpcPeeringConnection, requester?.OwnerId, NameOf(p.Tags), null,
                    requester?.VpcId, Attributes(("status", p.Status?.Code?.Value),
                        ("requesterVpcId", requester?.VpcId), ("requesterOwnerId", requester?.OwnerId), ("requesterCidrBlock", requester?.CidrBlock), ("requesterRegion", requester?.Region),
                        ("accepterVpcId", accepter?.VpcId), ("accepterOwnerId", accepter?.OwnerId), ("accepterCidrBlock", accepter?.CidrBlock), ("accepterRegion", accepter?.Region)),
                    null));
            }
            return page.NextToken;
        });

        foreach (var eni in interfaces)
        {
            AddInterface(snapshot, eni, owners.TryGetValue(eni.NetworkInterfaceId, out var owner) ? owner : null);
        }
        return snapshot;
    }

    private static void AddInterface(InventorySnapshot snapshot, NetworkInterface eni, (string Kind, string? Id)? owner)
    {
        var since = Time(eni.Attachment?.AttachTime);
        var (kind, resource) = owner ?? KindOf(eni);
        snapshot.Interfaces.Add(new InterfaceRow(eni.NetworkInterfaceId, eni.OwnerId, eni.InterfaceType?.Value, kind, resource, eni.Description,
            eni.RequesterId, eni.RequesterManaged == true, eni.VpcId, eni.SubnetId, eni.AvailabilityZone, eni.Attachment?.InstanceId,
            [.. (eni.Groups ?? []).Select(g => g.GroupId).Where(g => g is not null).Order(StringComparer.Ordinal)], since));
        var privates = (eni.PrivateIpAddresses ?? []).Select(p => p.PrivateIpAddress).Append(eni.PrivateIpAddress);
        var publics = (eni.PrivateIpAddresses ?? []).Select(p => p.Association?.PublicIp).Append(eni.Association?.PublicIp);
        var addresses = privates.Where(a => a is not null).Select(a => (a!, "private"))
            .Concat(publics.Where(a => a is not null).Select(a => (a!, "public")))
            .Concat((eni.Ipv6Addresses ?? []).Where(a => a.Ipv6Address is not null).Select(a => (a.Ipv6Address, "ipv6")))
            .Distinct();
        snapshot.Addresses.AddRange(addresses.Select(a => new AddressRow(a.Item1, eni.NetworkInterfaceId, a.Item2, since)));
    }

    /// <summary>
    /// What an ENI belongs to when no NAT gateway or endpoint listed it: its instance, else what its type or its
    /// description (which AWS writes for the ENIs it manages) tells.
    /// </summary>
    internal static (string Kind, string? ResourceId) KindOf(NetworkInterface eni)
    {
        if (eni.Attachment?.InstanceId is { } instance)
        {
            return ("instance", instance);
        }
        var description = eni.Description ?? "";
        var type = eni.InterfaceType?.Value ?? "interface";
        return type switch
        {
            "nat_gateway" => ("nat-gateway", Match(NatId(), description)),
            "vpc_endpoint" or "gateway_load_balancer_endpoint" => ("vpc-endpoint", Match(EndpointId(), description)),
            "network_load_balancer" or "gateway_load_balancer" => ("load-balancer", Match(LoadBalancer(), description)),
            "lambda" => ("lambda", Match(LambdaName(), description)),
            "transit_gateway" => ("transit-gateway-attachment", Match(TgwAttachmentId(), description)),
            _ when description.StartsWith("ELB ", StringComparison.Ordinal) => ("load-balancer", Match(LoadBalancer(), description)),
            _ when description.StartsWith("AWS Lambda VPC ENI", StringComparison.Ordinal) => ("lambda", Match(LambdaName(), description)),
            _ when description.StartsWith("RDSNetworkInterface", StringComparison.Ordinal) => ("rds", null),
            _ when description.StartsWith("ElastiCache", StringComparison.Ordinal) => ("elasticache", Match(Word(), description)),
            _ when description.StartsWith("arn:aws:ecs:", StringComparison.Ordinal) => ("ecs-task", description),
            _ when description.StartsWith("EFS mount target", StringComparison.Ordinal) => ("efs", Match(EfsId(), description)),
            _ when description.StartsWith("Interface for NAT Gateway", StringComparison.Ordinal) => ("nat-gateway", Match(NatId(), description)),
            _ when description.StartsWith("VPC Endpoint Interface", StringComparison.Ordinal) => ("vpc-endpoint", Match(EndpointId(), description)),
            _ => (type.Replace('_', '-'), null),
        };
    }

    private static string? Match(Regex regex, string text) => regex.Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    private static async Task ResourcesAsync(InventorySnapshot snapshot, ILogger logger, string kind, string action, Func<string?, Task<string?>> page)
    {
        if (await PagesAsync(snapshot, logger, action, page))
        {
            snapshot.KindsRead.Add(kind);
        }
    }

    /// <summary>Every page of one action; false when the credentials may not call it.</summary>
    private static async Task<bool> PagesAsync(InventorySnapshot snapshot, ILogger logger, string action, Func<string?, Task<string?>> page)
    {
        try
        {
            string? token = null;
            do
            {
                token = await page(token);
            }
            while (!string.IsNullOrEmpty(token));
            return true;
        }
        catch (AmazonServiceException e) when (DeniedCodes.Contains(e.ErrorCode ?? ""))
        {
            // AWS's message names the caller's ARN and may carry an encoded authorization message: the log only.
            logger.LogWarning(e, "Inventory: ec2:{Action} denied", action);
            snapshot.Denied.Add($"ec2:{action} denied: AWS answered {(int)e.StatusCode} {e.ErrorCode}");
            return false;
        }
    }

    private static string? NameOf(List<Tag>? tags) => tags?.FirstOrDefault(t => t.Key == "Name")?.Value;

    /// <summary>AWS's times are UTC; one without a kind is taken as UTC, never as the server's local time.</summary>
    private static DateTimeOffset? Time(DateTime? time) => time is { } t
        ? new DateTimeOffset(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc))
        : null;

    private static string? Join(IEnumerable<string?> values)
    {
        var list = values.Where(v => v is not null).ToList();
        return list.Count == 0 ? null : string.Join(',', list);
    }

    /// <summary>Only the attributes that have a value, in key order, so that equal resources compare equal.</summary>
    private static SortedDictionary<string, string> Attributes(params (string Key, string? Value)[] pairs) =>
        new(pairs.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!), StringComparer.Ordinal);

    [GeneratedRegex(@"(nat-[0-9a-f]+)")]
    private static partial Regex NatId();

    [GeneratedRegex(@"(vpce-[0-9a-f]+)")]
    private static partial Regex EndpointId();

    [GeneratedRegex(@"(tgw-attach-[0-9a-f]+)")]
    private static partial Regex TgwAttachmentId();

    [GeneratedRegex(@"(fsmt-[0-9a-f]+)")]
    private static partial Regex EfsId();

    // "ELB app/my-alb/50dc6c495c0c9188", "ELB net/my-nlb/...", or a classic load balancer's "ELB my-elb".
    [GeneratedRegex(@"^ELB (\S+)")]
    private static partial Regex LoadBalancer();

    // "AWS Lambda VPC ENI-my-function-0b1c2d3e-..." names the function.
    [GeneratedRegex(@"^AWS Lambda VPC ENI-(.+?)(?:-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$")]
    private static partial Regex LambdaName();

    [GeneratedRegex(@"^\S+ (\S+)")]
    private static partial Regex Word();
}
