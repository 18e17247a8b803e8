using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Audit;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Context;

public sealed class NetworksApiTests(PostgresFixture postgres)
{
    [Fact]
    public async Task AdminNamesNetworks_TheMostSpecificNamesAnAddress_AndEveryChangeIsAudited()
    {
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;

        var prod = await CreateAsync(admin, new { cidr = "10.0.0.0/16", name = "prod", role = "workloads", tenant = "platform" });
        var db = await CreateAsync(admin, new { cidr = "10.0.3.0/24", name = "prod-db", role = "database" });
        var v6 = await CreateAsync(admin, new { cidr = "2001:DB8:1::/48", name = "office VPN", tenant = " " });
        Assert.Equal(("10.0.0.0/16", "prod", "workloads", "platform"), (prod.Cidr, prod.Name, prod.Role, prod.Tenant));
        Assert.Equal(("2001:db8:1::/48", (string?)null), (v6.Cidr, v6.Tenant)); // written as PostgreSQL writes it; blank is none

        Assert.Equal("prod-db", (await AddressAsync(admin, "10.0.3.7")).Network?.Name);
        Assert.Equal(new NetworkMatch(prod.Id, "10.0.0.0/16", "prod", "workloads", "platform"), (await AddressAsync(admin, "10.0.200.1")).Network);
        Assert.Equal("office VPN", (await AddressAsync(admin, "2001:db8:1::5")).Network?.Name);
        Assert.Null((await AddressAsync(admin, "10.1.0.1")).Network);

        // A viewer reads them, sorted by address, IPv4 first.
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var listed = await viewer.GetFromJsonAsync<List<NetworksApi.NetworkResponse>>("/api/networks", ct);
        Assert.Equal(["10.0.0.0/16", "10.0.3.0/24", "2001:db8:1::/48"], listed!.Select(n => n.Cidr));

        // Moving prod-db: the old block falls back to prod at once.
        var moved = await admin.PutAsJsonAsync($"/api/networks/{db.Id}", new { cidr = "10.0.4.0/24", name = "prod-db", role = "database" }, ct);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.True((await moved.Content.ReadFromJsonAsync<NetworksApi.NetworkResponse>(ct))!.UpdatedAt >= db.UpdatedAt);
        Assert.Equal("prod", (await AddressAsync(admin, "10.0.3.7")).Network?.Name);
        Assert.Equal("prod-db", (await AddressAsync(admin, "10.0.4.7")).Network?.Name);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/networks/{prod.Id}", ct)).StatusCode);
        Assert.Null((await AddressAsync(admin, "10.0.200.1")).Network);
        await ProblemAssert.IsProblemAsync(await admin.DeleteAsync($"/api/networks/{prod.Id}", ct), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await admin.PutAsJsonAsync($"/api/networks/{prod.Id}", new { cidr = "10.9.0.0/16", name = "gone" }, ct), HttpStatusCode.NotFound);

        var events = (await admin.GetFromJsonAsync<AuditApi.AuditPage>("/api/audit?limit=4", ct))!.Items;
        Assert.Equal([AuditActions.NetworkDeleted, AuditActions.NetworkUpdated, AuditActions.NetworkCreated, AuditActions.NetworkCreated], events.Select(e => e.Action));
        Assert.Equal($"network:10.0.0.0/16 (#{prod.Id})", events[0].Target);
        Assert.Equal("name prod-db, role database, tenant -", events[1].Detail);
        Assert.All(events, e => Assert.Equal("key:bootstrap (#1)", e.Actor));
    }

