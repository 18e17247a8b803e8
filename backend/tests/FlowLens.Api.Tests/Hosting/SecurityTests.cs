using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Hosting;

public sealed class SecurityTests(PostgresFixture postgres)
{
    [Theory]
    [InlineData("/api/health")]
    [InlineData("/api/me")]
    [InlineData("/")]
    public async Task Responses_CarrySecurityHeaders(string path)
    {
        await using var app = await postgres.StartAppAsync();
        var response = await app.CreateClient(apiKey: null).GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("default-src 'self'", csp);
    }

    [Fact]
    public async Task CrossOriginCalls_AreRefused_UnlessTheOriginIsConfigured()
    {
        var ct = TestContext.Current.CancellationToken;
        HttpRequestMessage Preflight() => new(HttpMethod.Options, "/api/me")
        {
            Headers = { { "Origin", "https://notebook.example" }, { "Access-Control-Request-Method", "GET" }, { "Access-Control-Request-Headers", "x-api-key" } },
        };
        await using (var closed = await postgres.StartAppAsync())
        {
            var response = await closed.CreateClient(apiKey: null).SendAsync(Preflight(), ct);
            Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        }
        await using var open = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Security:CorsOrigins:0", "https://notebook.example"));
        var allowed = await open.CreateClient(apiKey: null).SendAsync(Preflight(), ct);
        Assert.Equal("https://notebook.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Theory]
    [InlineData("RequestsPerMinute", "0")]
    [InlineData("SignInsPerMinute", "-1")]
    public async Task ARateLimit_OutOfItsRange_StopsTheStart(string setting, string value)
    {
        await using var app = await postgres.StartAppAsync(b => b.UseSetting($"FlowLens:Security:{setting}", value));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(setting, error.ToString());
    }

    [Theory]
    [InlineData("KnownProxies:0", "10.0.0.300")]
    [InlineData("KnownNetworks:0", "10.0.0.0")]
    [InlineData("ForwardLimit", "0")]
    public async Task ForwardedHeaders_ABadEntry_StopsTheStart(string setting, string value)
    {
        await using var app = await postgres.StartAppAsync(b => b
            .UseSetting("FlowLens:Security:ForwardedHeaders:KnownNetworks:1", "10.0.0.0/8")
            .UseSetting($"FlowLens:Security:ForwardedHeaders:{setting}", value));
        var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        Assert.Contains(setting.Split(':')[0], error.ToString());
    }

    [Fact]
    public async Task TooManyRequests_Get429_WithRetryAfter_PerKey()
    {
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Security:RequestsPerMinute", "3"));
        var ct = TestContext.Current.CancellationToken;
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        await RateLimits.AwayFromTheMinutesEndAsync();
        // Every answer says the limit, what is left of it and the seconds until it renews (at the next UTC minute).
        // t: the seconds to the next minute, read on either side of the request.
        async Task<(HttpResponseMessage Answer, string Expected)> AskAsync(int remaining)
        {
            var before = 60 - DateTime.UtcNow.Second;
            var answer = await admin.GetAsync("/api/me", ct);
            var after = 60 - DateTime.UtcNow.Second;
            Assert.Equal("\"per-caller\";q=3;w=60", answer.Headers.GetValues("RateLimit-Policy").Single());
            var header = answer.Headers.GetValues("RateLimit").Single();
            Assert.Contains(header, new[] { before, after }.Select(t => $"\"per-caller\";r={remaining};t={t}"));
            return (answer, header);
        }
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await AskAsync(2 - i)).Answer.StatusCode);
        }
        var (refused, limit) = await AskAsync(0);
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests);
        Assert.EndsWith($";t={refused.Headers.GetValues("Retry-After").Single()}", limit);

        // Another key has its own allowance.
        var other = app.CreateClient(await app.CreateApiKeyAsync("viewer"));
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/api/me", ct)).StatusCode);
    }

    [Slow]
    [Fact]
    public async Task KeysAndPasswords_NeverReachTheLogs()
    {
        var ct = TestContext.Current.CancellationToken;
        using var folder = new FlowLogFolder();
        var database = await postgres.CreateDatabaseAsync();
        const string password = "the admin's own long password";
        await using var node = await FlowLensProcess.StartAsync(database, folder.Root, logLevel: "Debug", environment: new Dictionary<string, string>
        {
            ["FlowLens__Auth__BootstrapAdmin__Email"] = "admin@example.org",
            ["FlowLens__Auth__BootstrapAdmin__Password"] = password,
        });
        using var admin = node.CreateClient();
        using var person = new HttpClient { BaseAddress = new Uri(node.Url) };
        Assert.Equal(HttpStatusCode.OK, (await person.PostAsJsonAsync("/api/auth/sign-in", new { email = "admin@example.org", password }, ct)).StatusCode);
        await person.PostAsJsonAsync("/api/auth/sign-in", new { email = "admin@example.org", password = password + " but wrong" }, ct);
        var created = await (await admin.PostAsJsonAsync("/api/keys", new { name = "notebook", role = "viewer" }, ct)).Content.ReadFromJsonAsync<JsonElement>(ct);
        var secret = created.GetProperty("secret").GetString()!;
        using var tool = new HttpClient { BaseAddress = new Uri(node.Url) };
        tool.DefaultRequestHeaders.Add("X-Api-Key", secret);
        await tool.GetAsync("/api/flows?q=action%20%3D%20REJECT", ct);
        using var stranger = new HttpClient { BaseAddress = new Uri(node.Url) };
        const string wrong = "fl_not-a-real-key-but-secret-all-the-same";
        stranger.DefaultRequestHeaders.Add("X-Api-Key", wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/me", ct)).StatusCode);
        await Task.Delay(500, ct); // let the last log lines through

        var log = node.FullLog;
        Assert.Contains("/api/flows", log); // requests are logged...
        foreach (var value in new[] { FlowLensApp.AdminKey, secret, wrong, password })
        {
            Assert.DoesNotContain(value, log); // ...their keys are not
        }
        Assert.DoesNotContain(secret[ApiKey.PrefixLength..], log);
        // Nor does the Data Protection key that signs the cookies.
        var keyRing = System.Xml.Linq.XElement.Parse(await Sql.ScalarAsync<string>(database, "select xml from data_protection_keys"));
        var masterKey = keyRing.Descendants("masterKey").Single().Element("value")!.Value;
        Assert.DoesNotContain(masterKey, log);
    }
}
