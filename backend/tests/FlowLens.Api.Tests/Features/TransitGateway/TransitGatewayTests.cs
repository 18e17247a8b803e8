using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.TransitGateway;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Api.Tests.Features.TransitGateway;

/// <summary>
/// Transit Gateway flow logs end to end: in AWS's S3 layout (gzip text, a header line in the default Transit Gateway
/// format, beside a VPC flow log) and from CloudWatch Logs (no header, the source's format); every field stored and
/// filterable; the view's figures equal the sums of the lines written.
/// </summary>
[Slow]
public sealed class TransitGatewayTests(PostgresFixture postgres) : IDisposable
{
    private const string Tgw = "tgw-0a12bc34de56f7890";
    private static readonly string[] Attachments = ["tgw-attach-0a00000000000000a", "tgw-attach-0b00000000000000b", "tgw-attach-0c00000000000000c", "tgw-attach-0d00000000000000d"];
    private static readonly string[] Vpcs = ["vpc-0a1a1a1a1a1a1a1a1", "vpc-0b2b2b2b2b2b2b2b2", "vpc-0c3c3c3c3c3c3c3c3"];
    private static readonly long Start = DateTimeOffset.UtcNow.AddMinutes(-40).ToUnixTimeSeconds();
    private readonly FlowLogFolder _folder = new();

    /// <summary>One record of the default format: attachment i → its pair, VPC to VPC, now and then packets lost.</summary>
    private sealed record Line(string Attachment, string Pair, string SrcVpc, string DstVpc, string Direction, long Bytes, long Packets, long[] Lost)
    {
        public string Text(int i) =>
            $"6 TransitGateway 111122223333 {Tgw} {Attachment} 111122223333 444455556666 {SrcVpc} {DstVpc} subnet-0aaa{i % 7:D13} - " +
            $"eni-0ccc{i % 5:D13} - use1-az1 use1-az2 {Pair} 10.{i % 3}.1.{i % 200 + 1} 10.9.2.{i % 50 + 1} {40000 + i} 443 6 {Packets} {Bytes} " +
            $"{Start + i % 60} {Start + 60 + i % 60} OK IPv4 {string.Join(' ', Lost)} 18 us-east-1 {Direction} - -";
    }

