using System.Net.Http.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Context;

/// <summary>
/// The context of addresses at a time, one or many at once, over the inventory of <see cref="InventoryDay"/>: 10.0.1.10
/// is web-1's until the 12:00 read, worker-2's after.
/// </summary>
public sealed class AddressesApiTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private Ec2Server _ec2 = null!;

    public async ValueTask InitializeAsync() => _ec2 = await Ec2Server.StartAsync();

    public async ValueTask DisposeAsync() => await _ec2.DisposeAsync();

    private async Task<(FlowLensApp App, HttpClient Viewer)> StartAsync()
    {
        var app = await postgres.StartAppAsync();
        await new InventoryDay(_ec2, Day).MorningAndAfternoonAsync(app);
        (await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/networks", new { cidr = "10.0.0.0/16", name = "prod" }, TestContext.Current.CancellationToken))
            .EnsureSuccessStatusCode();
        return (app, app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer)));
    }

    private static string At(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O"));

    // The answers read as what flows carry (AddressInfo): their threat lists are ThreatListAddressContextTests' concern.
    private sealed record InfoList(List<AddressInfo> Items);

    private static async Task<List<AddressInfo>> AddressesAsync(HttpClient client, string query) =>
        (await client.GetFromJsonAsync<InfoList>($"/api/context/addresses?{query}", TestContext.Current.CancellationToken))!.Items;

    [Fact]
    public async Task Addresses_AreDescribedInTheOrderAsked_AsTheyWereAtTheTimeAsked()
    {
        var (app, viewer) = await StartAsync();
        await using var _ = app;

        var nine = await AddressesAsync(viewer, $"addr=52.218.10.27&addr=10.0.1.10&addr=::ffff:10.0.1.30&addr=10.0.1.10&addr=10.0.1.5&at={At(Day.AddHours(9))}");
        Assert.Equal(["52.218.10.27", "10.0.1.10", "10.0.1.30", "10.0.1.10", "10.0.1.5"], nine.Select(a => a.Address));
        Assert.Equal([null, "web-1", "web-1", "web-1", "egress"], nine.Select(a => a.Resource?.ResourceName));
        Assert.Equal([null, "prod", "prod", "prod", "prod"], nine.Select(a => a.Network?.Name));
        Assert.Equivalent(nine[1], nine[3], strict: true);

        var three = await AddressesAsync(viewer, $"addr=10.0.1.10&addr=10.0.1.30&at={At(Day.AddHours(15))}");
        Assert.Equal([("eni-0b", "worker-2"), ("eni-0c", "worker-2")], three.Select(a => (a.Resource?.InterfaceId, a.Resource?.ResourceName)));
        // Without at: now, when the afternoon's inventory is still current.
        Assert.Equal("worker-2", (await AddressesAsync(viewer, "addr=10.0.1.10")).Single().Resource?.ResourceName);
        Assert.Equal("worker-2", (await AddressesAsync(viewer, "addr=10.0.1.10&at=now-1h")).Single().Resource?.ResourceName);
        // Before the account was first seen there is nothing to say of the address but its network.
        var early = (await AddressesAsync(viewer, $"addr=10.0.1.11&at={At(Day.AddHours(9))}")).Single();
        Assert.Equal(new AddressInfo("10.0.1.11", early.Network, null, null, null, null, null), early);
    }

    [Fact]
    public async Task OneAddress_IsDescribedAtTheTimeAsked_NowByDefault()
    {
        var (app, viewer) = await StartAsync();
        await using var _ = app;
        var ct = TestContext.Current.CancellationToken;

        var nine = await viewer.GetFromJsonAsync<AddressInfo>($"/api/context/address/10.0.1.10?at={At(Day.AddHours(9))}", ct);
        Assert.Equal(("prod", "eni-0a", "i-0a", "web-1", "sg-web"), (nine!.Network?.Name, nine.Resource?.InterfaceId, nine.Resource?.InstanceId, nine.Resource?.ResourceName, nine.Resource?.SecurityGroups.Single().Id));
        Assert.Equal("worker-2", (await viewer.GetFromJsonAsync<AddressInfo>("/api/context/address/10.0.1.10", ct))!.Resource?.ResourceName);
        Assert.Equal("public", (await viewer.GetFromJsonAsync<AddressInfo>($"/api/context/address/203.0.113.10?at={At(Day.AddHours(9))}", ct))!.Resource?.AddressKind);
    }

    [Theory]
    [InlineData("", "addr")]
    [InlineData("addr=10.0.0.1&addr=prod", "addr")]
    [InlineData("addr=10.0.0.1&addr=10.0.0.0/8", "addr")]
    [InlineData("addr=10.0.0.1&at=yesterday", "at")]
    [InlineData("addr=10.0.0.1&at=2026-12-01T09:00:00", "at")]
    public async Task BadRequests_Get400_NamingTheParameter(string query, string parameter)
    {
        await using var app = await postgres.StartAppAsync();
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        await ProblemAssert.IsBadParameterAsync(await viewer.GetAsync($"/api/context/addresses?{query}", TestContext.Current.CancellationToken), parameter);
    }

    [Fact]
    public async Task BadRequests_NameTheAddressAtFault_AndAThousandIsTheMost()
    {
        await using var app = await postgres.StartAppAsync();
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var ct = TestContext.Current.CancellationToken;

        var problem = await ProblemAssert.IsProblemAsync(await viewer.GetAsync("/api/context/addresses?addr=10.0.0.1&addr=10.0.0.300", ct), System.Net.HttpStatusCode.BadRequest);
        Assert.Contains("'10.0.0.300'", problem.GetProperty("errors").GetProperty("addr")[0].GetString());
        var thousand = string.Join('&', Enumerable.Range(0, ContextApi.MaxAddresses).Select(i => $"addr=10.{i / 256}.{i % 256}.1"));
        Assert.Equal(ContextApi.MaxAddresses, (await AddressesAsync(viewer, thousand)).Count);
        await ProblemAssert.IsBadParameterAsync(await viewer.GetAsync($"/api/context/addresses?{thousand}&addr=10.9.9.9", ct), "addr");
        await ProblemAssert.IsBadParameterAsync(await viewer.GetAsync("/api/context/address/10.0.0.1?at=yesterday", ct), "at");
    }
}
