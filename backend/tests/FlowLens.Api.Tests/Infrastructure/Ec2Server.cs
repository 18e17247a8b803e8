using System.Globalization;
using System.Security;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// An EC2 Query API stand-in on a loopback port for the inventory's Describe calls: it checks every request's SigV4
/// signature (its own implementation of AWS's algorithm, not the client's signer), answers the API's XML
/// (<c>DescribeNetworkInterfacesResponse/networkInterfaceSet/item</c>, …) in pages of <see cref="PageSize"/> items
/// with <c>nextToken</c>, throttles every <see cref="ThrottleEvery"/>-th request with <c>RequestLimitExceeded</c>
/// (503), and refuses the actions in <see cref="Denied"/> with <c>UnauthorizedOperation</c> (403). The test sets
/// the items each action answers (<see cref="Set"/>, built with <see cref="Ec2Xml"/>) and changes them between runs.
/// </summary>
public sealed class Ec2Server : IAsyncDisposable
{
    public const string Region = "eu-west-1";

    /// <summary>Each action and the element that holds its items.</summary>
    public static readonly IReadOnlyDictionary<string, string> Sets = new Dictionary<string, string>
    {
        ["DescribeNetworkInterfaces"] = "networkInterfaceSet",
        ["DescribeInstances"] = "reservationSet",
        ["DescribeSecurityGroups"] = "securityGroupInfo",
        ["DescribeSubnets"] = "subnetSet",
        ["DescribeVpcs"] = "vpcSet",
        ["DescribeVpcEndpoints"] = "vpcEndpointSet",
        ["DescribeNatGateways"] = "natGatewaySet",
        ["DescribeInternetGateways"] = "internetGatewaySet",
        ["DescribeEgressOnlyInternetGateways"] = "egressOnlyInternetGatewaySet",
        ["DescribeTransitGatewayAttachments"] = "transitGatewayAttachments",
        ["DescribeVpcPeeringConnections"] = "vpcPeeringConnectionSet",
    };

    private readonly WebApplication _app;
    private readonly object _lock = new();
    private readonly Dictionary<string, List<string>> _items = [];
    private readonly Dictionary<string, int> _calls = [];
    private int _requests;

    private Ec2Server(WebApplication app, string url) => (_app, Url) = (app, url);

    public string Url { get; }

    public int PageSize { get; set; } = 2;

    /// <summary>Every n-th request answers RequestLimitExceeded (0: never).</summary>
    public int ThrottleEvery { get; set; } = 5;

    public int Throttled { get; private set; }

    /// <summary>Actions the caller's credentials may not call.</summary>
    public HashSet<string> Denied { get; } = [];

    /// <summary>Requests refused because their signature did not check out; a correct client makes none.</summary>
    public List<string> SignatureFailures { get; } = [];

    /// <summary>Answered requests per action (pages; throttled and denied ones not counted).</summary>
    public int Calls(string action)
    {
        lock (_lock)
        {
            return _calls.GetValueOrDefault(action);
        }
    }