    private static List<Line> Lines(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var a = random.Next(Attachments.Length);
            long[] lost = random.Next(10) == 0 ? [random.Next(3), random.Next(2), random.Next(4), random.Next(2)] : [0, 0, 0, 0];
            return new Line(Attachments[a], Attachments[(a + 1) % Attachments.Length], Vpcs[random.Next(Vpcs.Length)], Vpcs[random.Next(Vpcs.Length)],
                random.Next(2) == 0 ? "ingress" : "egress", random.Next(40, 90_000), random.Next(1, 60), lost);
        })];
    }

    private static async Task<TransitGatewayApi.TransitGatewayReport> ReportAsync(FlowLensApp app, string? q = null) =>
        (await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<TransitGatewayApi.TransitGatewayReport>(
            $"/api/stats/transit-gateway?from=now-3h&to=now&limit=500{(q is null ? "" : "&q=" + Uri.EscapeDataString(q))}", TestContext.Current.CancellationToken))!;

    private static TransitGatewayApi.PacketsLost Lost(IEnumerable<Line> lines) =>
        new(lines.Sum(l => l.Lost[0]), lines.Sum(l => l.Lost[1]), lines.Sum(l => l.Lost[2]), lines.Sum(l => l.Lost[3]));

    /// <summary>The view's figures, each against the same sums over the lines written.</summary>
    private static void AssertReport(TransitGatewayApi.TransitGatewayReport report, List<Line> lines)
    {
        Assert.Equal(new TransitGatewayApi.TransitGatewayTotals(lines.Count, lines.Sum(l => l.Bytes), lines.Sum(l => l.Packets), Lost(lines)), report.Totals);
        var attachments = lines.GroupBy(l => (l.Attachment, l.Pair, l.Direction))
            .Select(g => new TransitGatewayApi.AttachmentTraffic(Tgw, g.Key.Attachment, g.Key.Pair, g.Key.Direction, g.Count(), g.Sum(l => l.Bytes), g.Sum(l => l.Packets), Lost(g)))
            .OrderByDescending(a => a.Bytes).ThenBy(a => a.AttachmentId, StringComparer.Ordinal).ThenBy(a => a.PairAttachmentId, StringComparer.Ordinal).ToList();
        Assert.Equal(attachments, report.Attachments);
        var vpcs = lines.GroupBy(l => (l.SrcVpc, l.DstVpc))
            .Select(g => new TransitGatewayApi.VpcTraffic(g.Key.SrcVpc, g.Key.DstVpc, "111122223333", "444455556666", g.Count(), g.Sum(l => l.Bytes), g.Sum(l => l.Packets), Lost(g)))
            .OrderByDescending(v => v.Bytes).ThenBy(v => v.SrcVpcId, StringComparer.Ordinal).ThenBy(v => v.DstVpcId, StringComparer.Ordinal).ToList();
        Assert.Equal(vpcs, report.Vpcs);
    }

    [Fact]
    public async Task S3Layout_TransitGatewayObjects_AreStoredFieldByField_Filterable_AndTheViewEqualsTheirLines()
    {
        var lines = Lines(600, seed: 7);
        var header = FlowLogText.Header(FlowLogFormat.TransitGatewayDefault);
        // AWS writes Transit Gateway flow logs under vpcflowlogs/, named by the flow log id, beside VPC flow logs.
        _folder.WriteGzip("AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/12/04/111122223333_vpcflowlogs_us-east-1_fl-0tgw_20261204T0005Z_a1.log.gz",
            header + "\n" + string.Join("\n", lines.Select((l, i) => l.Text(i))) + "\n");
        _folder.WriteGzip("AWSLogs/111122223333/vpcflowlogs/us-east-1/2026/12/04/111122223333_vpcflowlogs_us-east-1_fl-0vpc_20261204T0005Z_b2.log.gz",
            FlowLogText.Header(FlowLogFormat.Default) + "\n" + string.Join("\n", Enumerable.Range(0, 50).Select(i =>
                $"2 111122223333 eni-0ccc{i:D13} 10.9.2.{i + 1} 10.0.1.1 443 {50000 + i} 6 3 900 {Start} {Start + 60} ACCEPT OK")) + "\n");
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);
        Assert.Equal(650L, (await app.GetSourceAsync(sourceId)).Status.RecordsIngested);

        AssertReport(await ReportAsync(app), lines);
        // A filter narrows the view like any other: one attachment's records, and those that lost packets to the MTU.
        AssertReport(await ReportAsync(app, $"tgw-attachment-id = {Attachments[1]}"), [.. lines.Where(l => l.Attachment == Attachments[1])]);
        AssertReport(await ReportAsync(app, "packets-lost-mtu-exceeded > 0"), [.. lines.Where(l => l.Lost[2] > 0)]);

        // The flows API returns every field typed (not in extras); the search filters on them.
        var page = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<JsonElement>(
            $"/api/flows?from=now-3h&to=now&limit=1000&q={Uri.EscapeDataString($"tgw-src-vpc-id = {Vpcs[0]} and tgw-dst-az-id = use1-az2")}", TestContext.Current.CancellationToken);
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(lines.Count(l => l.SrcVpc == Vpcs[0]), items.Count);
        var first = items.OrderBy(i => i.GetProperty("line").GetInt32()).First();
        var expected = lines.Select((l, i) => (l, i)).First(x => x.l.SrcVpc == Vpcs[0]);
        var record = new FlowLineParser(FlowLogFormat.TransitGatewayDefault);
        Assert.True(record.TryParse(expected.l.Text(expected.i), 1, 65536, out _));
        foreach (var info in FlowLogFormat.TransitGatewayDefault.Columns)
        {
            // The API's names: AWS's in camel case, addresses and ports as srcAddr, dstPort...
            var name = info!.Name switch
            {
                "srcaddr" => "srcAddr",
                "dstaddr" => "dstAddr",
                "srcport" => "srcPort",
                "dstport" => "dstPort",
                var n => JsonNamingPolicy.CamelCase.ConvertName(string.Concat(n.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..]))),
            };
            var json = first.GetProperty(name);
            var want = FlowLogText.Value(record.Record, info.Field);
            var got = json.ValueKind switch
            {
                JsonValueKind.Null => "-",
                JsonValueKind.Number => json.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ when info.Field is FlowField.Start or FlowField.End => json.GetDateTimeOffset().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => json.GetString(),
            };
            Assert.True(want == got, $"{info.Name}: expected {want}, got {got}");
        }
        Assert.Equal(JsonValueKind.Null, first.GetProperty("extras").ValueKind);
    }

    [Fact]
    public async Task CloudWatchEvents_OfATransitGatewayFlowLog_AreStoredWithTheSourcesFormat_AndTheViewEqualsThem()
    {
        var lines = Lines(120, seed: 11);
        await using var server = await CloudWatchLogsServer.StartAsync();
        // One log stream per transit gateway; events without a header.
        server.Add("/tgw/flow-logs", Tgw, lines.Select((l, i) => (DateTimeOffset.FromUnixTimeSeconds(Start + i % 60), l.Text(i))));
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Sources:CloudWatchRequestsPerSecond", "500"));
        var created = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name = "tgw",
            kind = "cloudwatch",
            enabled = false,
            cloudWatch = new
            {
                logGroupName = "/tgw/flow-logs", region = CloudWatchLogsServer.Region, serviceUrl = server.Url, startTime = DateTimeOffset.UtcNow.AddHours(-3),
                logFormat = FlowLogFormat.TransitGatewayDefault.ToString(),
            },
        }, TestContext.Current.CancellationToken);
        var id = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetInt64();

        await app.RunJobAsync<SyncJob>(job => job.RunAsync(id, true, CancellationToken.None));

        Assert.Equal((120L, 0L), ((await app.GetSourceAsync(id)).Status.RecordsIngested, (await app.GetSourceAsync(id)).Status.RecordsRejected));
        AssertReport(await ReportAsync(app), lines);
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from flows where extras is not null"));
    }

    [Fact]
    public async Task TheView_HasNothingWithoutTransitGatewayRecords_AndRefusesABadRequest()
    {
        await using var app = await postgres.StartAppAsync();
        var empty = await ReportAsync(app);
        Assert.Equal((new TransitGatewayApi.TransitGatewayTotals(0, 0, 0, new(0, 0, 0, 0)), 0, 0), (empty.Totals, empty.Attachments.Count, empty.Vpcs.Count));
        using var client = app.CreateClient(FlowLensApp.AdminKey);
        await ProblemAssert.IsBadParameterAsync(await client.GetAsync("/api/stats/transit-gateway?limit=0", TestContext.Current.CancellationToken), "limit");
        await ProblemAssert.IsBadParameterAsync(await client.GetAsync("/api/stats/transit-gateway?q=tgw-id%20%3D", TestContext.Current.CancellationToken), "q");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await app.CreateClient().GetAsync("/api/stats/transit-gateway", TestContext.Current.CancellationToken)).StatusCode);
    }

    public void Dispose() => _folder.Dispose();
}
