using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Data;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Features.Auth;

public sealed class ApiKeyTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Me_Returns401Problem_WithoutKey()
    {
        await using var app = await postgres.StartAppAsync();
        var response = await app.CreateClient(apiKey: null).GetAsync("/api/me", TestContext.Current.CancellationToken);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData(FlowLensApp.AdminKey + "x")]
    public async Task Me_Returns401Problem_ForWrongKey(string key)
    {
        await using var app = await postgres.StartAppAsync();
        var response = await app.CreateClient(key).GetAsync("/api/me", TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Me_AnswersAdmin_ForBootstrapKey()
    {
        await using var app = await postgres.StartAppAsync();
        var me = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<MeApi.Me>("/api/me", TestContext.Current.CancellationToken);
        Assert.Equal(new MeApi.Me("bootstrap", "admin", ReadScope.Everything), me);
    }

    [Fact]
    public async Task Me_AnswersViewer_ForViewerKey()
    {
        await using var app = await postgres.StartAppAsync();
        var key = await app.CreateApiKeyAsync(Roles.Viewer);
        var me = await app.CreateClient(key).GetFromJsonAsync<MeApi.Me>("/api/me", TestContext.Current.CancellationToken);
        Assert.Equal("viewer", me!.Role);
    }

    [Fact]
    public async Task Me_Returns401_ForRevokedOrExpiredKey()
    {
        await using var app = await postgres.StartAppAsync();
        var revoked = await app.CreateApiKeyAsync(Roles.Admin, revoked: true);
        var expired = await app.CreateApiKeyAsync(Roles.Admin, expiresAt: DateTimeOffset.UtcNow.AddMinutes(-1));
        var ct = TestContext.Current.CancellationToken;

        await ProblemAssert.IsProblemAsync(await app.CreateClient(revoked).GetAsync("/api/me", ct), HttpStatusCode.Unauthorized);
        var problem = await ProblemAssert.IsProblemAsync(await app.CreateClient(expired).GetAsync("/api/me", ct), HttpStatusCode.Unauthorized);
        Assert.Contains("expired", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Keys_AreStoredAsHashes_AndRecordLastUse()
    {
        await using var app = await postgres.StartAppAsync();
        await app.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", TestContext.Current.CancellationToken);

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlowLensDb>();
        var key = await db.ApiKeys.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(FlowLensApp.AdminKey)), key.Hash);
        Assert.Equal("", key.Prefix); // not even the first characters of the configured secret are kept
        Assert.NotNull(key.LastUsedAt);
        // No column holds the secret itself.
        var rowText = await db.Database.SqlQueryRaw<string>("select api_keys::text as \"Value\" from api_keys").SingleAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(FlowLensApp.AdminKey, rowText);
    }

    [Fact]
    public async Task BootstrapKey_FollowsConfiguration_AcrossRestarts()
    {
        var database = await postgres.CreateDatabaseAsync();
        const string rotated = "rotated-bootstrap-admin-key-987654321";
        var ct = TestContext.Current.CancellationToken;

        await using (var first = new FlowLensApp(database))
        {
            Assert.Equal(HttpStatusCode.OK, (await first.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", ct)).StatusCode);
        }
        await using (var second = new FlowLensApp(database, b => b.UseSetting("FlowLens:Auth:BootstrapAdminKey", rotated)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await second.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await second.CreateClient(rotated).GetAsync("/api/me", ct)).StatusCode);
        }
        // A value revoked once stays revoked, even configured again: there is no bootstrap key until a new value.
        await using (var third = new FlowLensApp(database))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await third.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await third.CreateClient(rotated).GetAsync("/api/me", ct)).StatusCode);
            Assert.Equal(0L, await third.ScalarAsync<long>("select count(*) from api_keys where revoked_at is null"));
        }
    }

    [Fact]
    public async Task ABootstrapKeyRevokedByAnAdmin_StaysRevoked_AfterARestart_UntilTheValueChanges()
    {
        var database = await postgres.CreateDatabaseAsync();
        const string replacement = "replacement-bootstrap-admin-key-42";
        var ct = TestContext.Current.CancellationToken;

        await using (var first = new FlowLensApp(database))
        {
            var admin = first.CreateClient(FlowLensApp.AdminKey);
            var bootstrap = (await admin.GetFromJsonAsync<List<KeysApi.KeyResponse>>("/api/keys", ct))!.Single(k => k.Name == "bootstrap");
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/keys/{bootstrap.Id}", ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync("/api/me", ct)).StatusCode);
        }
        await using (var restarted = new FlowLensApp(database))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await restarted.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", ct)).StatusCode);
        }
        await using (var changed = new FlowLensApp(database, b => b.UseSetting("FlowLens:Auth:BootstrapAdminKey", replacement)))
        {
            Assert.Equal(HttpStatusCode.OK, (await changed.CreateClient(replacement).GetAsync("/api/me", ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await changed.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", ct)).StatusCode);
        }
    }

    [Slow]
    [Fact]
    public async Task NoPartOfTheBootstrapKey_IsLogged()
    {
        using var folder = new FlowLogFolder();
        var database = await postgres.CreateDatabaseAsync();
        await using (var node = await FlowLensProcess.StartAsync(database, folder.Root, logLevel: "Debug"))
        {
            Assert.DoesNotContain(FlowLensApp.AdminKey[..ApiKey.PrefixLength], node.FullLog);
        }
        // Nor when it is revoked and configured again.
        await Sql.ScalarAsync<int>(database, "update api_keys set revoked_at = now(); select 1");
        await using (var node = await FlowLensProcess.StartAsync(database, folder.Root, logLevel: "Debug"))
        {
            Assert.Contains("stays revoked", node.FullLog);
            Assert.DoesNotContain(FlowLensApp.AdminKey[..ApiKey.PrefixLength], node.FullLog);
        }
    }

    [Fact]
    public async Task JobsDashboard_IsForAdminsOnly()
    {
        await using var app = await postgres.StartAppAsync();
        var viewer = await app.CreateApiKeyAsync(Roles.Viewer);
        var ct = TestContext.Current.CancellationToken;

        await ProblemAssert.IsProblemAsync(await app.CreateClient(apiKey: null).GetAsync("/hangfire", ct), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await app.CreateClient(viewer).GetAsync("/hangfire", ct), HttpStatusCode.Forbidden);
        var admin = await app.CreateClient(FlowLensApp.AdminKey).GetAsync("/hangfire", ct);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("FlowLens jobs", await admin.Content.ReadAsStringAsync(ct));
    }
}
