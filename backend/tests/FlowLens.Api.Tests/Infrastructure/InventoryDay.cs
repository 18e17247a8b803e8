using System.Net.Http.Json;
using FlowLens.Api.Features.Ingestion.Inventory;
using FlowLens.Api.Features.Sources;
using Microsoft.Extensions.DependencyInjection;
using static FlowLens.Api.Tests.Infrastructure.Ec2Xml;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// A day of one AWS account on the EC2 stand-in, read by the inventory job at 08:00 and 12:00. In the morning web-1
/// (i-0a) holds 10.0.1.10 on eni-0a and a second ENI eni-0c; worker-2 (i-0b) has eni-0b; a NAT gateway (eni-0n,
/// 10.0.1.5), an interface endpoint (eni-0e, 10.0.1.6), a load balancer's ENI (eni-0l, 10.0.1.7) and the gateways
/// around them. About 11:00 10.0.1.10 moves to worker-2's ENI (web-1's gets 10.0.1.11) and eni-0c moves to worker-2.
/// </summary>
public sealed class InventoryDay(Ec2Server ec2, DateTimeOffset day)
{
    public DateTimeOffset Day => day;

    public void Morning()
    {
        ec2.Set("DescribeVpcs", Vpc("vpc-0a", "10.0.0.0/16", "prod"));
        ec2.Set("DescribeSubnets", Subnet("subnet-0a", "10.0.1.0/24", "app-a"));
        ec2.Set("DescribeSecurityGroups", SecurityGroup("sg-web", "web-public", "web"), SecurityGroup("sg-worker", "workers", null), SecurityGroup("sg-lb", "alb", "lb"));
        ec2.Set("DescribeInstances",
            Instance("i-0a", "web-1", "t3.small", "running", day.AddDays(-2)),
            Instance("i-0b", "worker-2", "m5.large", "running", day.AddDays(-1)));
        ec2.Set("DescribeNetworkInterfaces",
            Interface("eni-0a", ["10.0.1.10"], "i-0a", day.AddDays(-2), ["sg-web"], publicIp: "203.0.113.10"),
            Interface("eni-0b", ["10.0.1.20"], "i-0b", day.AddDays(-1), ["sg-worker"], ipv6: ["2001:db8:0:1::20"]),
            Interface("eni-0c", ["10.0.1.30"], "i-0a", day.AddDays(-2), ["sg-web"]),
            Interface("eni-0n", ["10.0.1.5"], type: "nat_gateway", description: "Interface for NAT Gateway nat-0a", requesterManaged: true),
            Interface("eni-0e", ["10.0.1.6"], type: "vpc_endpoint", description: "VPC Endpoint Interface vpce-0a", requesterManaged: true, groups: ["sg-web"]),
            Interface("eni-0l", ["10.0.1.7"], description: "ELB app/web-alb/50dc6c495c0c9188", requesterManaged: true, groups: ["sg-lb"]));
        ec2.Set("DescribeNatGateways", NatGateway("nat-0a", "eni-0n", "10.0.1.5", "198.51.100.5", "egress"));
        ec2.Set("DescribeVpcEndpoints", VpcEndpoint("vpce-0a", "com.amazonaws.eu-west-1.s3", ["eni-0e"]));
        ec2.Set("DescribeInternetGateways", InternetGateway("igw-0a", "vpc-0a", "prod-igw"));
        ec2.Set("DescribeEgressOnlyInternetGateways", EgressOnlyInternetGateway("eigw-0a", "vpc-0a"));
        ec2.Set("DescribeTransitGatewayAttachments", TransitGatewayAttachment("tgw-attach-0a", "tgw-0a", "vpc-0a"));
        ec2.Set("DescribeVpcPeeringConnections", VpcPeeringConnection("pcx-0a", "vpc-0a", "vpc-0z", "210987654321"));
    }

    public void Afternoon() => ec2.Set("DescribeNetworkInterfaces",
        Interface("eni-0a", ["10.0.1.11"], "i-0a", day.AddDays(-2), ["sg-web"], publicIp: "203.0.113.10"),
        Interface("eni-0b", ["10.0.1.20", "10.0.1.10"], "i-0b", day.AddDays(-1), ["sg-worker"], ipv6: ["2001:db8:0:1::20"]),
        Interface("eni-0c", ["10.0.1.30"], "i-0b", day.AddHours(11), ["sg-worker"]),
        Interface("eni-0n", ["10.0.1.5"], type: "nat_gateway", description: "Interface for NAT Gateway nat-0a", requesterManaged: true),
        Interface("eni-0e", ["10.0.1.6"], type: "vpc_endpoint", description: "VPC Endpoint Interface vpce-0a", requesterManaged: true, groups: ["sg-web"]),
        Interface("eni-0l", ["10.0.1.7"], description: "ELB app/web-alb/50dc6c495c0c9188", requesterManaged: true, groups: ["sg-lb"]));

    /// <summary>A CloudWatch source (disabled: it syncs nothing) whose inventory reads the stand-in; returns its id.</summary>
    public async Task<long> CreateSourceAsync(FlowLensApp app, string name, string? cloudWatchUrl = null)
    {
        var response = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name,
            kind = "cloudwatch",
            enabled = false,
            cloudWatch = new { logGroupName = "/vpc/flow-logs", region = Ec2Server.Region, serviceUrl = cloudWatchUrl ?? ec2.Url, startTime = DateTimeOffset.UtcNow.AddHours(-3) },
            inventory = new { enabled = true, serviceUrl = ec2.Url },
        }, TestContext.Current.CancellationToken);
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<SourcesApi.SourceResponse>(TestContext.Current.CancellationToken))!.Id;
    }

    /// <summary>A source whose account is read at 08:00 and again at 12:00, after the change.</summary>
    public async Task<long> MorningAndAfternoonAsync(FlowLensApp app)
    {
        var id = await CreateSourceAsync(app, "prod");
        Morning();
        await RunAsync(app, id, day.AddHours(8));
        Afternoon();
        await RunAsync(app, id, day.AddHours(12));
        return id;
    }

    /// <summary>One inventory run as the scheduler would start it, at <paramref name="at"/>.</summary>
    public static async Task RunAsync(FlowLensApp app, long sourceId, DateTimeOffset at)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await ActivatorUtilities.CreateInstance<InventoryJob>(scope.ServiceProvider, new FixedClock(at)).RunAsync(sourceId, CancellationToken.None);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
