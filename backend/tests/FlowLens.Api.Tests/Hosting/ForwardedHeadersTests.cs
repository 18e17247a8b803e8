using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Hosting;

/// <summary>FlowLens behind a TLS proxy, as a real process on loopback: the proxy is 127.0.0.1, or not trusted.</summary>
[Slow]
public sealed class ForwardedHeadersTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Email = "admin@example.org";
    private const string Password = "the admin's own long password";
    private readonly FlowLogFolder _folder = new();
    private TestIdentityProvider _provider = null!;

    public async ValueTask InitializeAsync() => _provider = await TestIdentityProvider.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>A node trusting <paramref name="trustedProxy"/>, 3 requests a minute per client, and a client of it that follows no redirect.</summary>
    private async Task<(FlowLensProcess Node, string Database, HttpClient Http)> StartAsync(string trustedProxy)
    {
        var database = await postgres.CreateDatabaseAsync();
        var node = await FlowLensProcess.StartAsync(database, _folder.Root, environment: new Dictionary<string, string>
        {
            ["FlowLens__Security__ForwardedHeaders__KnownProxies__0"] = trustedProxy,
            ["FlowLens__Security__RequestsPerMinute"] = "3",
            ["FlowLens__Auth__BootstrapAdmin__Email"] = Email,
            ["FlowLens__Auth__BootstrapAdmin__Password"] = Password,
            ["FlowLens__Auth__Oidc__Authority"] = _provider.Issuer,
            ["FlowLens__Auth__Oidc__ClientId"] = TestIdentityProvider.ClientId,
            ["FlowLens__Auth__Oidc__ClientSecret"] = TestIdentityProvider.ClientSecret,
            ["FlowLens__Auth__Oidc__RequireHttpsMetadata"] = "false",
        });
        var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(node.Url) };
        return (node, database, http);
    }

    private static HttpRequestMessage Via(HttpMethod method, string path, string client, object? body = null) => new(method, path)
    {
        Headers = { { "X-Forwarded-For", client }, { "X-Forwarded-Proto", "https" } },
        Content = body is null ? null : JsonContent.Create(body),
    };

    [Fact]
    public async Task FromATrustedProxy_TheForwardedClientCounts_ForRateLimitAuditCookieAndOidcRedirect()
    {
        var ct = TestContext.Current.CancellationToken;
        var (node, database, http) = await StartAsync("127.0.0.1");
        await using var _ = node;
        using var __ = http;

        await RateLimits.AwayFromTheMinutesEndAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Via(HttpMethod.Get, "/api/health/live", "203.0.113.1"), ct)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await http.SendAsync(Via(HttpMethod.Get, "/api/health/live", "203.0.113.1"), ct)).StatusCode);
        // Another client behind the same proxy has a bucket of its own.
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Via(HttpMethod.Get, "/api/health/live", "203.0.113.2"), ct)).StatusCode);

        var signIn = await http.SendAsync(Via(HttpMethod.Post, "/api/auth/sign-in", "203.0.113.3", new { email = Email, password = Password }), ct);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.All(signIn.Headers.GetValues("Set-Cookie"), cookie => Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase));
        Assert.Equal("203.0.113.3", await Sql.ScalarAsync<string>(database, "select remote_address from audit_events where action = 'sign-in'"));

        var challenge = await http.SendAsync(Via(HttpMethod.Get, "/api/auth/oidc?returnUrl=/", "203.0.113.4"), ct);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        Assert.Contains("redirect_uri=" + Uri.EscapeDataString("https://"), challenge.Headers.Location!.ToString());
    }

    [Fact]
    public async Task FromAnUntrustedAddress_ForwardedHeadersAreIgnored_SoNoClientChoosesItsAddressOrScheme()
    {
        var ct = TestContext.Current.CancellationToken;
        var (node, database, http) = await StartAsync("192.0.2.1");
        await using var _ = node;
        using var __ = http;

        var signIn = await http.SendAsync(Via(HttpMethod.Post, "/api/auth/sign-in", "203.0.113.1", new { email = Email, password = Password }), ct);
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.All(signIn.Headers.GetValues("Set-Cookie"), cookie => Assert.DoesNotContain("; secure", cookie, StringComparison.OrdinalIgnoreCase));
        Assert.Equal("127.0.0.1", await Sql.ScalarAsync<string>(database, "select remote_address from audit_events where action = 'sign-in'"));

        // A new made-up address for each request gives no new allowance: every request is 127.0.0.1's (3 a minute,
        // some of them spent by the start-up's health checks).
        var statuses = new List<HttpStatusCode>();
        for (var i = 2; i <= 6; i++)
        {
            statuses.Add((await http.SendAsync(Via(HttpMethod.Get, "/api/health/live", $"203.0.113.{i}"), ct)).StatusCode);
        }
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) <= 2, string.Join(", ", statuses));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }
}
