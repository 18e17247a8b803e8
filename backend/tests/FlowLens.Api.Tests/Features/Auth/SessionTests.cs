using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Features.Audit;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Auth;

/// <summary>
/// Sessions that really end: each test is the attack of issue 19 against two nodes on one database, the person's
/// browser on one and a copy of its cookie on the other.
/// </summary>
public sealed class SessionTests(PostgresFixture postgres)
{
    private const string Lead = "lead@example.org";
    private const string LeadPassword = "the lead's own password";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task AssertSignedOutAsync(HttpClient client) =>
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/me", Ct), HttpStatusCode.Unauthorized);

    [Theory]
    [InlineData("demote")]
    [InlineData("reset the password of")]
    [InlineData("delete")]
    public async Task ToDemoteResetOrDeleteAnAdmin_EndsTheirSessions_OnEveryNode(string action)
    {
        await using var a = await postgres.StartAppAsync(People.WithBootstrapAdmin);
        await using var b = new FlowLensApp(a.ConnectionString, People.WithBootstrapAdmin);
        var id = await People.CreateAsync(a, Lead, "admin", LeadPassword);
        var (browser, cookie) = await People.SignedInAsync(a, Lead, LeadPassword);
        var copy = People.WithCookie(b, cookie);
        Assert.Equal(new MeApi.Me(Lead, "admin", ReadScope.Everything), await copy.GetFromJsonAsync<MeApi.Me>("/api/me", Ct));

        var admin = a.CreateClient(FlowLensApp.AdminKey);
        var done = action switch
        {
            "demote" => await admin.PutAsJsonAsync($"/api/users/{id}", new { role = "viewer" }, Ct),
            "reset the password of" => await admin.PutAsJsonAsync($"/api/users/{id}", new { password = "a new password from the admin" }, Ct),
            _ => await admin.DeleteAsync($"/api/users/{id}", Ct),
        };
        Assert.True(done.IsSuccessStatusCode, await done.Content.ReadAsStringAsync(Ct));

        await AssertSignedOutAsync(browser);
        await AssertSignedOutAsync(copy);
        await ProblemAssert.IsProblemAsync(await copy.GetAsync("/api/users", Ct), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await browser.PostAsJsonAsync("/api/keys", new { name = "way-back-in", role = "admin" }, Ct), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheRole_IsReadFromTheDatabase_NotTrustedFromTheCookie()
    {
        await using var app = await postgres.StartAppAsync();
        var id = await People.CreateAsync(app, Lead, "admin", LeadPassword);
        var (browser, _) = await People.SignedInAsync(app, Lead, LeadPassword);

        // Changed behind the API's back: no session is ended, yet the next request has the new role.
        await app.ScalarAsync<int>("update users set role = 'viewer' where id = $1 returning 1", id);

        Assert.Equal(new MeApi.Me(Lead, "viewer", ReadScope.Everything), await browser.GetFromJsonAsync<MeApi.Me>("/api/me", Ct));
        await ProblemAssert.IsProblemAsync(await browser.GetAsync("/api/users", Ct), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task SigningOut_EndsTheSession_EvenForACopiedCookie_OnAnotherNode()
    {
        await using var a = await postgres.StartAppAsync(People.WithBootstrapAdmin);
        await using var b = new FlowLensApp(a.ConnectionString, People.WithBootstrapAdmin);
        var (browser, cookie) = await People.SignedInAsync(a, People.AdminEmail, People.AdminPassword);
        var copy = People.WithCookie(b, cookie);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/api/me", Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await browser.PostAsync("/api/auth/sign-out", null, Ct)).StatusCode);

        await AssertSignedOutAsync(copy);
        await AssertSignedOutAsync(People.WithCookie(a, cookie));
    }

    [Fact]
    public async Task SignOutEverywhere_EndsEveryBrowserOfThePerson_OnEveryNode_AndIsAudited()
    {
        await using var a = await postgres.StartAppAsync(People.WithBootstrapAdmin);
        await using var b = new FlowLensApp(a.ConnectionString, People.WithBootstrapAdmin);
        await People.CreateAsync(a, Lead, "viewer", LeadPassword);
        var (laptop, _) = await People.SignedInAsync(a, Lead, LeadPassword);
        var (phone, _) = await People.SignedInAsync(b, Lead, LeadPassword);
        var (someoneElse, _) = await People.SignedInAsync(b, People.AdminEmail, People.AdminPassword);

        Assert.Equal(HttpStatusCode.NoContent, (await laptop.PostAsync("/api/auth/sign-out-all", null, Ct)).StatusCode);

        await AssertSignedOutAsync(laptop);
        await AssertSignedOutAsync(phone);
        Assert.Equal(HttpStatusCode.OK, (await someoneElse.GetAsync("/api/me", Ct)).StatusCode);
        await ProblemAssert.IsProblemAsync(await a.CreateClient(FlowLensApp.AdminKey).PostAsync("/api/auth/sign-out-all", null, Ct), HttpStatusCode.BadRequest);
        var events = (await someoneElse.GetFromJsonAsync<AuditApi.AuditPage>("/api/audit", Ct))!.Items;
        Assert.Contains(events, e => e.Action == "sign-out-all" && e.Actor == $"user:{Lead}" && e.Detail == "2 sessions ended");
    }

    [Fact]
    public async Task ChangingOnesOwnPassword_EndsOnesOtherSessions_ButNotThisOne()
    {
        await using var app = await postgres.StartAppAsync();
        await People.CreateAsync(app, Lead, "viewer", LeadPassword);
        var (laptop, _) = await People.SignedInAsync(app, Lead, LeadPassword);
        var (stolen, _) = await People.SignedInAsync(app, Lead, LeadPassword);

        Assert.Equal(HttpStatusCode.NoContent, (await laptop.PostAsJsonAsync("/api/auth/password",
            new { currentPassword = LeadPassword, newPassword = "a brand new password" }, Ct)).StatusCode);

        await AssertSignedOutAsync(stolen);
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/api/me", Ct)).StatusCode);
    }

    [Fact]
    public async Task APersonsSessionList_NamesEachBrowser_AndEndingOne_SignsOutOnlyThatOne_OnEveryNode()
    {
        await using var a = await postgres.StartAppAsync(People.WithBootstrapAdmin);
        await using var b = new FlowLensApp(a.ConnectionString, People.WithBootstrapAdmin);
        await People.CreateAsync(a, Lead, "viewer", LeadPassword);
        var (laptop, _) = await People.SignedInAsync(a, Lead, LeadPassword, "Laptop/1.0");
        var (phone, phoneCookie) = await People.SignedInAsync(b, Lead, LeadPassword, "Phone/2.0");
        var (admin, _) = await People.SignedInAsync(a, People.AdminEmail, People.AdminPassword);

        var sessions = (await laptop.GetFromJsonAsync<List<SessionsApi.SessionItem>>("/api/auth/sessions", Ct))!;
        Assert.Equal(["Laptop/1.0", "Phone/2.0"], sessions.Select(s => s.UserAgent).Order());
        Assert.True(Assert.Single(sessions, s => s.Current).UserAgent == "Laptop/1.0");
        // The list names sessions by a hash: no session id (as good as the cookie) is in it.
        var ids = await Sql.ColumnAsync<string>(a.ConnectionString, "select id from sessions");
        var listed = await laptop.GetStringAsync("/api/auth/sessions", Ct);
        Assert.All(ids, id => Assert.DoesNotContain(id, listed, StringComparison.Ordinal));

        // The attack: another person's session handle is not theirs to end.
        var adminsOwn = Assert.Single((await admin.GetFromJsonAsync<List<SessionsApi.SessionItem>>("/api/auth/sessions", Ct))!);
        await ProblemAssert.IsProblemAsync(await laptop.DeleteAsync($"/api/auth/sessions/{adminsOwn.Handle}", Ct), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/me", Ct)).StatusCode);

        var phones = Assert.Single(sessions, s => s.UserAgent == "Phone/2.0");
        Assert.Equal(HttpStatusCode.NoContent, (await laptop.DeleteAsync($"/api/auth/sessions/{phones.Handle}", Ct)).StatusCode);
        await AssertSignedOutAsync(phone);
        await AssertSignedOutAsync(People.WithCookie(a, phoneCookie));
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/api/me", Ct)).StatusCode);
        Assert.Single((await laptop.GetFromJsonAsync<List<SessionsApi.SessionItem>>("/api/auth/sessions", Ct))!);
        var events = (await admin.GetFromJsonAsync<AuditApi.AuditPage>($"/api/audit?action={AuditActions.SessionEnded}", Ct))!.Items;
        Assert.Equal($"user:{Lead} session {phones.Handle}", $"{Assert.Single(events).Actor} {events[0].Detail}");

        // A key has no sessions.
        await ProblemAssert.IsProblemAsync(await a.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/auth/sessions", Ct), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AnAdmin_SeesHowManySessionsAPersonHas_AndSignsThemOutEverywhere()
    {
        await using var a = await postgres.StartAppAsync(People.WithBootstrapAdmin);
        await using var b = new FlowLensApp(a.ConnectionString, People.WithBootstrapAdmin);
        var id = await People.CreateAsync(a, Lead, "viewer", LeadPassword);
        var (laptop, _) = await People.SignedInAsync(a, Lead, LeadPassword);
        var (phone, _) = await People.SignedInAsync(b, Lead, LeadPassword);
        var admin = a.CreateClient(FlowLensApp.AdminKey);
        async Task<UsersApi.UserResponse> LeadAsync() => (await admin.GetFromJsonAsync<List<UsersApi.UserResponse>>("/api/users", Ct))!.Single(u => u.Id == id);
        Assert.Equal(2, (await LeadAsync()).Sessions);
        Assert.NotNull((await LeadAsync()).LastSeenAt);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/users/{id}/sign-out", null, Ct)).StatusCode);

        await AssertSignedOutAsync(laptop);
        await AssertSignedOutAsync(phone);
        Assert.Equal((0, (DateTimeOffset?)null), ((await LeadAsync()).Sessions, (await LeadAsync()).LastSeenAt));
        var events = (await admin.GetFromJsonAsync<AuditApi.AuditPage>($"/api/audit?action={AuditActions.UserSignedOut}", Ct))!.Items;
        Assert.Equal($"user:{Lead} 2 sessions ended", $"{Assert.Single(events).Target} {events[0].Detail}");
        await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/users/999999/sign-out", null, Ct), HttpStatusCode.NotFound);
        // The person signs in again as before.
        Assert.Equal(HttpStatusCode.OK, (await People.SignInAsync(laptop, Lead, LeadPassword)).StatusCode);
    }

    [Theory]
    [InlineData("delete")]
    [InlineData("demote")]
    public async Task ToDeleteOrDemoteAnAdmin_RevokesTheAdminKeysTheyCreated_AndTheListingNamesTheCreator(string action)
    {
        await using var app = await postgres.StartAppAsync(People.WithBootstrapAdmin);
        var id = await People.CreateAsync(app, Lead, "admin", LeadPassword);
        var (browser, _) = await People.SignedInAsync(app, Lead, LeadPassword);
        var adminKey = await CreateKeyAsync(browser, "lead-admin", "admin");
        var viewerKey = await CreateKeyAsync(browser, "lead-viewer", "viewer");
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var byKey = await CreateKeyAsync(admin, "made-by-a-key", "admin");
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient(adminKey.Secret).GetAsync("/api/users", Ct)).StatusCode);

        var done = action == "delete"
            ? await admin.DeleteAsync($"/api/users/{id}", Ct)
            : await admin.PutAsJsonAsync($"/api/users/{id}", new { role = "viewer" }, Ct);
        Assert.True(done.IsSuccessStatusCode, await done.Content.ReadAsStringAsync(Ct));

        await ProblemAssert.IsProblemAsync(await app.CreateClient(adminKey.Secret).GetAsync("/api/users", Ct), HttpStatusCode.Unauthorized);
        // Removing a person takes every key they made; a demotion only their admin keys.
        Assert.Equal(action == "delete" ? HttpStatusCode.Unauthorized : HttpStatusCode.OK, (await app.CreateClient(viewerKey.Secret).GetAsync("/api/me", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient(byKey.Secret).GetAsync("/api/me", Ct)).StatusCode);

        // The listing names who made each key, the person still when their row is gone.
        var keys = await KeysAsync(admin);
        Assert.NotEqual(JsonValueKind.Null, keys[adminKey.Id].GetProperty("revokedAt").ValueKind);
        Assert.Equal($"user:{Lead}", keys[adminKey.Id].GetProperty("createdBy").GetString());
        Assert.Equal(action == "delete" ? null : id, keys[adminKey.Id].GetProperty("createdByUserId").Deserialize<long?>());
        Assert.Equal("key:bootstrap (#1)", keys[byKey.Id].GetProperty("createdBy").GetString());
        Assert.Null(keys[byKey.Id].GetProperty("createdByUserId").Deserialize<long?>());
        Assert.Equal("configuration", keys[1].GetProperty("createdBy").GetString());
        var events = (await admin.GetFromJsonAsync<AuditApi.AuditPage>($"/api/audit?action={AuditActions.KeyRevoked}", Ct))!.Items;
        var revoked = Assert.Single(events, e => e.Target == $"key:lead-admin (#{adminKey.Id})");
        Assert.Equal("key:bootstrap (#1)", revoked.Actor);
        Assert.Contains(Lead, revoked.Detail);
    }

    private static async Task<KeysApi.CreatedKey> CreateKeyAsync(HttpClient client, string name, string role)
    {
        var response = await client.PostAsJsonAsync("/api/keys", new { name, role }, Ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<KeysApi.CreatedKey>(Ct))!;
    }

    private static async Task<Dictionary<long, JsonElement>> KeysAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<List<JsonElement>>("/api/keys", Ct))!.ToDictionary(k => k.GetProperty("id").GetInt64());
}