    public static async Task<Ec2Server> StartAsync()
    {
        // FlowLens takes its keys from the environment (the SDK's default chain), as with the other stand-ins.
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", S3Server.Key);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", S3Server.Key);
        var port = LoopbackPort.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new Ec2Server(app, $"http://127.0.0.1:{port}/");
        app.MapPost("/", server.HandleAsync);
        await app.StartAsync();
        return server;
    }

    /// <summary>The items <paramref name="action"/> answers from now on (each an <c>&lt;item&gt;</c> element).</summary>
    public void Set(string action, params IEnumerable<string> items)
    {
        if (!Sets.ContainsKey(action))
        {
            throw new ArgumentException($"not an action of this server: {action}", nameof(action));
        }
        lock (_lock)
        {
            _items[action] = [.. items];
        }
    }

    /// <summary>Requests the stand-in itself failed on (a bug of the test).</summary>
    public List<string> Failures { get; } = [];

    private async Task HandleAsync(HttpContext context)
    {
        try
        {
            await AnswerAsync(context);
        }
        catch (Exception e)
        {
            lock (_lock)
            {
                Failures.Add(e.ToString());
            }
            await ErrorAsync(context, 500, "InternalError", "The stand-in failed.");
        }
    }

    private async Task AnswerAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var number = Interlocked.Increment(ref _requests);
        if (SigV4Check.Verify(context.Request, body, S3Server.Key, S3Server.Key, Region, "ec2") is { } failure)
        {
            lock (_lock)
            {
                SignatureFailures.Add(failure);
            }
            await ErrorAsync(context, 403, "SignatureDoesNotMatch", failure);
            return;
        }
        var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        var action = form.GetValueOrDefault("Action").ToString();
        if (!Sets.TryGetValue(action, out var set))
        {
            await ErrorAsync(context, 400, "InvalidAction", $"The action {action} is not valid for this web service.");
            return;
        }
        if (form.GetValueOrDefault("Version") != "2016-11-15")
        {
            await ErrorAsync(context, 400, "InvalidParameterValue", "Version must be 2016-11-15");
            return;
        }
        if (ThrottleEvery > 0 && number % ThrottleEvery == 0)
        {
            lock (_lock)
            {
                Throttled++;
            }
            await ErrorAsync(context, 503, "RequestLimitExceeded", "Request limit exceeded.");
            return;
        }
        if (Denied.Contains(action))
        {
            await ErrorAsync(context, 403, "UnauthorizedOperation",
                $"You are not authorized to perform this operation. User: arn:aws:iam::123456789012:user/flowlens is not authorized to perform: ec2:{action} because no identity-based policy allows the ec2:{action} action");
            return;
        }
        string page;
        lock (_lock)
        {
            _calls[action] = _calls.GetValueOrDefault(action) + 1;
            var items = _items.GetValueOrDefault(action) ?? [];
            var offset = form.GetValueOrDefault("NextToken") is { Count: > 0 } token ? int.Parse(token.ToString()["page-".Length..], CultureInfo.InvariantCulture) : 0;
            var next = offset + PageSize < items.Count ? $"<nextToken>page-{offset + PageSize}</nextToken>" : "";
            page = $"""
                <?xml version="1.0" encoding="UTF-8"?>
                <{action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
                    <requestId>{Guid.NewGuid()}</requestId>
                    <{set}>{string.Concat(items.Skip(offset).Take(PageSize))}</{set}>
                    {next}
                </{action}Response>
                """;
        }
        context.Response.ContentType = "text/xml;charset=UTF-8";
        await context.Response.WriteAsync(page);
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml;charset=UTF-8";
        return context.Response.WriteAsync($"""
            <?xml version="1.0" encoding="UTF-8"?>
            <Response><Errors><Error><Code>{code}</Code><Message>{SecurityElement.Escape(message)}</Message></Error></Errors><RequestID>{Guid.NewGuid()}</RequestID></Response>
            """);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Items of the EC2 Query API's Describe answers, as its API reference spells them (only the elements FlowLens reads, and a few more).</summary>
