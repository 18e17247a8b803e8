using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Auth;

/// <summary>
/// The Data Protection key ring (sign-in cookies, CSRF tokens, OpenID Connect state) lives in the database: every
/// node reads what another node protected, and a restart signs nobody out. Real separate processes, each in a
/// working folder of its own, so nothing but the database is shared between them.
/// </summary>
[Slow]
public sealed class DataProtectionTests(PostgresFixture postgres)
{
    private const string AdminEmail = "admin@example.org";
    private const string AdminPassword = "correct horse battery staple";

    private static readonly Dictionary<string, string> BootstrapAdmin = new()
    {
        ["FlowLens__Auth__BootstrapAdmin__Email"] = AdminEmail,
        ["FlowLens__Auth__BootstrapAdmin__Password"] = AdminPassword,
    };

    /// <summary>A browser on one node: its cookies are those of <paramref name="cookies"/>, shared like a browser's behind a load balancer.</summary>
    private static HttpClient Browser(FlowLensProcess node, CookieContainer cookies) =>
        new(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(node.Url) };

    [Fact]
    public async Task NodesStartingTogether_ShareOneKey_SoACookieAndCsrfTokenFromOneWorkOnTheOther_AndAfterARestart()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new FlowLogFolder();
        var database = await postgres.CreateDatabaseAsync();
        var starting = new[]
        {
            FlowLensProcess.StartAsync(database, folder.Root, environment: BootstrapAdmin),
            FlowLensProcess.StartAsync(database, folder.Root, environment: BootstrapAdmin),
        };
        var nodes = new List<FlowLensProcess>();
        try
        {
            try
            {
                await Task.WhenAll(starting);
            }
            finally
            {
                nodes.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }
            var (a, b) = (nodes[0], nodes[1]);
            var cookies = new CookieContainer();
            using var onA = Browser(a, cookies);
            Assert.Equal(HttpStatusCode.OK, (await onA.PostAsJsonAsync("/api/auth/sign-in", new { email = AdminEmail, password = AdminPassword }, ct)).StatusCode);
            var csrf = (await onA.GetFromJsonAsync<SignInApi.CsrfToken>("/api/auth/csrf", ct))!.Token;
            Assert.Equal(AdminEmail, (await onA.GetFromJsonAsync<MeApi.Me>("/api/me", ct))!.Name);

            // B reads A's cookie and A's CSRF token; it still refuses a change without the token.
            using var onB = Browser(b, cookies);
            var me = await onB.GetAsync("/api/me", ct);
            Assert.True(me.StatusCode == HttpStatusCode.OK, $"{me.StatusCode}\n{b.Log}");
            Assert.Equal(new MeApi.Me(AdminEmail, "admin", ReadScope.Everything), await me.Content.ReadFromJsonAsync<MeApi.Me>(ct));
            await ProblemAssert.IsProblemAsync(await onB.PostAsJsonAsync("/api/keys", new { name = "no-token" }, ct), HttpStatusCode.BadRequest);
            onB.DefaultRequestHeaders.Add(AuthSetup.CsrfHeader, csrf);
            Assert.Equal(HttpStatusCode.Created, (await onB.PostAsJsonAsync("/api/keys", new { name = "made-on-b" }, ct)).StatusCode);
            // The two nodes started at the same moment on an empty database, yet made one key between them.
            Assert.Equal(1L, await Sql.ScalarAsync<long>(database, "select count(*) from data_protection_keys"));

            // A goes down hard and comes back (a new process in a new folder): the person is still signed in there.
            await a.KillAsync();
            var restarted = await FlowLensProcess.StartAsync(database, folder.Root, environment: BootstrapAdmin);
            nodes.Add(restarted);
            using var again = Browser(restarted, cookies);
            var after = await again.GetAsync("/api/me", ct);
            Assert.True(after.StatusCode == HttpStatusCode.OK, $"{after.StatusCode}\n{restarted.Log}");
            Assert.Equal(AdminEmail, (await after.Content.ReadFromJsonAsync<MeApi.Me>(ct))!.Name);
            again.DefaultRequestHeaders.Add(AuthSetup.CsrfHeader, csrf);
            Assert.Equal(HttpStatusCode.Created, (await again.PostAsJsonAsync("/api/keys", new { name = "made-after-restart" }, ct)).StatusCode);
            Assert.Equal(1L, await Sql.ScalarAsync<long>(database, "select count(*) from data_protection_keys"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task NodesStartingTogether_OnAKeyRingWithNoKey_MakeOneKey_EvenWhenTheyAllReadItAtOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await postgres.CreateDatabaseAsync();
        await using (var first = new FlowLensApp(database))
        {
            first.CreateClient(apiKey: null); // migrates (and makes a key, taken away below: an upgrade to this version)
        }
        Assert.Equal(1, await Sql.ScalarAsync<int>(database, "with gone as (delete from data_protection_keys returning 1) select count(*)::int from gone"));

        // Hold the key table, so that every node gets to the key ring before any of them can read it.
        await using var hold = await TableHold.StartAsync(database, "data_protection_keys", ct);
        var nodes = Enumerable.Range(0, 3).Select(_ => new FlowLensApp(database)).ToList();
        try
        {
            var started = nodes.Select(n => Task.Run(() => n.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", ct), ct)).ToList();
            Assert.Equal(nodes.Count, await hold.WaitForWaitersAsync(nodes.Count, () => started.Any(t => t.IsCompleted), ct));
            await hold.ReleaseAsync();

            Assert.All(await Task.WhenAll(started), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.Equal(1L, await Sql.ScalarAsync<long>(database, "select count(*) from data_protection_keys"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ASingleSignOn_StartedOnOneNode_EndsOnTheOther()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var provider = await TestIdentityProvider.StartAsync();
        using var folder = new FlowLogFolder();
        var database = await postgres.CreateDatabaseAsync();
        var oidc = new Dictionary<string, string>
        {
            ["FlowLens__Auth__Oidc__Authority"] = provider.Issuer,
            ["FlowLens__Auth__Oidc__ClientId"] = TestIdentityProvider.ClientId,
            ["FlowLens__Auth__Oidc__ClientSecret"] = TestIdentityProvider.ClientSecret,
            ["FlowLens__Auth__Oidc__RequireHttpsMetadata"] = "false",
            ["FlowLens__Auth__Oidc__RoleClaim"] = "groups",
            ["FlowLens__Auth__Oidc__AdminValues__0"] = "secops-admins",
        };
        await using var a = await FlowLensProcess.StartAsync(database, folder.Root, environment: oidc);
        await using var b = await FlowLensProcess.StartAsync(database, folder.Root, environment: oidc);
        provider.NextUser = new() { ["sub"] = "00u1", ["email"] = "lead@example.org", ["groups"] = new[] { "secops-admins" } };
        var cookies = new CookieContainer();

        // A writes the correlation and nonce cookies and protects the state; the provider sends the browser back,
        // and the load balancer hands the callback to B.
        using var onA = Browser(a, cookies);
        var toProvider = await onA.GetAsync("/api/auth/oidc?returnUrl=/explorer", ct);
        Assert.Equal(HttpStatusCode.Redirect, toProvider.StatusCode);
        using var outside = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var back = await outside.GetAsync(toProvider.Headers.Location, ct);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        using var onB = Browser(b, cookies);
        var callback = await onB.GetAsync(back.Headers.Location!.PathAndQuery, ct);
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect && callback.Headers.Location?.ToString() == "/explorer",
            $"{callback.StatusCode} {callback.Headers.Location}\n{b.Log}");

        Assert.Equal(new MeApi.Me("lead@example.org", "admin", ReadScope.Everything), await onB.GetFromJsonAsync<MeApi.Me>("/api/me", ct));
        Assert.Equal(new MeApi.Me("lead@example.org", "admin", ReadScope.Everything), await onA.GetFromJsonAsync<MeApi.Me>("/api/me", ct));
    }
}
