using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Filters;
using FlowLens.Api.Features.Flows;
using FlowLens.Api.Tests.Features.Filters;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.ThreatLists;

/// <summary>
/// A threat list that changes under the filter language: every answer checked row by row against PostgreSQL's own
/// cidr containment, after each upload, disable and delete (the ranges cached per list must follow).
/// </summary>
public sealed class ThreatListFilterTests(ContextFilterData data) : IClassFixture<ContextFilterData>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AListThatChanges_IsFollowedByTheNextQuery_RowByRow()
    {
        var admin = data.App.CreateClient(FlowLensApp.AdminKey);
        var list = await ThreatListsApiTests.CreateAsync(admin, new { name = "changing" });
        string[] filters = ["dst-threat-list = changing", "threat-list = chang*", "src-threat-list != changing", "threat-list not in (changing, bad-actors)"];

        async Task CheckAsync(string first)
        {
            foreach (var filter in filters)
            {
                var (found, oracle) = (await SearchAsync(filter), await OracleAsync(filter));
                Assert.Equal(oracle, found);
            }
            Assert.Equal(first, await SearchAsync(filters[0]));
        }

        await CheckAsync("");
        Assert.Equal(HttpStatusCode.OK, (await ThreatListsApiTests.UploadAsync(admin, list.Id, "8.8.8.8\n")).StatusCode);
        await CheckAsync("6,7");
        Assert.Equal(HttpStatusCode.OK, (await ThreatListsApiTests.UploadAsync(admin, list.Id, "10.0.1.0/24\n2001:db8::5\n")).StatusCode);
        await CheckAsync("2,5,8,9");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/threat-lists/{list.Id}", new { name = "changing", enabled = false }, Ct)).StatusCode);
        await CheckAsync("");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/threat-lists/{list.Id}", new { name = "changing", enabled = true }, Ct)).StatusCode);
        await CheckAsync("2,5,8,9");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/threat-lists/{list.Id}", Ct)).StatusCode);
        await CheckAsync("");
    }

    [Fact]
    public async Task FieldsAndCompletion_OfferTheThreatLists()
    {
        var viewer = data.App.CreateClient(await data.App.CreateApiKeyAsync(FlowLens.Api.Features.Auth.Roles.Viewer));

        var fields = (await viewer.GetFromJsonAsync<List<FilterApi.FieldInfo>>("/api/filter/fields", Ct))!;
        Assert.Equal(["src-threat-list", "dst-threat-list", "threat-list"], fields.Where(f => f.Name.EndsWith("threat-list", StringComparison.Ordinal)).Select(f => f.Name));
        Assert.All(fields.Where(f => f.Name.EndsWith("threat-list", StringComparison.Ordinal)), f => Assert.Equal(["=", "!=", "in", "not in"], f.Operators));

        var values = await viewer.GetFromJsonAsync<FilterApi.FilterValues>("/api/filter/values?field=src-threat-list&prefix=CL", Ct);
        Assert.Equal(["cloud-disabled", "cloud-scanners"], values!.Values);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/filter/check?q=threat-list%20in%20(a,%20b*)", Ct)).StatusCode);
    }

    private static string Query(string filter) =>
        QueryData.Query(ContextFilterData.Base, ContextFilterData.Base.AddHours(1), ("q", filter), ("limit", "100"));

    private async Task<string> SearchAsync(string filter)
    {
        var response = await data.App.CreateClient(FlowLensApp.AdminKey).GetAsync($"/api/flows?{Query(filter)}", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadFromJsonAsync<FlowsApi.FlowPage>(Ct);
        return string.Join(',', page!.Items.Select(i => (int)Math.Round((i.Start!.Value - ContextFilterData.Base).TotalMinutes)).Order());
    }

    /// <summary>Each flow judged by the names of the lists holding its addresses (cidr containment in SQL), as the filter says.</summary>
    private async Task<string> OracleAsync(string filter)
    {
        var (root, error) = FlowLens.Core.Filters.FilterParser.Parse(filter);
        Assert.Null(error);
        var comparison = Assert.IsType<FlowLens.Core.Filters.ComparisonNode>(root);
        var page = await data.App.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<FlowsApi.FlowPage>($"/api/flows?{Query("")}", Ct);
        var selected = new List<int>();
        foreach (var flow in page!.Items)
        {
            var addresses = comparison.Field.Columns.Select(c => c == "srcaddr" ? flow.SrcAddr : flow.DstAddr).ToList();
            if (addresses.Any(a => a is null))
            {
                continue;
            }
            var names = await ContextFilterTests.ThreatListNamesAsync(data.App, addresses!);
            var any = names.Any(n => comparison.Values.Any(v => FlowLens.Core.Filters.Glob.Matches(v.Text!, n)));
            if (any != comparison.Operator is FlowLens.Core.Filters.FilterOperator.NotEqual or FlowLens.Core.Filters.FilterOperator.NotIn)
            {
                selected.Add((int)Math.Round((flow.Start!.Value - ContextFilterData.Base).TotalMinutes));
            }
        }
        return string.Join(',', selected.Order());
    }
}
