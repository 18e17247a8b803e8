using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Audit;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace FlowLens.Api.Tests.Features.Auth;

/// <summary>Single sign-on against a test OpenID Connect provider: the authorization code flow with PKCE, end to end.</summary>
public sealed class OidcSignInTests(PostgresFixture postgres) : IAsyncLifetime
{
    private TestIdentityProvider _provider = null!;

    public async ValueTask InitializeAsync() => _provider = await TestIdentityProvider.StartAsync();

    private Task<FlowLensApp> StartAsync(Action<IWebHostBuilder>? more = null) => postgres.StartAppAsync(b =>
    {
        more?.Invoke(b);
        b.UseSetting("FlowLens:Auth:Oidc:Authority", _provider.Issuer);
        b.UseSetting("FlowLens:Auth:Oidc:ClientId", TestIdentityProvider.ClientId);
        b.UseSetting("FlowLens:Auth:Oidc:ClientSecret", TestIdentityProvider.ClientSecret);
        b.UseSetting("FlowLens:Auth:Oidc:RequireHttpsMetadata", "false");
        b.UseSetting("FlowLens:Auth:Oidc:RoleClaim", "groups");
        b.UseSetting("FlowLens:Auth:Oidc:AdminValues:0", "secops-admins");
        b.UseSetting("FlowLens:Auth:Oidc:ViewerValues:0", "secops");
        b.UseSetting("FlowLens:Auth:Oidc:DisplayName", "Okta");
        b.UseSetting("FlowLens:Auth:Oidc:ScopedViewers:0:Value", "payments");
        b.UseSetting("FlowLens:Auth:Oidc:ScopedViewers:0:Accounts:0", "111111111111");
        b.UseSetting("FlowLens:Auth:Oidc:ScopedViewers:1:Value", "hr");
        b.UseSetting("FlowLens:Auth:Oidc:ScopedViewers:1:Accounts:0", "222222222222");
        b.UseSetting("FlowLens:Auth:Oidc:ScopedViewers:1:Vpcs:0", "vpc-0123456789abcdef0");
    });

    /// <summary>The browser's part: FlowLens sends it to the provider, the provider back to FlowLens's callback.</summary>
    private async Task<(HttpClient Browser, HttpResponseMessage Callback)> SignInAsync(FlowLensApp app, Dictionary<string, object> person, string returnUrl = "/explorer")
    {
        var ct = TestContext.Current.CancellationToken;
        _provider.NextUser = person;
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var toProvider = await browser.GetAsync($"/api/auth/oidc?returnUrl={Uri.EscapeDataString(returnUrl)}", ct);
        Assert.Equal(HttpStatusCode.Redirect, toProvider.StatusCode);
        Assert.StartsWith(_provider.Issuer + "/authorize", toProvider.Headers.Location!.ToString());
        using var outside = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var back = await outside.GetAsync(toProvider.Headers.Location, ct);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        var callback = await browser.GetAsync(back.Headers.Location!.PathAndQuery, ct);
        return (browser, callback);
    }

    [Fact]
    public async Task APersonInTheAdminGroup_SignsInThroughTheProvider_AsAnAdmin()
    {
        await using var app = await StartAsync();
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(new OidcSignIn.Providers(true, "Okta"), await app.CreateClient(apiKey: null).GetFromJsonAsync<OidcSignIn.Providers>("/api/auth/providers", ct));

        var (browser, callback) = await SignInAsync(app, new() { ["sub"] = "00u1", ["email"] = "lead@example.org", ["groups"] = new[] { "everyone", "secops-admins" } });

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/explorer", callback.Headers.Location!.ToString());
        Assert.Equal(new MeApi.Me("lead@example.org", "admin", ReadScope.Everything), await browser.GetFromJsonAsync<MeApi.Me>("/api/me", ct));
        var events = (await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<AuditApi.AuditPage>("/api/audit", ct))!.Items;
        Assert.Contains(events, e => e.Action == AuditActions.SignIn && e.Actor == "user:lead@example.org");
    }

