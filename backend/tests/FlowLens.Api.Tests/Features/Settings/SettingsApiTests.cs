using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Settings;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Settings;

/// <summary>The settings page's API: what the node runs with, and none of its secrets (the attack: an admin key read by someone it should not be).</summary>
public sealed class SettingsApiTests(PostgresFixture postgres)
{
    private const string DatabasePassword = "db-password-never-shown";
    private const string OidcSecret = "oidc-client-secret-never-shown";
    private const string UrlPassword = "url-password-never-shown";

    [Fact]
    public async Task AnAdmin_ReadsVersionsAndEffectiveSettings_WithDefaults_AndNoSecretValue()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var migrated = await postgres.StartAppAsync();
        // Trust authentication: the password is never asked for, so the connection string may carry one.
        await using var app = new FlowLensApp(migrated.ConnectionString + $";Password={DatabasePassword}", builder =>
        {
            People.WithBootstrapAdmin(builder);
            builder.UseSetting("FlowLens:Auth:Oidc:ClientSecret", OidcSecret);
            builder.UseSetting("FlowLens:Rollups:TopKeys", "777");
            builder.UseSetting("FlowLens:Enrichment:AwsIpRangesUrl", $"https://someone:{UrlPassword}@ranges.example.org/ip-ranges.json");
        });

        var response = await app.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/settings", ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        foreach (var secret in new[] { DatabasePassword, OidcSecret, UrlPassword, FlowLensApp.AdminKey, People.AdminPassword })
        {
            Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
        }

        var answer = (await response.Content.ReadFromJsonAsync<SettingsApi.SettingsResponse>(ct))!;
        var settings = answer.Settings.ToDictionary(s => s.Key);
        Assert.Equal(new SettingsApi.Setting("FlowLens:Rollups:TopKeys", "777", false), settings["FlowLens:Rollups:TopKeys"]);
        Assert.Equal("https://ranges.example.org/ip-ranges.json", settings["FlowLens:Enrichment:AwsIpRangesUrl"].Value);
        // A default nobody set is shown as bound.
        Assert.Equal("41 3 * * *", settings["FlowLens:ThreatLists:Schedule"].Value);
        Assert.Equal(new SettingsApi.Setting("FlowLens:Auth:Oidc:ClientSecret", "set", true), settings["FlowLens:Auth:Oidc:ClientSecret"]);
        Assert.Equal(new SettingsApi.Setting("FlowLens:Auth:BootstrapAdminKey", "set", true), settings["FlowLens:Auth:BootstrapAdminKey"]);
        Assert.Equal(new SettingsApi.Setting("FlowLens:Auth:BootstrapAdmin:Password", "set", true), settings["FlowLens:Auth:BootstrapAdmin:Password"]);
        Assert.Equal(new SettingsApi.Setting("ConnectionStrings:FlowLens (Password)", "set", true), settings["ConnectionStrings:FlowLens (Password)"]);
        Assert.Contains("Host=127.0.0.1", settings["ConnectionStrings:FlowLens"].Value);
        Assert.False(settings["FlowLens:Rollups:TopKeys"].Secret);

        Assert.StartsWith("15.", answer.Versions.Postgres);
        Assert.Equal(await app.ScalarAsync<string>("select max(migration_id) from __ef_migrations_history"), answer.Versions.Schema);
        Assert.StartsWith(".NET 10", answer.Versions.Runtime);
        Assert.NotEqual("unknown", answer.Versions.FlowLens);
    }
}
