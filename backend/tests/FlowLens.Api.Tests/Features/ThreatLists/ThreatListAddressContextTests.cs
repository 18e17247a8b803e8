using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.ThreatLists;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.ThreatLists;

/// <summary>The context of an address names the threat lists holding it, with the entry that does, and follows their changes.</summary>
public sealed class ThreatListAddressContextTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<List<ThreatListHit>> ListsOfAsync(HttpClient client, string address) =>
        (await client.GetFromJsonAsync<ContextApi.AddressDetail>($"/api/context/address/{Uri.EscapeDataString(address)}", Ct))!.ThreatLists;

    private static string Names(List<ThreatListHit> hits) => string.Join(", ", hits.Select(h => $"{h.Name} {h.Entry}"));

    [Fact]
    public async Task AnAddress_NamesEachEnabledListHoldingIt_WithTheMostSpecificEntry()
    {
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var drop = await ThreatListsApiTests.CreateAsync(admin, new { name = "spamhaus-drop" });
        var mine = await ThreatListsApiTests.CreateAsync(admin, new { name = "Incident-42" });
        var off = await ThreatListsApiTests.CreateAsync(admin, new { name = "disabled-list", enabled = false });
        Assert.Equal(HttpStatusCode.OK, (await ThreatListsApiTests.UploadAsync(admin, drop.Id, "203.0.113.0/24\n198.51.100.0/22\n2001:db8::/32\n")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ThreatListsApiTests.UploadAsync(admin, mine.Id, "203.0.113.0/25\n203.0.113.9\n")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ThreatListsApiTests.UploadAsync(admin, off.Id, "203.0.113.9\n")).StatusCode);

        Assert.Equal("Incident-42 203.0.113.9/32, spamhaus-drop 203.0.113.0/24", Names(await ListsOfAsync(viewer, "203.0.113.9")));
        Assert.Equal("spamhaus-drop 203.0.113.0/24", Names(await ListsOfAsync(viewer, "203.0.113.200")));
        Assert.Equal("spamhaus-drop 2001:db8::/32", Names(await ListsOfAsync(viewer, "2001:db8::7")));
        Assert.Equal("spamhaus-drop 198.51.100.0/22", Names(await ListsOfAsync(viewer, "::ffff:198.51.103.1")));
        Assert.Empty(await ListsOfAsync(viewer, "192.0.2.1"));

        // Many at once, in the order asked, as the dashboard asks for its labels.
        var many = (await viewer.GetFromJsonAsync<ContextApi.AddressList>("/api/context/addresses?addr=192.0.2.1&addr=203.0.113.9&addr=2001:db8::7", Ct))!;
        Assert.Equal(["", "Incident-42 203.0.113.9/32, spamhaus-drop 203.0.113.0/24", "spamhaus-drop 2001:db8::/32"], many.Items.Select(i => Names(i.ThreatLists)));

        // A new upload, a disabled list and a deleted one are followed at once.
        Assert.Equal(HttpStatusCode.OK, (await ThreatListsApiTests.UploadAsync(admin, mine.Id, "203.0.113.10\n")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/threat-lists/{off.Id}", new { name = "disabled-list", enabled = true }, Ct)).StatusCode);
        Assert.Equal("disabled-list 203.0.113.9/32, spamhaus-drop 203.0.113.0/24", Names(await ListsOfAsync(viewer, "203.0.113.9")));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/threat-lists/{drop.Id}", Ct)).StatusCode);
        Assert.Equal("disabled-list 203.0.113.9/32", Names(await ListsOfAsync(viewer, "203.0.113.9")));
    }

    [Fact]
    public async Task WithoutAKey_TheListsOfAnAddressAreNotShown()
    {
        await using var app = await postgres.StartAppAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient(null).GetAsync("/api/context/address/203.0.113.9", Ct)).StatusCode);
    }
}