    [Fact]
    public async Task AScopedGroup_GivesAViewerOfItsAccounts_SeveralTheirUnion_AndAViewerGroupEverything()
    {
        await using var app = await StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var (payments, _) = await SignInAsync(app, new() { ["sub"] = "00u5", ["email"] = "pay@example.org", ["groups"] = new[] { "everyone", "payments" } });
        Assert.Equal(new MeApi.Me("pay@example.org", "viewer", new ReadScope(["111111111111"], [])), await payments.GetFromJsonAsync<MeApi.Me>("/api/me", ct));
        // The scope is enforced on its reads: a filter naming another account finds nothing, whatever the flows.
        var (both, _) = await SignInAsync(app, new() { ["sub"] = "00u6", ["email"] = "both@example.org", ["groups"] = new[] { "payments", "hr" } });
        Assert.Equal(new ReadScope(["111111111111", "222222222222"], ["vpc-0123456789abcdef0"]), (await both.GetFromJsonAsync<MeApi.Me>("/api/me", ct))!.Scope);
        var (lead, _) = await SignInAsync(app, new() { ["sub"] = "00u7", ["email"] = "lead2@example.org", ["groups"] = new[] { "payments", "secops" } });
        Assert.Equal(ReadScope.Everything, (await lead.GetFromJsonAsync<MeApi.Me>("/api/me", ct))!.Scope);
        var (admin, _) = await SignInAsync(app, new() { ["sub"] = "00u8", ["email"] = "boss@example.org", ["groups"] = new[] { "payments", "secops-admins" } });
        Assert.Equal(new MeApi.Me("boss@example.org", "admin", ReadScope.Everything), await admin.GetFromJsonAsync<MeApi.Me>("/api/me", ct));
        // The session keeps the scope of its sign-in, on every request.
        Assert.Equal(new[] { "111111111111" }, await app.ScalarAsync<string[]>("select scope_accounts from sessions where subject = 'oidc:00u5'"));
    }

    [Fact]
    public async Task AScopedGroupWithoutAValidScope_StopsTheStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await StartAsync(b => b.UseSetting("FlowLens:Auth:Oidc:ScopedViewers:2:Value", "nothing"));
            await app.CreateClient(apiKey: null).GetAsync("/api/health", TestContext.Current.CancellationToken);
        });
        Assert.Contains("ScopedViewers", error.ToString());
    }

    [Fact]
    public async Task APersonWithoutAFlowLensGroup_IsRefused_AndAViewerGroupGivesViewer()
    {
        await using var app = await StartAsync();
        var ct = TestContext.Current.CancellationToken;
        var (stranger, refused) = await SignInAsync(app, new() { ["sub"] = "00u2", ["email"] = "intern@example.org", ["groups"] = new[] { "everyone" } });
        Assert.Equal("/?signin=failed", refused.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/me", ct)).StatusCode);

        var (analyst, _) = await SignInAsync(app, new() { ["sub"] = "00u3", ["email"] = "analyst@example.org", ["groups"] = new[] { "secops" } });
        Assert.Equal("viewer", (await analyst.GetFromJsonAsync<MeApi.Me>("/api/me", ct))!.Role);
    }

    [Fact]
    public async Task TheReturnUrl_OnlyEverLeadsBackIntoThisSite()
    {
        await using var app = await StartAsync();
        var lead = new Dictionary<string, object> { ["sub"] = "00u1", ["email"] = "lead@example.org", ["groups"] = new[] { "secops" } };
        // Browsers read a backslash as a slash and drop tabs and line breaks: each of these would leave the site.
        foreach (var elsewhere in new[] { "/\\evil.example", "//evil.example", "/\\", "/\\\\", "\\\\evil.example", "/\t/evil.example", "/\n/evil.example",
                     "https://evil.example/", "evil.example" })
        {
            var (_, callback) = await SignInAsync(app, lead, elsewhere);
            Assert.True(callback.Headers.Location?.OriginalString == "/", $"{elsewhere} -> {callback.Headers.Location}");
        }
        Assert.Equal("/explorer?q=dstport%3D22", (await SignInAsync(app, lead, "/explorer?q=dstport%3D22")).Callback.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task ASingleSignOnSession_EndsAtItsConfiguredLifetime_SoTheProviderIsAskedAgain()
    {
        await using var app = await StartAsync(b => b.UseSetting("FlowLens:Auth:Oidc:SessionLifetime", "00:30:00"));
        var ct = TestContext.Current.CancellationToken;
        var (browser, _) = await SignInAsync(app, new() { ["sub"] = "00u1", ["email"] = "lead@example.org", ["groups"] = new[] { "secops-admins" } });
        Assert.Equal("admin", (await browser.GetFromJsonAsync<MeApi.Me>("/api/me", ct))!.Role);
        Assert.Equal(1800.0, await app.ScalarAsync<double>("select extract(epoch from expires_at - created_at)::float8 from sessions"));

        // Half an hour later (the clock moved by moving the session's end), the provider's groups are read again.
        await app.ScalarAsync<int>("update sessions set expires_at = now() - interval '1 second'; select 1");

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/me", ct)).StatusCode);
        var (again, _) = await SignInAsync(app, new() { ["sub"] = "00u1", ["email"] = "lead@example.org", ["groups"] = new[] { "secops" } });
        Assert.Equal("viewer", (await again.GetFromJsonAsync<MeApi.Me>("/api/me", ct))!.Role);
    }

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();
}
