using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Audit;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Searches;
using FlowLens.Api.Tests.Infrastructure;
using Npgsql;

namespace FlowLens.Api.Tests.Features.Searches;

public sealed class SearchesApiTests(PostgresFixture postgres)
{
    private const string APassword = "viewer A's long password", BPassword = "viewer B's long password";

    [Fact]
    public async Task AViewerSavesRenamesAndDeletes_TheirOwnSearches_AndEveryWriteIsAudited()
    {
        await using var app = await postgres.StartAppAsync();
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var ct = TestContext.Current.CancellationToken;

        var ssh = await CreateAsync(viewer, new
        {
            name = " SSH rejects ", filter = "action = REJECT and dstport in (22, 3389)", from = "now-7d", view = "explorer",
            viewState = new Dictionary<string, string> { ["cols"] = "start,srcaddr,dstport", ["by"] = "srcaddr" },
        });
        Assert.Equal(("SSH rejects", "now-7d", "now", "explorer", false, true, "test viewer"),
            (ssh.Name, ssh.From, ssh.To, ssh.View, ssh.Shared, ssh.Mine, ssh.CreatedBy));
        Assert.Equal("srcaddr", ssh.ViewState!["by"]);
        var all = await CreateAsync(viewer, new { name = "all traffic", view = "overview", shared = true });
        Assert.Equal(("", "now-24h", "now", (IReadOnlyDictionary<string, string>?)null, true), (all.Filter, all.From, all.To, all.ViewState, all.Shared));

        var listed = await viewer.GetFromJsonAsync<List<SearchesApi.SearchResponse>>("/api/searches", ct);
        Assert.Equal(["all traffic", "SSH rejects"], listed!.Select(s => s.Name)); // by name, regardless of case

        var renamed = await viewer.PutAsJsonAsync($"/api/searches/{ssh.Id}", new
        {
            name = "SSH and RDP rejects", filter = ssh.Filter, from = "2026-12-01T00:00:00Z", to = "2026-12-02T00:00:00Z", view = "rejections", shared = true,
        }, ct);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var got = await viewer.GetFromJsonAsync<SearchesApi.SearchResponse>($"/api/searches/{ssh.Id}", ct);
        Assert.Equal(("SSH and RDP rejects", "2026-12-01T00:00:00Z", "rejections", true, (IReadOnlyDictionary<string, string>?)null),
            (got!.Name, got.From, got.View, got.Shared, got.ViewState));

        // Names are unique per owner.
        await ProblemAssert.IsProblemAsync(await viewer.PostAsJsonAsync("/api/searches", new { name = "all traffic" }, ct), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await viewer.PutAsJsonAsync($"/api/searches/{ssh.Id}", new { name = "all traffic" }, ct), HttpStatusCode.Conflict);

        Assert.Equal(HttpStatusCode.NoContent, (await viewer.DeleteAsync($"/api/searches/{ssh.Id}", ct)).StatusCode);
        await ProblemAssert.IsProblemAsync(await viewer.GetAsync($"/api/searches/{ssh.Id}", ct), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await viewer.DeleteAsync($"/api/searches/{ssh.Id}", ct), HttpStatusCode.NotFound);

        var events = (await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<AuditApi.AuditPage>("/api/audit?limit=4", ct))!.Items;
        Assert.Equal([AuditActions.SearchDeleted, AuditActions.SearchUpdated, AuditActions.SearchCreated, AuditActions.SearchCreated], events.Select(e => e.Action));
        Assert.Equal($"search:SSH and RDP rejects (#{ssh.Id})", events[0].Target);
        Assert.Equal("view rejections, shared, 2026-12-01T00:00:00Z to 2026-12-02T00:00:00Z, filter action = REJECT and dstport in (22, 3389)", events[1].Detail);
        Assert.All(events, e => Assert.StartsWith("key:test viewer (#", e.Actor, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnotherPersonsPrivateSearch_Is404ToRead_Update_AndDelete_TheirSharedOne403ToChange()
    {
        await using var app = await postgres.StartAppAsync();
        var ct = TestContext.Current.CancellationToken;
        await People.CreateAsync(app, "a@example.org", Roles.Viewer, APassword);
        await People.CreateAsync(app, "b@example.org", Roles.Viewer, BPassword);
        var (a, _) = await People.SignedInAsync(app, "a@example.org", APassword);
        var (b, _) = await People.SignedInAsync(app, "b@example.org", BPassword);

        var secret = await CreateAsync(a, new { name = "my secret", filter = "dstport = 4444" });
        var shared = await CreateAsync(a, new { name = "team view", filter = "dstport = 443", shared = true });
        var replacement = new { name = "taken over", filter = "", shared = true };

        // B sees A's shared search, not the private one, not even that it exists.
        var seen = await b.GetFromJsonAsync<List<SearchesApi.SearchResponse>>("/api/searches", ct);
        var only = Assert.Single(seen!);
        Assert.Equal((shared.Id, "a@example.org", false), (only.Id, only.CreatedBy, only.Mine));
        var notFound = await ProblemAssert.IsProblemAsync(await b.GetAsync($"/api/searches/{secret.Id}", ct), HttpStatusCode.NotFound);
        Assert.Equal($"There is no saved search {secret.Id}.", notFound.GetProperty("detail").GetString());
        await ProblemAssert.IsProblemAsync(await b.PutAsJsonAsync($"/api/searches/{secret.Id}", replacement, ct), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await b.DeleteAsync($"/api/searches/{secret.Id}", ct), HttpStatusCode.NotFound);

        // The shared one is B's to read and open, not to change.
        Assert.Equal(HttpStatusCode.OK, (await b.GetAsync($"/api/searches/{shared.Id}", ct)).StatusCode);
        await ProblemAssert.IsProblemAsync(await b.PutAsJsonAsync($"/api/searches/{shared.Id}", replacement, ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await b.DeleteAsync($"/api/searches/{shared.Id}", ct), HttpStatusCode.Forbidden);

        // An API key is an owner of its own, even an admin's: it neither sees nor changes A's private search.
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync($"/api/searches/{secret.Id}", ct), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await admin.DeleteAsync($"/api/searches/{secret.Id}", ct), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await admin.PutAsJsonAsync($"/api/searches/{shared.Id}", replacement, ct), HttpStatusCode.Forbidden);

        // Nothing B or the admin tried changed A's searches.
        var mine = await a.GetFromJsonAsync<List<SearchesApi.SearchResponse>>("/api/searches", ct);
        Assert.Equal([("my secret", "dstport = 4444", false), ("team view", "dstport = 443", true)], mine!.Select(s => (s.Name, s.Filter, s.Shared)));
        Assert.All(mine!, s => Assert.True(s.Mine));

        // An admin may delete a shared search (a team's clutter), and it is audited with its owner.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/searches/{shared.Id}", ct)).StatusCode);
        var deleted = (await admin.GetFromJsonAsync<AuditApi.AuditPage>("/api/audit?limit=1", ct))!.Items.Single();
        Assert.Equal((AuditActions.SearchDeleted, "key:bootstrap (#1)"), (deleted.Action, deleted.Actor));
        Assert.EndsWith("created by a@example.org", deleted.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"filter": "dstport = 22"}""", "name", "1 to 100 characters")]
    [InlineData("""{"name": "   "}""", "name", "1 to 100 characters")]
    [InlineData("""{"name": "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN"}""", "name", "1 to 100 characters")]
    [InlineData("""{"name": "x", "filter": "dstport = 22 and"}""", "filter", "(at character 17)")]
    [InlineData("""{"name": "x", "filter": "nosuchfield = 1"}""", "filter", "nosuchfield")]
    [InlineData("""{"name": "x", "from": "yesterday"}""", "from", "is not an ISO 8601 time")]
    [InlineData("""{"name": "x", "from": "now", "to": "now-1h"}""", "from", "before to")]
    [InlineData("""{"name": "x", "to": "2026-12-01T00:00"}""", "to", "with an offset")]
    [InlineData("""{"name": "x", "view": "sources"}""", "view", "overview, rejections, explorer, traffic-paths")]
    [InlineData("""{"name": "x", "viewState": {"q": "dstport = 22"}}""", "viewState", "not from, to, q or at")]
    [InlineData("""{"name": "x", "viewState": {"Cols'; --": "a"}}""", "viewState", "is not a view-state name")]
    public async Task BadSearches_Get400_NamingTheField(string body, string field, string reason)
    {
        await using var app = await postgres.StartAppAsync();
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var response = await viewer.PostAsync("/api/searches", Json(body), TestContext.Current.CancellationToken);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from saved_searches"));
    }

    [Fact]
    public async Task OversizeInput_Is400_NotAStoredOrFailedRow()
    {
        await using var app = await postgres.StartAppAsync();
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var ct = TestContext.Current.CancellationToken;

        var longFilter = string.Join(" or ", Enumerable.Range(1, 400).Select(i => $"dstport = {i}"));
        var filter = await ProblemAssert.IsProblemAsync(await viewer.PostAsJsonAsync("/api/searches", new { name = "x", filter = longFilter }, ct), HttpStatusCode.BadRequest);
        Assert.Contains("longer than 2000", filter.GetProperty("errors").GetProperty("filter")[0].GetString());
        Assert.Equal(2001, filter.GetProperty("position").GetInt32());

        var manyEntries = Enumerable.Range(0, 21).ToDictionary(i => $"k{i}", i => "v");
        await ProblemAssert.IsBadParameterAsync(await viewer.PostAsJsonAsync("/api/searches", new { name = "x", viewState = manyEntries }, ct), "viewState");
        var bigValue = new Dictionary<string, string> { ["cols"] = new string('c', 5000) };
        await ProblemAssert.IsBadParameterAsync(await viewer.PostAsJsonAsync("/api/searches", new { name = "x", viewState = bigValue }, ct), "viewState");
        var longFrom = await ProblemAssert.IsProblemAsync(await viewer.PostAsJsonAsync("/api/searches", new { name = "x", from = new string('9', 10_000) }, ct), HttpStatusCode.BadRequest);
        Assert.True(longFrom.GetProperty("errors").GetProperty("from")[0].GetString()!.Length <= 200);

        // A view state that is not names to strings does not bind.
        await ProblemAssert.IsProblemAsync(await viewer.PostAsync("/api/searches", Json("""{"name": "x", "viewState": {"cols": {"deep": [1, 2]}}}"""), ct), HttpStatusCode.BadRequest);
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from saved_searches"));
    }

    [Fact]
    public async Task SqlInNamesAndFilters_IsStoredAsText_AndRunsNothing()
    {
        await using var app = await postgres.StartAppAsync();
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var ct = TestContext.Current.CancellationToken;

        const string name = "x'); drop table saved_searches; --";
        const string filter = "instance-name = 'x); delete from saved_searches; --'";
        var saved = await CreateAsync(viewer, new { name, filter, viewState = new Dictionary<string, string> { ["by"] = "'; drop table flows; --" } });
        Assert.Equal((name, filter), (saved.Name, saved.Filter));
        var again = await viewer.GetFromJsonAsync<SearchesApi.SearchResponse>($"/api/searches/{saved.Id}", ct);
        Assert.Equal((name, filter, "'; drop table flows; --"), (again!.Name, again.Filter, again.ViewState!["by"]));
        Assert.Equal(1L, await app.ScalarAsync<long>("select count(*) from saved_searches"));
    }

    [Fact]
    public async Task FindAsync_GivesOtherFeatures_TheFilterRangeAndView_WithoutAnOwnerCheck()
    {
        await using var app = await postgres.StartAppAsync();
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var ct = TestContext.Current.CancellationToken;
        var saved = await CreateAsync(viewer, new { name = "private", filter = "action = REJECT", from = "now-5m", view = "rejections", viewState = new Dictionary<string, string> { ["by"] = "srcaddr" } });

        await using var dataSource = NpgsqlDataSource.Create(app.ConnectionString);
        var found = await SavedSearches.FindAsync(dataSource, saved.Id, ct);
        Assert.Equal(("private", "action = REJECT", "now-5m", "now", "rejections", false), (found!.Name, found.Filter, found.From, found.To, found.View, found.Shared));
        Assert.Equal("srcaddr", found.ViewState!["by"]);
        Assert.StartsWith("key:", found.Owner, StringComparison.Ordinal);
        Assert.Null(await SavedSearches.FindAsync(dataSource, saved.Id + 1, ct));
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    private static async Task<SearchesApi.SearchResponse> CreateAsync(HttpClient client, object request)
    {
        var response = await client.PostAsJsonAsync("/api/searches", request, TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("/api/searches/", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        return (await response.Content.ReadFromJsonAsync<SearchesApi.SearchResponse>(TestContext.Current.CancellationToken))!;
    }
}
