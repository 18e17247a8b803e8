using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Flows;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;
using static FlowLens.Api.Tests.Infrastructure.QueryData;

namespace FlowLens.Api.Tests.Features.Flows;

public sealed class FlowsApiTests(QueryData data) : IClassFixture<QueryData>
{
    private static readonly DateTimeOffset End = FirstDay.AddDays(2);

    // What identifies a record well enough to compare sets of them.
    private static string Identity(FlowItem f) => $"{f.InterfaceId} {f.SrcAddr}:{f.SrcPort} {f.DstAddr}:{f.DstPort} {f.Start:O} {f.Bytes}";

    private static string Identity(FlowRecord r) => $"{r.InterfaceId} {r.SrcAddr}:{r.SrcPort} {r.DstAddr}:{r.DstPort} {r.Start:O} {r.Bytes}";

    [Fact]
    public async Task Search_PagesThroughEveryMatchingFlow_NewestFirst_WithoutRepeats()
    {
        var ct = TestContext.Current.CancellationToken;
        var expected = data.In(FirstDay, End).Where(r => r.Action == FlowAction.Reject && r.DstPort is 22 or 3389).Select(Identity).Order().ToList();
        Assert.True(expected.Count > 900);

        var items = new List<FlowItem>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var query = Query(FirstDay, End, ("q", "action = reject and dstport in (22, 3389)"), ("limit", "250")) + (cursor is null ? "" : $"&cursor={cursor}");
            var page = await data.Client().GetFromJsonAsync<FlowsApi.FlowPage>($"/api/flows?{query}", ct);
            Assert.True(page!.Items.Count <= 250);
            items.AddRange(page.Items);
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal((expected.Count + 249) / 250, pages);
        Assert.Equal(expected, items.Select(Identity).Order().ToList());
        Assert.Equal(items.Count, items.Select(i => (i.ObjectId, i.Line)).Distinct().Count());
        Assert.Equal(items.OrderByDescending(i => i.Start).ThenByDescending(i => i.ObjectId).ThenByDescending(i => i.Line), items);
    }

    [Fact]
    public async Task Items_CarryEveryFieldOfTheRecord_WithAwsWordsAndIsoTimes()
    {
        var ct = TestContext.Current.CancellationToken;
        var page = await data.Client().GetFromJsonAsync<FlowsApi.FlowPage>(
            $"/api/flows?{Query(FirstDay, End, ("q", "pkt-dst-aws-service = S3 or log-status = NODATA or type = IPv6"), ("limit", "300"))}", ct);
        var byIdentity = data.Records.ToLookup(Identity);
        Assert.Equal(300, page!.Items.Count);
        foreach (var item in page.Items)
        {
            var record = Assert.Single(byIdentity[Identity(item)]);
            string? Text(FlowField field) => record.Get(field) is null ? null : FlowLogText.Value(record, field);
            Assert.Equal(record.Version, item.Version);
            Assert.Equal(record.AccountId, item.AccountId);
            Assert.Equal(record.Protocol, item.Protocol);
            Assert.Equal(record.Packets, item.Packets);
            Assert.Equal(record.End, item.End);
            Assert.Equal(Text(FlowField.Action), item.Action);
            Assert.Equal(Text(FlowField.LogStatus), item.LogStatus);
            Assert.Equal(record.VpcId, item.VpcId);
            Assert.Equal(record.SubnetId, item.SubnetId);
            Assert.Equal(record.InstanceId, item.InstanceId);
            Assert.Equal((int?)record.TcpFlags, item.TcpFlags);
            Assert.Equal(Text(FlowField.Type), item.Type);
            Assert.Equal(record.PktSrcAddr?.ToString(), item.PktSrcAddr);
            Assert.Equal(record.PktDstAddr?.ToString(), item.PktDstAddr);
            Assert.Equal(record.Region, item.Region);
            Assert.Equal(record.AzId, item.AzId);
            Assert.Equal(record.PktSrcAwsService, item.PktSrcAwsService);
            Assert.Equal(record.PktDstAwsService, item.PktDstAwsService);
            Assert.Equal(Text(FlowField.FlowDirection), item.FlowDirection);
            Assert.Equal(record.TrafficPath, item.TrafficPath);
            Assert.True(item.Line > 1); // line 1 is the header
        }
        Assert.Contains(page.Items, i => i.LogStatus == "NODATA" && i.SrcAddr is null && i.Action is null);
        Assert.Contains(page.Items, i => i.Type == "IPv6");

        var raw = await data.Client().GetStringAsync($"/api/flows?{Query(FirstDay, End, ("q", "log-status = NODATA"), ("limit", "1"))}", ct);
        Assert.Contains("\"srcAddr\":null", raw);
        Assert.Matches("\"start\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\+00:00|Z)\"", raw);
    }

    [Fact]
    public async Task CsvExport_StreamsEveryMatchingFlow_WithAwsFieldNamesAndValues()
    {
        var ct = TestContext.Current.CancellationToken;
        var expected = data.In(FirstDay, End).Where(r => r.Protocol == 17).ToList();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/flows?{Query(FirstDay, End, ("q", "protocol = udp"))}");
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await data.Client().SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(ct)).TrimEnd('\n').Split('\n');

        Assert.Equal(string.Join(',', FlowFields.All.Select(f => f.Name).Concat(FlowsApi.ContextColumns.Select(c => c.Name))), lines[0]);
        Assert.Equal(expected.Count, lines.Length - 1); // no limit: every flow, not a page
        var rows = lines.Skip(1).ToHashSet();
        // This app knows nothing of the addresses: the context columns are empty (FlowContextTests fills them).
        var noContext = new string(',', FlowsApi.ContextColumns.Length);
        foreach (var record in expected)
        {
            Assert.Contains(string.Join(',', FlowFields.All.Select(f => record.Get(f.Field) is null ? "" : FlowLogText.Value(record, f.Field))) + noContext, rows);
        }
    }

    [Fact]
    public async Task NdjsonExport_HasOneFlowPerLine()
    {
        var ct = TestContext.Current.CancellationToken;
        var expected = data.In(FirstDay, End).Where(r => r.DstPort == 3389).Select(Identity).Order().ToList();
        var text = await data.Client().GetStringAsync($"/api/flows?{Query(FirstDay, End, ("q", "dstport = 3389"), ("format", "ndjson"))}", ct);
        var items = text.TrimEnd('\n').Split('\n').Select(l => System.Text.Json.JsonSerializer.Deserialize<FlowItem>(l, System.Text.Json.JsonSerializerOptions.Web)!);
        Assert.Equal(expected, items.Select(Identity).Order().ToList());
    }

    [Theory]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=10001", "limit")]
    [InlineData("format=xml", "format")]
    [InlineData("to=now-2h&from=now", "from")]
    [InlineData("q=srcaddr%20%3D%2010.0.0.0%2F33", "q")]
    public async Task BadParameters_Answer400_NamingTheParameter(string query, string parameter)
    {
        await ProblemAssert.IsBadParameterAsync(await data.Client().GetAsync($"/api/flows?{query}", TestContext.Current.CancellationToken), parameter);
    }
}
