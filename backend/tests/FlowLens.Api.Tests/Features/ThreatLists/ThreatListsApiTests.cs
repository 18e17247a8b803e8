using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlowLens.Api.Features.Audit;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.ThreatLists;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Features.ThreatLists;

public sealed class ThreatListsApiTests(PostgresFixture postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The trimmed copy of Spamhaus DROP (its README says where from).</summary>
    private static string SpamhausDrop => File.ReadAllText(Repository.PathOf("backend/tests/FlowLens.Core.Tests/testdata/threat-lists/spamhaus-drop.txt"));

    internal static async Task<ThreatListResponse> CreateAsync(HttpClient admin, object request)
    {
        var response = await admin.PostAsJsonAsync("/api/threat-lists", request, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ThreatListResponse>(Ct))!;
    }

    internal static Task<HttpResponseMessage> UploadAsync(HttpClient client, long id, string text) =>
        client.PostAsync($"/api/threat-lists/{id}/entries", new StringContent(text, Encoding.UTF8, "text/plain"), Ct);

    [Fact]
    public async Task AnUploadedList_HasItsCounts_AndViewersReadIt_AndEveryWriteIsAudited()
    {
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var created = await CreateAsync(admin, new { name = "spamhaus-drop", description = "Spamhaus DROP" });
        Assert.Equal(("upload", 0, (DateTimeOffset?)null, true), (created.Origin, created.EntryCount, created.LastRefreshAt, created.Enabled));

        var upload = await UploadAsync(admin, created.Id, SpamhausDrop + "2001:db8::/32\nbogus line here ; comment\n10.0.0.1/8\n");
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        var list = (await upload.Content.ReadFromJsonAsync<ThreatListResponse>(Ct))!;
        Assert.Equal((7, 6, 1, 1), (list.EntryCount, list.Ipv4Count, list.Ipv6Count, list.RejectedLines));
        Assert.Equal("line 11: bogus line here ; comment ('bogus line here' is not an IP address or CIDR block.)", Assert.Single(list.RejectedSamples));
        Assert.NotNull(list.LastRefreshAt);
        Assert.Null(list.LastError);
        Assert.Equal(7L, await app.ScalarAsync<long>("select count(*) from threat_list_entries"));

        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        Assert.Equivalent(new[] { list }, await viewer.GetFromJsonAsync<List<ThreatListResponse>>("/api/threat-lists", Ct), strict: true);
        Assert.Equivalent(list, await viewer.GetFromJsonAsync<ThreatListResponse>($"/api/threat-lists/{list.Id}", Ct), strict: true);

        var renamed = await admin.PutAsJsonAsync($"/api/threat-lists/{list.Id}", new { name = "drop", description = "renamed", enabled = false }, Ct);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(("drop", false, 7), await renamed.Content.ReadFromJsonAsync<ThreatListResponse>(Ct) is { } r ? (r.Name, r.Enabled, r.EntryCount) : default);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/threat-lists/{list.Id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"/api/threat-lists/{list.Id}", Ct)).StatusCode);
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from threat_list_entries"));

        var audit = (await admin.GetFromJsonAsync<AuditApi.AuditPage>("/api/audit?limit=100", Ct))!.Items
            .Where(e => e.Action.StartsWith("threat-list.", StringComparison.Ordinal)).Select(e => (e.Action, e.Target)).Reverse().ToList();
        Assert.Equal([
            (AuditActions.ThreatListCreated, $"threat-list:spamhaus-drop (#{list.Id})"),
            (AuditActions.ThreatListUploaded, $"threat-list:spamhaus-drop (#{list.Id})"),
            (AuditActions.ThreatListUpdated, $"threat-list:drop (#{list.Id})"),
            (AuditActions.ThreatListDeleted, $"threat-list:drop (#{list.Id})")], audit);
    }

    [Fact]
    public async Task BadRequests_Get400Or409_AndATooLargeUpload_KeepsTheEntries()
    {
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:ThreatLists:MaxEntries", "3"));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/threat-lists", new { name = "has space" }, Ct), "name");
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/threat-lists", new { name = new string('a', 65) }, Ct), "name");
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/threat-lists", new { name = "x", schedule = "daily" }, Ct), "schedule");
        var list = await CreateAsync(admin, new { name = "small" });
        await ProblemAssert.IsProblemAsync(await admin.PostAsJsonAsync("/api/threat-lists", new { name = "small" }, Ct), HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(admin, list.Id, "192.0.2.1\n192.0.2.2\n")).StatusCode);

        var tooMany = await UploadAsync(admin, list.Id, "198.51.100.1\n198.51.100.2\n198.51.100.3\n198.51.100.4\n");

        var problem = await ProblemAssert.IsProblemAsync(tooMany, HttpStatusCode.BadRequest);
        Assert.Equal("The list holds more than 3 entries.", problem.GetProperty("errors").GetProperty("body")[0].GetString());
        var kept = (await admin.GetFromJsonAsync<ThreatListResponse>($"/api/threat-lists/{list.Id}", Ct))!;
        Assert.Equal((2, "The list holds more than 3 entries."), (kept.EntryCount, kept.LastError));
        await ProblemAssert.IsProblemAsync(await UploadAsync(admin, 999, "192.0.2.1"), HttpStatusCode.NotFound);
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsync($"/api/threat-lists/{list.Id}/refresh", null, Ct), "url");
    }

    [Fact]
    public async Task AViewer_Gets403_OnEveryWrite_AndNothingChanges()
    {
        await using var app = await postgres.StartAppAsync();
        var list = await CreateAsync(app.CreateClient(FlowLensApp.AdminKey), new { name = "kept" });
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));

        await ProblemAssert.IsProblemAsync(await viewer.PostAsJsonAsync("/api/threat-lists", new { name = "mine" }, Ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await viewer.PutAsJsonAsync($"/api/threat-lists/{list.Id}", new { name = "taken" }, Ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await UploadAsync(viewer, list.Id, "0.0.0.0/0"), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await viewer.PostAsync($"/api/threat-lists/{list.Id}/refresh", null, Ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await viewer.DeleteAsync($"/api/threat-lists/{list.Id}", Ct), HttpStatusCode.Forbidden);

        Assert.Equal(("kept", 0L), (await app.ScalarAsync<string>("select string_agg(name, ',') from threat_lists"), await app.ScalarAsync<long>("select count(*) from threat_list_entries")));
    }

    [Theory]
    [InlineData("https://127.0.0.1/drop.txt", "127.0.0.1 is not a public address")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is not a public address")]
    [InlineData("https://[::1]/drop.txt", "::1 is not a public address")]
    [InlineData("https://10.1.2.3/drop.txt", "10.1.2.3 is not a public address")]
    [InlineData("http://lists.example.com/drop.txt", "must be https")]
    [InlineData("https://user:secret@lists.example.com/drop.txt", "without user information")]
    [InlineData("file:///etc/passwd", "absolute https URL")]
    public async Task AUrlToAnInsideAddress_IsRefused_WithItsReason(string url, string reason)
    {
        await using var app = await postgres.StartAppAsync();
        var response = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/threat-lists", new { name = "inside", url }, Ct);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty("url")[0].GetString());
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from threat_lists"));
    }

    [Fact]
    public async Task AHostNameResolvingInside_IsRefusedWhenFetched_AndTheErrorIsRecorded()
    {
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var list = await CreateAsync(admin, new { name = "sneaky", url = "https://localhost/drop.txt" });
        Assert.Equal(HttpStatusCode.OK, (await UploadAsync(admin, list.Id, "192.0.2.1\n")).StatusCode);

        var refreshed = await (await admin.PostAsync($"/api/threat-lists/{list.Id}/refresh", null, Ct)).Content.ReadFromJsonAsync<ThreatListResponse>(Ct);

        Assert.Matches("^Refused: localhost resolves to (127.0.0.1|::1), which is not a public address", refreshed!.LastError);
        Assert.Equal(1, refreshed.EntryCount); // the last good entries stay
    }

    [Fact]
    public async Task ARedirect_IsNotFollowed_EvenFromAnAllowedHost()
    {
        var requests = new List<string>();
        await using var stub = await HttpStub.StartAsync((context, _) =>
        {
            lock (requests)
            {
                requests.Add(context.Request.Path);
            }
            context.Response.Redirect("http://169.254.169.254/latest/meta-data/");
            return Task.CompletedTask;
        });
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:ThreatLists:AllowedHosts:0", "127.0.0.1"));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var list = await CreateAsync(admin, new { name = "redirecting", url = stub.Url + "list.txt" });

        var refreshed = await (await admin.PostAsync($"/api/threat-lists/{list.Id}/refresh", null, Ct)).Content.ReadFromJsonAsync<ThreatListResponse>(Ct);

        Assert.Equal("The URL answered 302 Found: redirects are not followed; set the URL it points to.", refreshed!.LastError);
        Assert.Equal(["/list.txt"], requests);
    }

    [Fact]
    public async Task AListWithAUrl_IsFetchedByItsDailyJob_AndAFailedFetchKeepsTheLastGoodEntries()
    {
        var fail = false;
        await using var stub = await HttpStub.StartAsync(async (context, _) =>
        {
            if (Volatile.Read(ref fail))
            {
                context.Response.StatusCode = 503;
                return;
            }
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("# firehol style\n203.0.113.0/24\n2001:db8:bad::/48\n");
        });
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:ThreatLists:AllowedHosts:0", $"127.0.0.1:{stub.Port}"));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var list = await CreateAsync(admin, new { name = "fetched", url = stub.Url + "level1.netset" });
        Assert.Equal("url", list.Origin);
        Assert.Equal(1L, await app.ScalarAsync<long>($"select count(*) from hangfire.hash where key = 'recurring-job:threat-list-{list.Id}' and field = 'Cron' and value = '41 3 * * *'"));

        await app.RunJobAsync<ThreatListRefreshJob>(job => job.RunAsync(list.Id, CancellationToken.None));
        var fetched = (await admin.GetFromJsonAsync<ThreatListResponse>($"/api/threat-lists/{list.Id}", Ct))!;
        Assert.Equal((2, 1, 1, (string?)null), (fetched.EntryCount, fetched.Ipv4Count, fetched.Ipv6Count, fetched.LastError));

        Volatile.Write(ref fail, true);
        var failed = (await (await admin.PostAsync($"/api/threat-lists/{list.Id}/refresh", null, Ct)).Content.ReadFromJsonAsync<ThreatListResponse>(Ct))!;
        Assert.Equal(("The URL answered 503 Service Unavailable.", 2, fetched.LastRefreshAt), (failed.LastError, failed.EntryCount, failed.LastRefreshAt));
        Assert.True(failed.LastAttemptAt > fetched.LastAttemptAt);
        var ranges = await app.Services.GetRequiredService<ThreatListStore>().RangesAsync(["FETCHED", "no-such-list"], Ct);
        Assert.Equal(["203.0.113.0-203.0.113.255", "2001:db8:bad::-2001:db8:bad:ffff:ffff:ffff:ffff:ffff"], ranges.Select(r => $"{r.FirstAddress}-{r.LastAddress}"));

        var port = stub.Port; // another port of the allowed host is not allowed
        var other = await admin.PutAsJsonAsync($"/api/threat-lists/{list.Id}", new { name = "fetched", url = $"http://127.0.0.1:{port + 1}/x" }, Ct);
        await ProblemAssert.IsBadParameterAsync(other, "url");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/threat-lists/{list.Id}", Ct)).StatusCode);
        Assert.Equal(0L, await app.ScalarAsync<long>($"select count(*) from hangfire.hash where key = 'recurring-job:threat-list-{list.Id}'"));
    }
}
