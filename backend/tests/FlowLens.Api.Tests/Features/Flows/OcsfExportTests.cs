using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowLens.Api.Features.Flows;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Ocsf;

namespace FlowLens.Api.Tests.Features.Flows;

/// <summary>
/// <c>format=ocsf</c> over planted version-5 records: ACCEPT in, REJECT out over IPv6, through a NAT gateway, NODATA and
/// SKIPDATA; each becomes the Network Activity event docs/ocsf.md describes.
/// </summary>
public sealed class OcsfExportTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(DateTime.UtcNow.Date.AddDays(-1), TimeSpan.Zero);
    private static readonly DateTimeOffset At = Day.AddHours(10);
    private readonly FlowLogFolder _folder = new();
    private FlowLensApp _app = null!;
    private string _viewerKey = null!;

    private const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status " +
        "vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id " +
        "pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path reject-reason";

    private static string Line(int minute, string fields) =>
        fields.Replace("START", At.AddMinutes(minute).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture))
              .Replace("END", At.AddMinutes(minute + 1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));

    public async ValueTask InitializeAsync()
    {
        _folder.WriteGzip("flows/day.log.gz", string.Join('\n',
            Header,
            Line(1, "5 111122223333 eni-0a 198.51.100.7 10.0.1.10 40211 22 6 3 180 START END ACCEPT OK vpc-0a subnet-0a i-0a 2 IPv4 198.51.100.7 10.0.1.10 eu-west-1 euw1-az1 - - - - ingress - -"),
            Line(2, "5 111122223333 eni-0b 2001:db8::10 2001:db8:1::53 5353 53 17 1 90 START END REJECT OK vpc-0b subnet-0b - 0 IPv6 2001:db8::10 2001:db8:1::53 eu-west-1 euw1-az2 - - - - egress 8 BPA"),
            Line(3, "5 111122223333 eni-0n 10.0.2.5 52.95.1.1 61000 443 6 20 4000 START END ACCEPT OK vpc-0a subnet-0n - 19 IPv4 10.0.1.20 52.95.1.1 eu-west-1 euw1-az1 - - - S3 egress 2 -"),
            Line(4, "5 111122223333 eni-0c - - - - - - - START END - NODATA - - - - - - - eu-west-1 euw1-az1 - - - - - - -"),
            Line(5, "5 111122223333 eni-0d - - - - - - - START END - SKIPDATA - - - - - - - eu-west-1 euw1-az1 - - - - - - -")) + "\n");
        _app = await postgres.StartAppAsync(_folder.Allow);
        await _app.IngestAsync(await _folder.CreateSourceAsync(_app));
        // A viewer's key: exports are for viewers (a SIEM's key).
        var created = await (await _app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/keys", new { name = "siem", role = "viewer" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        _viewerKey = created.GetProperty("secret").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _folder.Dispose();
    }

    private static string Query(params (string Name, string Value)[] more) => QueryData.Query(Day, Day.AddDays(1), more);

    private async Task<List<JsonObject>> ExportAsync(params (string Name, string Value)[] more)
    {
        using var response = await _app.CreateClient(_viewerKey).GetAsync($"/api/flows?{Query([("format", "ocsf"), .. more])}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject())];
    }

    private static JsonObject By(List<JsonObject> events, string eni) =>
        events.Single(e => (string?)(e["src_endpoint"]?["interface_uid"] ?? e["dst_endpoint"]?["interface_uid"] ?? e["unmapped"]?["interface_id"]) == eni);

    private static long Ms(int minute) => At.AddMinutes(minute).ToUnixTimeMilliseconds();

    [Fact]
    public async Task Accept_IsAnAllowedTrafficEvent_WithTheInterfaceOnTheDestinationOfIngress()
    {
        var e = By(await ExportAsync(), "eni-0a");
        var expected = JsonNode.Parse($$"""
            {
              "class_uid": 4001, "class_name": "Network Activity", "category_uid": 4, "category_name": "Network Activity",
              "activity_id": 6, "activity_name": "Traffic", "type_uid": 400106, "type_name": "Network Activity: Traffic",
              "time": {{Ms(1)}}, "start_time": {{Ms(1)}}, "end_time": {{Ms(2)}}, "severity_id": 1, "severity": "Informational",
              "message": "ACCEPT TCP 198.51.100.7:40211 -> 10.0.1.10:22",
              "action_id": 1, "action": "Allowed", "disposition_id": 1, "disposition": "Allowed",
              "status_code": "OK", "status_id": 1, "status": "Success",
              "src_endpoint": { "ip": "198.51.100.7", "port": 40211 },
              "dst_endpoint": { "ip": "10.0.1.10", "port": 22, "interface_uid": "eni-0a", "instance_uid": "i-0a", "vpc_uid": "vpc-0a", "subnet_uid": "subnet-0a" },
              "connection_info": { "direction_id": 1, "direction": "Inbound", "protocol_num": 6, "protocol_name": "tcp",
                                   "protocol_ver_id": 4, "protocol_ver": "Internet Protocol version 4 (IPv4)", "tcp_flags": 2 },
              "traffic": { "bytes": 180, "packets": 3 },
              "cloud": { "provider": "AWS", "account": { "uid": "111122223333" }, "region": "eu-west-1", "zone": "euw1-az1" },
              "observables": [ { "name": "src_endpoint.ip", "value": "198.51.100.7", "type_id": 2, "type": "IP Address" },
                               { "name": "dst_endpoint.ip", "value": "10.0.1.10", "type_id": 2, "type": "IP Address" } ],
              "metadata": { "version": "{{OcsfEvent.Version}}", "product": { "name": "FlowLens", "vendor_name": "FlowLens", "version": "{{OcsfEvent.ProductVersion}}" },
                            "uid": "{{e["unmapped"]!["object_id"]}}:2", "profiles": ["cloud", "security_control"], "log_provider": "Amazon VPC Flow Logs",
                            "log_version": "5", "original_time": "{{At.AddMinutes(1).ToUnixTimeSeconds()}}" },
              "unmapped": { "source_id": {{e["unmapped"]!["source_id"]}}, "object_id": {{e["unmapped"]!["object_id"]}}, "line": 2 }
            }
            """);
        Assert.True(JsonNode.DeepEquals(expected, e), e.ToJsonString());
        Assert.Null(e["raw_data"]);
    }

    [Fact]
    public async Task Reject_IsBlocked_OverIPv6_WithTheInterfaceOnTheSourceOfEgress_AndTheBoundaryOfItsPath()
    {
        var e = By(await ExportAsync(), "eni-0b");
        Assert.Equal((2, "Denied", 2, "Blocked"), ((int)e["action_id"]!, (string?)e["action"], (int)e["disposition_id"]!, (string?)e["disposition"]));
        Assert.Equal("""{"ip":"2001:db8::10","port":5353,"interface_uid":"eni-0b","vpc_uid":"vpc-0b","subnet_uid":"subnet-0b"}""", e["src_endpoint"]!.ToJsonString());
        Assert.Equal("""{"ip":"2001:db8:1::53","port":53}""", e["dst_endpoint"]!.ToJsonString());
        Assert.Equal("""{"direction_id":2,"direction":"Outbound","protocol_num":17,"protocol_name":"udp","protocol_ver_id":6,"protocol_ver":"Internet Protocol version 6 (IPv6)","tcp_flags":0,"boundary_id":11,"boundary":"Internet Gateway"}""",
            e["connection_info"]!.ToJsonString());
        Assert.Equal("BPA", (string?)e["unmapped"]!["reject_reason"]);
        Assert.Equal("REJECT UDP 2001:db8::10:5353 -> 2001:db8:1::53:53", (string?)e["message"]);
    }

    [Fact]
    public async Task ThroughANatGateway_ThePacketsSourceIsTheEndpoint_AndTheInterfacesAddressAnIntermediateIp()
    {
        var e = By(await ExportAsync(), "eni-0n");
        Assert.Equal("""{"ip":"10.0.1.20","intermediate_ips":["10.0.2.5"],"port":61000,"interface_uid":"eni-0n","vpc_uid":"vpc-0a","subnet_uid":"subnet-0n"}""", e["src_endpoint"]!.ToJsonString());
        Assert.Equal("""{"ip":"52.95.1.1","port":443,"svc_name":"S3"}""", e["dst_endpoint"]!.ToJsonString());
        Assert.Equal((5, "Internet/VPC Gateway", 19), ((int)e["connection_info"]!["boundary_id"]!, (string?)e["connection_info"]!["boundary"], (int)e["connection_info"]!["tcp_flags"]!));
    }

    [Fact]
    public async Task NoDataAndSkipData_AreOtherActivities_NamedByTheLogStatus_WithoutEndpoints()
    {
        var events = await ExportAsync();
        Assert.Equal(5, events.Count); // one event per record, these two included
        var nodata = By(events, "eni-0c");
        Assert.Equal((99, "NODATA", 400199L, "Network Activity: Other"), ((int)nodata["activity_id"]!, (string?)nodata["activity_name"], (long)nodata["type_uid"]!, (string?)nodata["type_name"]));
        Assert.Equal(("NODATA", 1, "Success"), ((string?)nodata["status_code"], (int)nodata["status_id"]!, (string?)nodata["status"]));
        Assert.Equal((0, 0), ((int)nodata["action_id"]!, (int)nodata["disposition_id"]!));
        Assert.Null(nodata["src_endpoint"]);
        Assert.Null(nodata["dst_endpoint"]);
        Assert.Null(nodata["traffic"]);
        Assert.Null(nodata["observables"]);
        Assert.Equal("""{"direction_id":0,"direction":"Unknown"}""", nodata["connection_info"]!.ToJsonString());
        Assert.Equal((Ms(4), Ms(5)), ((long)nodata["start_time"]!, (long)nodata["end_time"]!));

        var skipdata = By(events, "eni-0d");
        Assert.Equal((99, "SKIPDATA"), ((int)skipdata["activity_id"]!, (string?)skipdata["activity_name"]));
        Assert.Equal(("SKIPDATA", 2, "Failure"), ((string?)skipdata["status_code"], (int)skipdata["status_id"]!, (string?)skipdata["status"]));
        Assert.NotNull(skipdata["status_detail"]);
    }

    [Fact]
    public async Task Export_TakesTheFilterAndTheCursor_AsNdjsonDoes()
    {
        var rejected = await ExportAsync(("q", "action = REJECT or log-status = SKIPDATA"));
        Assert.Equal(["eni-0b", "eni-0d"], rejected.Select(e => (string?)(e["src_endpoint"]?["interface_uid"] ?? e["unmapped"]?["interface_id"])).Order());

        var ct = TestContext.Current.CancellationToken;
        var client = _app.CreateClient(_viewerKey);
        var page = (await client.GetFromJsonAsync<FlowsApi.FlowPage>($"/api/flows?{Query(("limit", "2"))}", ct))!;
        var rest = await ExportAsync(("cursor", page.NextCursor!));
        var ndjson = await client.GetStringAsync($"/api/flows?{Query(("format", "ndjson"), ("cursor", page.NextCursor!))}", ct);
        var items = ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<FlowItem>(l, JsonSerializerOptions.Web)!).ToList();
        Assert.Equal(3, rest.Count);
        Assert.Equal(items.Select(i => $"{i.ObjectId}:{i.Line}"), rest.Select(e => (string?)e["metadata"]!["uid"]));
    }

    [Theory]
    [InlineData("format=ocsf2")]
    [InlineData("format=ocsf&cursor=nope")]
    public async Task ABadFormatOrCursor_Is400ProblemDetails(string query)
    {
        var response = await _app.CreateClient(_viewerKey).GetAsync($"/api/flows?{query}", TestContext.Current.CancellationToken);
        await ProblemAssert.IsBadParameterAsync(response, query.Contains("cursor") ? "cursor" : "format");
    }
}
