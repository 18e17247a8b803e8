using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Audit;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using static FlowLens.Api.Tests.Infrastructure.People;

namespace FlowLens.Api.Tests.Features.Auth;

/// <summary>People: cookie sessions, CSRF, lockout, roles, users managed by admins.</summary>
public sealed class SignInTests(PostgresFixture postgres)
{
    private Task<FlowLensApp> StartAsync(Action<IWebHostBuilder>? more = null) => postgres.StartAppAsync(b =>
    {
        WithBootstrapAdmin(b);
        more?.Invoke(b);
    });

    [Fact]
    public async Task TheBootstrapAdmin_SignsIn_WithAnHttpOnlyStrictCookie_AndChangesThingsOnlyWithTheCsrfToken()
    {
        await using var app = await StartAsync();
        var person = app.CreateClient(apiKey: null);
        var ct = TestContext.Current.CancellationToken;

        await ProblemAssert.IsProblemAsync(await person.GetAsync("/api/me", ct), HttpStatusCode.Unauthorized); // no redirect to a login page
        var signedIn = await SignInAsync(person, AdminEmail, AdminPassword);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("flowlens=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(AdminEmail, (await person.GetFromJsonAsync<MeApi.Me>("/api/me", ct))!.Name);

        var forged = await person.PostAsJsonAsync("/api/keys", new { name = "from-a-forged-page" }, ct);
        await ProblemAssert.IsProblemAsync(forged, HttpStatusCode.BadRequest);
        await UseCsrfTokenAsync(person);
        Assert.Equal(HttpStatusCode.Created, (await person.PostAsJsonAsync("/api/keys", new { name = "made-by-a-person" }, ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await person.PostAsync("/api/auth/sign-out", null, ct)).StatusCode);
        await ProblemAssert.IsProblemAsync(await person.GetAsync("/api/me", ct), HttpStatusCode.Unauthorized);

        var events = (await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<AuditApi.AuditPage>("/api/audit", ct))!.Items;
        Assert.Contains(events, e => e.Action == AuditActions.SignIn && e.Actor == $"user:{AdminEmail}");
        Assert.Contains(events, e => e.Action == AuditActions.KeyCreated && e.Actor == $"user:{AdminEmail}");
    }

    [Fact]
    public async Task FiveWrongPasswords_LockTheAccount_EvenForTheRightOne()
    {
        await using var app = await StartAsync();
        var person = app.CreateClient(apiKey: null);
        for (var i = 0; i < 5; i++)
        {
            var wrong = await ProblemAssert.IsProblemAsync(await SignInAsync(person, AdminEmail, "not the password"), HttpStatusCode.Unauthorized);
            Assert.Equal(i < 4 ? "Sign-in failed" : "Locked out", wrong.GetProperty("title").GetString());
        }
        var locked = await ProblemAssert.IsProblemAsync(await SignInAsync(person, AdminEmail, AdminPassword), HttpStatusCode.Unauthorized);
        Assert.Equal("Locked out", locked.GetProperty("title").GetString());
        var users = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<List<UsersApi.UserResponse>>("/api/users", TestContext.Current.CancellationToken);
        Assert.NotNull(Assert.Single(users!).LockedOutUntil);
    }

    [Fact]
    public async Task AViewerPerson_ReadsButCannotChange_AndAdminsManagePeople()
    {
        await using var app = await StartAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        var created = await admin.PostAsJsonAsync("/api/users", new { email = "analyst@example.org", role = "viewer", password = "a long enough password" }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<UsersApi.UserResponse>(ct))!.Id;
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/users", new { email = "short@example.org", password = "short" }, ct), "password");

        var analyst = app.CreateClient(apiKey: null);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(analyst, "analyst@example.org", "a long enough password")).StatusCode);
        await UseCsrfTokenAsync(analyst);
        Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync("/api/sources", ct)).StatusCode);
        await ProblemAssert.IsProblemAsync(await analyst.PostAsJsonAsync("/api/sources", new { name = "x", kind = "directory" }, ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await analyst.GetAsync("/api/users", ct), HttpStatusCode.Forbidden);

        // A wrong current password, or a new one too short, is named as such; nothing changes.
        await ProblemAssert.IsBadParameterAsync(await analyst.PostAsJsonAsync("/api/auth/password",
            new { currentPassword = "not the password at all", newPassword = "an even longer password" }, ct), "currentPassword");
        await ProblemAssert.IsBadParameterAsync(await analyst.PostAsJsonAsync("/api/auth/password",
            new { currentPassword = "a long enough password", newPassword = "short" }, ct), "newPassword");

        // A new password from the person themself; the old one stops working.
        Assert.Equal(HttpStatusCode.NoContent, (await analyst.PostAsJsonAsync("/api/auth/password",
            new { currentPassword = "a long enough password", newPassword = "an even longer password" }, ct)).StatusCode);
        await ProblemAssert.IsProblemAsync(await SignInAsync(app.CreateClient(apiKey: null), "analyst@example.org", "a long enough password"), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(app.CreateClient(apiKey: null), "analyst@example.org", "an even longer password")).StatusCode);

        // Made admin, then removed; the last admin stays.
        Assert.Equal("admin", (await (await admin.PutAsJsonAsync($"/api/users/{id}", new { role = "admin" }, ct)).Content.ReadFromJsonAsync<UsersApi.UserResponse>(ct))!.Role);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/users/{id}", ct)).StatusCode);
        var first = (await admin.GetFromJsonAsync<List<UsersApi.UserResponse>>("/api/users", ct))!.Single();
        await ProblemAssert.IsProblemAsync(await admin.DeleteAsync($"/api/users/{first.Id}", ct), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task SignIns_AreRateLimitedPerAddress()
    {
        await using var app = await StartAsync(b => b.UseSetting("FlowLens:Security:SignInsPerMinute", "3"));
        var person = app.CreateClient(apiKey: null);
        for (var i = 0; i < 3; i++)
        {
            await SignInAsync(person, "nobody@example.org", "whatever it is");
        }
        var refused = await SignInAsync(person, AdminEmail, AdminPassword);
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task AnOverlongEmail_Gets400NamingTheEmail_NotA500()
    {
        await using var app = await StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var email = new string('a', 300) + "@example.org";

        await ProblemAssert.IsBadParameterAsync(await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/users",
            new { email, password = "a long enough password" }, ct), "email");
        await ProblemAssert.IsBadParameterAsync(await SignInAsync(app.CreateClient(apiKey: null), email, "whatever it is"), "email");
    }

    [Fact]
    public async Task AFailedPasswordReset_LeavesTheOldPasswordAndTheRoleAsTheyWere()
    {
        await using var app = await StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var id = await People.CreateAsync(app, "analyst@example.org", "viewer", "a long enough password");

        var refused = await app.CreateClient(FlowLensApp.AdminKey).PutAsJsonAsync($"/api/users/{id}", new { role = "admin", password = "short" }, ct);

        await ProblemAssert.IsBadParameterAsync(refused, "password");
        var person = app.CreateClient(apiKey: null);
        Assert.Equal(HttpStatusCode.OK, (await SignInAsync(person, "analyst@example.org", "a long enough password")).StatusCode);
        Assert.Equal("viewer", (await person.GetFromJsonAsync<MeApi.Me>("/api/me", ct))!.Role);
    }
}