public static class Ec2Xml
{
    private static string Tags(string? name) => name is null ? "<tagSet/>" : $"<tagSet><item><key>Name</key><value>{name}</value></item></tagSet>";

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>An ENI; <paramref name="privateIps"/> lists the primary first, <paramref name="publicIp"/> is on the primary.</summary>
    public static string Interface(
        string id, string[] privateIps, string? instanceId = null, DateTimeOffset? attachTime = null, string[]? groups = null,
        string? publicIp = null, string[]? ipv6 = null, string type = "interface", string description = "", bool requesterManaged = false,
        string subnet = "subnet-0a", string vpc = "vpc-0a")
    {
        var attachment = instanceId is null ? "" : $"""
            <attachment><attachmentId>eni-attach-{id[4..]}</attachmentId><instanceId>{instanceId}</instanceId><instanceOwnerId>123456789012</instanceOwnerId>
            <deviceIndex>0</deviceIndex><status>attached</status><attachTime>{Time(attachTime ?? DateTimeOffset.UnixEpoch)}</attachTime><deleteOnTermination>true</deleteOnTermination></attachment>
            """;
        var association = publicIp is null ? "" : $"<association><publicIp>{publicIp}</publicIp><publicDnsName/><ipOwnerId>123456789012</ipOwnerId><allocationId>eipalloc-{id[4..]}</allocationId><associationId>eipassoc-{id[4..]}</associationId></association>";
        var privates = string.Concat(privateIps.Select((ip, i) =>
            $"<item><privateIpAddress>{ip}</privateIpAddress><primary>{(i == 0 ? "true" : "false")}</primary>{(i == 0 ? association : "")}</item>"));
        return $"""
            <item>
                <networkInterfaceId>{id}</networkInterfaceId><subnetId>{subnet}</subnetId><vpcId>{vpc}</vpcId><availabilityZone>{Ec2Server.Region}a</availabilityZone>
                <description>{SecurityElement.Escape(description)}</description><ownerId>123456789012</ownerId>
                {(requesterManaged ? "<requesterId>AIDAEXAMPLE</requesterId>" : "")}<requesterManaged>{(requesterManaged ? "true" : "false")}</requesterManaged>
                <status>in-use</status><macAddress>02:00:00:00:00:01</macAddress><privateIpAddress>{privateIps[0]}</privateIpAddress><sourceDestCheck>true</sourceDestCheck>
                <groupSet>{string.Concat((groups ?? []).Select(g => $"<item><groupId>{g}</groupId><groupName>{g[3..]}</groupName></item>"))}</groupSet>
                {attachment}{association}<tagSet/>
                <privateIpAddressesSet>{privates}</privateIpAddressesSet>
                <ipv6AddressesSet>{string.Concat((ipv6 ?? []).Select(a => $"<item><ipv6Address>{a}</ipv6Address><isPrimaryIpv6>false</isPrimaryIpv6></item>"))}</ipv6AddressesSet>
                <interfaceType>{type}</interfaceType>
            </item>
            """;
    }

    /// <summary>A reservation holding one instance.</summary>
    public static string Instance(string id, string? name, string type, string state, DateTimeOffset launched, string subnet = "subnet-0a", string vpc = "vpc-0a") => $"""
        <item><reservationId>r-{id[2..]}</reservationId><ownerId>123456789012</ownerId><groupSet/>
            <instancesSet><item>
                <instanceId>{id}</instanceId><imageId>ami-0abcdef1234567890</imageId>
                <instanceState><code>{(state == "running" ? 16 : 80)}</code><name>{state}</name></instanceState>
                <instanceType>{type}</instanceType><launchTime>{Time(launched)}</launchTime>
                <subnetId>{subnet}</subnetId><vpcId>{vpc}</vpcId>{Tags(name)}
            </item></instancesSet>
        </item>
        """;

    public static string SecurityGroup(string id, string groupName, string? name, string vpc = "vpc-0a") => $"""
        <item><ownerId>123456789012</ownerId><groupId>{id}</groupId><groupName>{groupName}</groupName><groupDescription>{groupName}</groupDescription>
            <vpcId>{vpc}</vpcId><ipPermissions/><ipPermissionsEgress/>{Tags(name)}</item>
        """;

    public static string Subnet(string id, string cidr, string? name, string vpc = "vpc-0a") => $"""
        <item><subnetId>{id}</subnetId><state>available</state><vpcId>{vpc}</vpcId><cidrBlock>{cidr}</cidrBlock>
            <ipv6CidrBlockAssociationSet><item><ipv6CidrBlock>2001:db8:0:1::/64</ipv6CidrBlock><associationId>subnet-cidr-assoc-1</associationId></item></ipv6CidrBlockAssociationSet>
            <availableIpAddressCount>250</availableIpAddressCount><availabilityZone>{Ec2Server.Region}a</availabilityZone><ownerId>123456789012</ownerId>{Tags(name)}</item>
        """;