    [Theory]
    [InlineData("""{"cidr": "10.0.0.1/16", "name": "prod"}""", "cidr", "host bits set; the network is 10.0.0.0/16")]
    [InlineData("""{"cidr": "10.0.0.0/33", "name": "prod"}""", "cidr", "prefix length of 0 to 32")]
    [InlineData("""{"cidr": "prod", "name": "prod"}""", "cidr", "is not an IP address")]
    [InlineData("""{"name": "prod"}""", "cidr", "is required")]
    [InlineData("""{"cidr": "10.0.0.0/16"}""", "name", "1 to 100 characters")]
    [InlineData("""{"cidr": "10.0.0.0/16", "name": "prod", "role": "RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR"}""", "role", "at most 100")]
    public async Task BadNetworks_Get400_NamingTheField(string body, string field, string reason)
    {
        await using var app = await postgres.StartAppAsync();
        var response = await app.CreateClient(FlowLensApp.AdminKey).PostAsync("/api/networks",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task ADuplicateBlock_Gets409_OnCreateAndOnUpdate()
    {
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        await CreateAsync(admin, new { cidr = "10.0.0.0/16", name = "prod" });
        var other = await CreateAsync(admin, new { cidr = "10.1.0.0/16", name = "staging" });

        var again = await ProblemAssert.IsProblemAsync(await admin.PostAsJsonAsync("/api/networks", new { cidr = "10.0.0.0/16", name = "prod again" }, ct), HttpStatusCode.Conflict);
        Assert.Contains("10.0.0.0/16", again.GetProperty("detail").GetString());
        await ProblemAssert.IsProblemAsync(await admin.PutAsJsonAsync($"/api/networks/{other.Id}", new { cidr = "10.0.0.0/16", name = "staging" }, ct), HttpStatusCode.Conflict);
        // The same block in IPv4 and IPv4-looking IPv6 are different networks; an address alone is its /32.
        await CreateAsync(admin, new { cidr = "10.0.0.5", name = "one host" });
        Assert.Equal("one host", (await AddressAsync(admin, "10.0.0.5")).Network?.Name);
    }

    [Fact]
    public async Task AViewer_Gets403_OnEveryWrite_AndChangesNothing()
    {
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        var prod = await CreateAsync(admin, new { cidr = "10.0.0.0/16", name = "prod" });
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));

        await ProblemAssert.IsProblemAsync(await viewer.PostAsJsonAsync("/api/networks", new { cidr = "10.9.0.0/16", name = "mine" }, ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await viewer.PutAsJsonAsync($"/api/networks/{prod.Id}", new { cidr = "0.0.0.0/0", name = "everything" }, ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await viewer.DeleteAsync($"/api/networks/{prod.Id}", ct), HttpStatusCode.Forbidden);

        var listed = await viewer.GetFromJsonAsync<List<NetworksApi.NetworkResponse>>("/api/networks", ct);
        Assert.Equal([("10.0.0.0/16", "prod")], listed!.Select(n => (n.Cidr, n.Name)));
    }

    [Fact]
    public async Task AnotherNode_SeesAChange_AtItsNextReload()
    {
        await using var first = await postgres.StartAppAsync();
        await using var second = new FlowLensApp(first.ConnectionString, b => b.UseSetting("FlowLens:Enrichment:ReloadInterval", "00:00:01"));
        var ct = TestContext.Current.CancellationToken;
        var other = second.CreateClient(FlowLensApp.AdminKey);
        Assert.Null((await AddressAsync(other, "10.0.3.7")).Network); // loaded, empty

        await CreateAsync(first.CreateClient(FlowLensApp.AdminKey), new { cidr = "10.0.0.0/16", name = "prod" });

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await AddressAsync(other, "10.0.3.7")).Network is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, ct);
        }
        Assert.Equal("prod", (await AddressAsync(other, "10.0.3.7")).Network?.Name);
    }

    private static async Task<NetworksApi.NetworkResponse> CreateAsync(HttpClient admin, object network)
    {
        var response = await admin.PostAsJsonAsync("/api/networks", network, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<NetworksApi.NetworkResponse>(TestContext.Current.CancellationToken))!;
    }

    internal static async Task<AddressInfo> AddressAsync(HttpClient client, string address) =>
        (await client.GetFromJsonAsync<AddressInfo>($"/api/context/address/{Uri.EscapeDataString(address)}", TestContext.Current.CancellationToken))!;
}
