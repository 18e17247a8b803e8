using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.Flows;
using FlowLens.Api.Tests.Features.Context;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Api.Tests.Features.Flows;

/// <summary>
/// Stored flows with what FlowLens knows of them: networks, AWS ranges, the test .mmdb files and the inventory of
/// <see cref="InventoryDay"/>, read yesterday at 08:00 and 12:00. Between the two reads 10.0.1.10 moved from web-1 to
/// worker-2, and so did eni-0c: a flow at 09:00 and one at 15:00 name different instances.
/// </summary>
public sealed class FlowContextTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(DateTime.UtcNow.Date.AddDays(-1), TimeSpan.Zero);
    private static readonly (DateTimeOffset Nine, DateTimeOffset Three) At = (Day.AddHours(9), Day.AddHours(15));
    private readonly FlowLogFolder _folder = new();
    private Ec2Server _ec2 = null!;

    public async ValueTask InitializeAsync() => _ec2 = await Ec2Server.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _ec2.DisposeAsync();
        _folder.Dispose();
    }

    private static string Line(string eni, string? src, string? dst, int dstPort, DateTimeOffset start, string action = "ACCEPT") => src is null
        ? $"2 123456789012 {eni} - - - - - - - {start.ToUnixTimeSeconds()} {start.AddMinutes(1).ToUnixTimeSeconds()} - NODATA"
        : $"2 123456789012 {eni} {src} {dst} 40000 {dstPort} 6 10 840 {start.ToUnixTimeSeconds()} {start.AddMinutes(1).ToUnixTimeSeconds()} {action} OK";

    /// <summary>An app that knows the account, two networks (one named like a formula), AWS's ranges and both .mmdb files; and six flows.</summary>
    private async Task<FlowLensApp> StartAsync()
    {
        _folder.WriteGzip("flows/day.log.gz", string.Join('\n',
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
            Line("eni-0a", "10.0.1.10", "52.218.10.27", 443, At.Nine),
            Line("eni-0b", "10.0.1.10", "52.218.10.27", 443, At.Three),
            Line("eni-0c", "198.51.100.7", "10.0.1.30", 22, At.Nine, "REJECT"),
            Line("eni-0c", "198.51.100.7", "10.0.1.30", 22, At.Three, "REJECT"),
            Line("eni-0n", "10.0.1.5", "8.8.8.8", 53, At.Three),
            Line("eni-0l", null, null, 0, At.Three)) + "\n");
        var app = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Enrichment:GeoIpDatabase", TestGeoDatabases.PathOf(TestGeoDatabases.CountryFile));
            b.UseSetting("FlowLens:Enrichment:AsnDatabase", TestGeoDatabases.PathOf(TestGeoDatabases.AsnFile));
        });
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        (await admin.PostAsJsonAsync("/api/networks", new { cidr = "10.0.0.0/16", name = "prod" }, ct)).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/networks", new { cidr = "198.51.100.0/24", name = "=1+2" }, ct)).EnsureSuccessStatusCode();
        (await admin.PostAsync("/api/context/aws-ip-ranges",
            new StringContent(File.ReadAllText(AwsIpRangesApiTests.Fixture), System.Text.Encoding.UTF8, "application/json"), ct)).EnsureSuccessStatusCode();
        await new InventoryDay(_ec2, Day).MorningAndAfternoonAsync(app);
        await app.IngestAsync(await _folder.CreateSourceAsync(app));
        return app;
    }

    private static string Query(params (string Name, string Value)[] more) => QueryData.Query(Day, Day.AddDays(1), more);

    [Fact]
    public async Task Items_CarryTheContextOfBothAddressesAndTheInterface_AsTheyWereAtTheFlowsStart()
    {
        await using var app = await StartAsync();
        var page = (await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<FlowsApi.FlowPage>($"/api/flows?{Query()}", TestContext.Current.CancellationToken))!;
        Assert.Equal(6, page.Items.Count);
        FlowItem Flow(string eni, DateTimeOffset at) => page.Items.Single(i => i.InterfaceId == eni && i.Start == at);

        // 10.0.1.10 to S3: web-1's address at 09:00, worker-2's at 15:00, each logged by its own ENI.
        var morning = Flow("eni-0a", At.Nine);
        Assert.Equal(("prod", "eni-0a", "private", "instance", "i-0a", "web-1"),
            (morning.Src!.Network?.Name, morning.Src.Resource?.InterfaceId, morning.Src.Resource?.AddressKind, morning.Src.Resource?.Kind, morning.Src.Resource?.ResourceId, morning.Src.Resource?.ResourceName));
        Assert.Equal([new SecurityGroupContext("sg-web", "web-public", "web")], morning.Src.Resource!.SecurityGroups);
        Assert.Equal(("app-a", "prod"), (morning.Src.Resource.SubnetName, morning.Src.Resource.VpcName));
        Assert.Equal(new AddressInfo("52.218.10.27", null, new AwsServiceMatch("52.218.0.0/17", "S3", "eu-west-1", "eu-west-1"), "IE", 16509, "AMAZON-02", null), morning.Dst);
        Assert.Equal(("eni-0a", (string?)null, "web-1"), (morning.Interface?.InterfaceId, morning.Interface?.AddressKind, morning.Interface?.ResourceName));
        var afternoon = Flow("eni-0b", At.Three);
        Assert.Equal(("eni-0b", "i-0b", "worker-2"), (afternoon.Src!.Resource?.InterfaceId, afternoon.Src.Resource?.InstanceId, afternoon.Src.Resource?.ResourceName));
        Assert.Equal(("worker-2", "sg-worker"), (afternoon.Interface?.ResourceName, afternoon.Interface?.SecurityGroups.Single().Id));

        // From the internet to eni-0c, which moved from web-1 to worker-2 with its address.
        var before = Flow("eni-0c", At.Nine);
        Assert.Equal(new AddressInfo("198.51.100.7", before.Src!.Network, null, "GB", 64496, "Documentation AS", null), before.Src);
        Assert.Equal("=1+2", before.Src.Network?.Name);
        Assert.Equal(("web-1", "web-1"), (before.Dst?.Resource?.ResourceName, before.Interface?.ResourceName));
        var after = Flow("eni-0c", At.Three);
        Assert.Equal(("worker-2", "worker-2", "sg-worker"), (after.Dst?.Resource?.ResourceName, after.Interface?.ResourceName, after.Interface?.SecurityGroups.Single().Id));

        // The NAT gateway's ENI logged this one; a NODATA row has no addresses but still its interface.
        var nat = Flow("eni-0n", At.Three);
        Assert.Equal(("nat-gateway", "nat-0a", "egress"), (nat.Interface?.Kind, nat.Interface?.ResourceId, nat.Interface?.ResourceName));
        Assert.Equal(("nat-0a", "US", 15169L, (InventoryContext?)null), (nat.Src?.Resource?.ResourceId, nat.Dst?.Country, nat.Dst?.Asn, nat.Dst?.Resource));
        var nodata = Flow("eni-0l", At.Three);
        Assert.Equal((null, null, "load-balancer", "app/web-alb/50dc6c495c0c9188"), (nodata.Src, nodata.Dst, nodata.Interface?.Kind, nodata.Interface?.ResourceId));
    }

    [Fact]
    public async Task CsvExport_AppendsTheContextColumns_WithNamesNeutralisedLikeTextFields()
    {
        await using var app = await StartAsync();
        var csv = await app.CreateClient(FlowLensApp.AdminKey).GetStringAsync($"/api/flows?{Query(("format", "csv"))}", TestContext.Current.CancellationToken);

        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].Split(',');
        Assert.Equal(FlowFields.All.Select(f => f.Name).Concat(
            ["src-network", "src-aws-service", "src-country", "src-asn", "src-resource-id", "src-name",
             "dst-network", "dst-aws-service", "dst-country", "dst-asn", "dst-resource-id", "dst-name", "instance-name", "security-groups"]), header);
        Assert.Equal(7, lines.Length);
        var rows = lines.Skip(1).Select(CsvInjectionTests.CsvCells).Select(cells => header.Zip(cells).ToDictionary(p => p.First, p => p.Second)).ToList();
        Dictionary<string, string> Row(string eni, DateTimeOffset at) => rows.Single(r => r["interface-id"] == eni && r["start"] == at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

        string Context(Dictionary<string, string> row) => string.Join(',', header.Skip(FlowFields.All.Count).Select(c => row[c]));
        Assert.Equal("prod,,,,i-0a,web-1,,S3,IE,16509,,,web-1,sg-web", Context(Row("eni-0a", At.Nine)));
        Assert.Equal("prod,,,,i-0b,worker-2,,S3,IE,16509,,,worker-2,sg-worker", Context(Row("eni-0b", At.Three)));
        Assert.Equal("'=1+2,,GB,64496,,,prod,,,,i-0a,web-1,web-1,sg-web", Context(Row("eni-0c", At.Nine)));
        Assert.Equal("'=1+2,,GB,64496,,,prod,,,,i-0b,worker-2,worker-2,sg-worker", Context(Row("eni-0c", At.Three)));
        Assert.Equal("prod,,,,nat-0a,egress,,,US,15169,,,egress,", Context(Row("eni-0n", At.Three)));
        Assert.Equal(",,,,,,,,,,,,,sg-lb", Context(Row("eni-0l", At.Three)));
    }

    [Fact]
    public async Task NdjsonExport_CarriesSrcDstAndInterface_AsTheJsonItemsDo()
    {
        await using var app = await StartAsync();
        var client = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        var text = await client.GetStringAsync($"/api/flows?{Query(("format", "ndjson"))}", ct);
        var page = (await client.GetFromJsonAsync<FlowsApi.FlowPage>($"/api/flows?{Query()}", ct))!;

        var lines = text.TrimEnd('\n').Split('\n');
        Assert.Equal(page.Items.Select(i => JsonSerializer.Serialize(i, JsonSerializerOptions.Web)), lines);
        var first = JsonDocument.Parse(lines.Single(l => l.Contains("\"interfaceId\":\"eni-0a\""))).RootElement;
        Assert.Equal("web-1", first.GetProperty("src").GetProperty("resource").GetProperty("resourceName").GetString());
        Assert.Equal("S3", first.GetProperty("dst").GetProperty("aws").GetProperty("service").GetString());
        Assert.Equal("sg-web", first.GetProperty("interface").GetProperty("securityGroups")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task OcsfExport_PutsWhatFlowLensKnowsOnTheEndpoints_AndTheInterfaceOnTheSideTheInventoryPlacesIt()
    {
        await using var app = await StartAsync();
        var text = await app.CreateClient(FlowLensApp.AdminKey).GetStringAsync($"/api/flows?{Query(("format", "ocsf"))}", TestContext.Current.CancellationToken);
        var events = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).ToList();
        var morning = events.Single(e => (long?)e["start_time"] == At.Nine.ToUnixTimeMilliseconds() && (string?)e["src_endpoint"]?["ip"] == "10.0.1.10");

        // Format v2 has no flow-direction: the inventory puts 10.0.1.10 on eni-0a at 09:00, so the interface is the source.
        Assert.Equal("""{"ip":"10.0.1.10","name":"web-1","port":40000,"interface_uid":"eni-0a"}""", morning["src_endpoint"]!.ToJsonString());
        Assert.Equal("""{"ip":"52.218.10.27","location":{"country":"IE"},"autonomous_system":{"number":16509,"name":"AMAZON-02"},"port":443}""", morning["dst_endpoint"]!.ToJsonString());
        var unmapped = morning["unmapped"]!;
        Assert.Equal(("prod", "i-0a", "S3", "web-1", "sg-web"), ((string?)unmapped["src_network"], (string?)unmapped["src_resource_id"], (string?)unmapped["dst_aws_service"], (string?)unmapped["instance_name"], (string?)unmapped["security_groups"]![0]));

        // From the internet to 10.0.1.30, which the inventory places on eni-0c: the interface is the destination.
        var rejected = events.Single(e => (long?)e["start_time"] == At.Nine.ToUnixTimeMilliseconds() && (string?)e["src_endpoint"]?["ip"] == "198.51.100.7");
        Assert.Equal("eni-0c", (string?)rejected["dst_endpoint"]!["interface_uid"]);
        Assert.Equal(("GB", 64496L), ((string?)rejected["src_endpoint"]!["location"]!["country"], (long)rejected["src_endpoint"]!["autonomous_system"]!["number"]!));
    }
}