    public static string Vpc(string id, string cidr, string? name) => $"""
        <item><vpcId>{id}</vpcId><ownerId>123456789012</ownerId><state>available</state><cidrBlock>{cidr}</cidrBlock>
            <cidrBlockAssociationSet><item><cidrBlock>{cidr}</cidrBlock><associationId>vpc-cidr-assoc-1</associationId><cidrBlockState><state>associated</state></cidrBlockState></item></cidrBlockAssociationSet>
            <isDefault>false</isDefault>{Tags(name)}</item>
        """;

    public static string VpcEndpoint(string id, string service, string[] interfaces, string? name = null, string vpc = "vpc-0a") => $"""
        <item><vpcEndpointId>{id}</vpcEndpointId><vpcEndpointType>Interface</vpcEndpointType><vpcId>{vpc}</vpcId><serviceName>{service}</serviceName>
            <state>available</state><networkInterfaceIdSet>{string.Concat(interfaces.Select(i => $"<item>{i}</item>"))}</networkInterfaceIdSet>
            <creationTimestamp>2026-11-01T00:00:00.000Z</creationTimestamp><ownerId>123456789012</ownerId>{Tags(name)}</item>
        """;

    public static string NatGateway(string id, string eni, string privateIp, string publicIp, string? name = null, string vpc = "vpc-0a") => $"""
        <item><natGatewayId>{id}</natGatewayId><vpcId>{vpc}</vpcId><subnetId>subnet-0a</subnetId><state>available</state><connectivityType>public</connectivityType>
            <createTime>2026-11-01T00:00:00.000Z</createTime>
            <natGatewayAddressSet><item><networkInterfaceId>{eni}</networkInterfaceId><privateIp>{privateIp}</privateIp><publicIp>{publicIp}</publicIp>
                <allocationId>eipalloc-nat</allocationId><isPrimary>true</isPrimary><status>succeeded</status></item></natGatewayAddressSet>{Tags(name)}</item>
        """;

    public static string InternetGateway(string id, string vpc, string? name = null) => $"""
        <item><internetGatewayId>{id}</internetGatewayId><ownerId>123456789012</ownerId>
            <attachmentSet><item><vpcId>{vpc}</vpcId><state>available</state></item></attachmentSet>{Tags(name)}</item>
        """;

    public static string EgressOnlyInternetGateway(string id, string vpc) => $"""
        <item><egressOnlyInternetGatewayId>{id}</egressOnlyInternetGatewayId>
            <attachmentSet><item><vpcId>{vpc}</vpcId><state>attached</state></item></attachmentSet><tagSet/></item>
        """;

    public static string TransitGatewayAttachment(string id, string tgw, string vpc) => $"""
        <item><transitGatewayAttachmentId>{id}</transitGatewayAttachmentId><transitGatewayId>{tgw}</transitGatewayId>
            <transitGatewayOwnerId>123456789012</transitGatewayOwnerId><resourceOwnerId>123456789012</resourceOwnerId><resourceType>vpc</resourceType>
            <resourceId>{vpc}</resourceId><state>available</state><creationTime>2026-11-01T00:00:00.000Z</creationTime><tagSet/></item>
        """;

    public static string VpcPeeringConnection(string id, string requesterVpc, string accepterVpc, string accepterOwner) => $"""
        <item><vpcPeeringConnectionId>{id}</vpcPeeringConnectionId>
            <requesterVpcInfo><ownerId>123456789012</ownerId><vpcId>{requesterVpc}</vpcId><cidrBlock>10.0.0.0/16</cidrBlock><region>{Ec2Server.Region}</region></requesterVpcInfo>
            <accepterVpcInfo><ownerId>{accepterOwner}</ownerId><vpcId>{accepterVpc}</vpcId><cidrBlock>10.1.0.0/16</cidrBlock><region>{Ec2Server.Region}</region></accepterVpcInfo>
            <status><code>active</code><message>Active</message></status><tagSet/></item>
        """;
}
