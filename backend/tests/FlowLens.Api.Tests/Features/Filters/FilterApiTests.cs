using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Filters;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Filters;

public sealed class FilterApiTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Fields_ListEveryFilterField_WithTypesOperatorsAndExamples()
    {
        await using var app = await postgres.StartAppAsync();
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var fields = await viewer.GetFromJsonAsync<List<FilterApi.FieldInfo>>("/api/filter/fields", TestContext.Current.CancellationToken);

        var byName = fields!.ToDictionary(f => f.Name);
        Assert.Equal("address", byName["srcaddr"].Type);
        Assert.Equal(["ACCEPT", "REJECT"], byName["action"].Examples);
        Assert.Contains("<=", byName["dstport"].Operators);
        Assert.DoesNotContain("<", byName["interface-id"].Operators);
        Assert.Contains("addr", byName.Keys);
        Assert.Contains("ecs-task-id", byName.Keys);
        Assert.Contains("traffic-path", byName.Keys);
    }

    [Fact]
    public async Task Fields_LabelCodedValues_FromTheCoreLookups()
    {
        await using var app = await postgres.StartAppAsync();
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var fields = await viewer.GetFromJsonAsync<List<FilterApi.FieldInfo>>("/api/filter/fields", TestContext.Current.CancellationToken);
        var labels = fields!.ToDictionary(f => f.Name, f => f.Labels.ToDictionary(l => l.Value));

        Assert.Equal("TCP", labels["protocol"]["6"].Label);
        Assert.Equal("IPv6-ICMP", labels["protocol"]["58"].Label);
        Assert.Equal(146, labels["protocol"].Count);
        Assert.Equal(new FilterApi.ValueLabel("1", "Same VPC", "another resource in the same VPC"), labels["traffic-path"]["1"]);
        Assert.Equal(Enumerable.Range(1, 8).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)), labels["traffic-path"].Keys);
        Assert.Equal("SYN", labels["tcp-flags"]["2"].Label);
        Assert.Equal(["1", "2", "4", "8", "16", "32", "64", "128"], labels["tcp-flags"].Keys.OrderBy(int.Parse));
        Assert.Empty(labels["action"]);
    }

    [Fact]
    public async Task Check_Answers200ForAValidFilter_And400WithThePositionForABadOne()
    {
        await using var app = await postgres.StartAppAsync();
        var client = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;

        var ok = await client.GetFromJsonAsync<FilterApi.FilterCheck>("/api/filter/check?q=" + Uri.EscapeDataString("action = REJECT and dstport = 22"), ct);
        Assert.True(ok!.Valid);

        var bad = await client.GetAsync("/api/filter/check?q=" + Uri.EscapeDataString("srcaddr = 10.0.0.0/33"), ct);
        var problem = await ProblemAssert.IsProblemAsync(bad, HttpStatusCode.BadRequest);
        Assert.Equal(11, problem.GetProperty("position").GetInt32());
        Assert.Equal("'10.0.0.0/33' is not an IP address or CIDR block (at character 11)", problem.GetProperty("errors").GetProperty("q")[0].GetString());

        await ProblemAssert.IsProblemAsync(await app.CreateClient(apiKey: null).GetAsync("/api/filter/fields", ct), HttpStatusCode.Unauthorized);
    }
}
