using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Data;
using FlowLens.Api.Features.Audit;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Features.Auth;

public sealed class KeysApiTests(PostgresFixture postgres, EmptyApp empty) : IClassFixture<EmptyApp>
{
    [Fact]
    public async Task AdminCreatesAKey_ItsSecretWorksOnce_ListingHidesIt_AndRevokingStopsItAtOnce()
    {
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;

        var response = await admin.PostAsJsonAsync("/api/keys", new { name = "siem-export", role = "viewer" }, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<KeysApi.CreatedKey>(ct))!;
        Assert.StartsWith("fl_", created.Secret);
        Assert.Equal(created.Secret[..ApiKey.PrefixLength], created.Prefix);

        var tool = app.CreateClient(created.Secret);
        Assert.Equal("siem-export", (await tool.GetFromJsonAsync<JsonElement>("/api/me", ct)).GetProperty("name").GetString());
        await ProblemAssert.IsProblemAsync(await tool.PostAsJsonAsync("/api/keys", new { name = "escalate", role = "admin" }, ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await tool.GetAsync("/api/keys", ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await tool.GetAsync("/api/audit", ct), HttpStatusCode.Forbidden);

        var listing = await admin.GetStringAsync("/api/keys", ct);
        Assert.DoesNotContain(created.Secret, listing);
        Assert.DoesNotContain("hash", listing, StringComparison.OrdinalIgnoreCase);
        var keys = JsonSerializer.Deserialize<List<KeysApi.KeyResponse>>(listing, JsonSerializerOptions.Web)!;
        Assert.Contains(keys, k => k.Name == "siem-export" && k.Role == "viewer" && k.RevokedAt is null);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/keys/{created.Id}", ct)).StatusCode);
        await ProblemAssert.IsProblemAsync(await tool.GetAsync("/api/me", ct), HttpStatusCode.Unauthorized);
        await ProblemAssert.IsProblemAsync(await admin.DeleteAsync("/api/keys/999999", ct), HttpStatusCode.NotFound);

        // Both actions are in the audit log, with who did them; the secret is nowhere in it.
        var audit = await admin.GetStringAsync("/api/audit", ct);
        Assert.DoesNotContain(created.Secret, audit);
        var events = JsonSerializer.Deserialize<AuditApi.AuditPage>(audit, JsonSerializerOptions.Web)!.Items;
        Assert.Equal([AuditActions.KeyRevoked, AuditActions.KeyCreated], events.Select(e => e.Action));
        Assert.All(events, e => Assert.Equal("key:bootstrap (#1)", e.Actor));
        Assert.All(events, e => Assert.Equal($"key:siem-export (#{created.Id})", e.Target));
    }

    [Theory]
    [InlineData("""{"role": "viewer"}""", "name")]
    [InlineData("""{"name": "x", "role": "root"}""", "role")]
    [InlineData("""{"name": "bootstrap"}""", "name")]
    [InlineData("""{"name": "x", "expiresAt": "2001-01-01T00:00:00Z"}""", "expiresAt")]
    public async Task BadKeyRequests_Get400_NamingTheField(string body, string field)
    {
        var response = await empty.App.CreateClient(FlowLensApp.AdminKey).PostAsync("/api/keys",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        await ProblemAssert.IsBadParameterAsync(response, field);
    }

    [Fact]
    public async Task SourceChangesAndSyncs_AreAudited()
    {
        using var folder = new FlowLogFolder();
        await using var app = await postgres.StartAppAsync(folder.Allow);
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        var id = await folder.CreateSourceAsync(app);
        await admin.PostAsync($"/api/sources/{id}/sync", null, ct);
        await admin.DeleteAsync($"/api/sources/{id}", ct);

        var page = await admin.GetFromJsonAsync<AuditApi.AuditPage>("/api/audit?limit=2", ct);
        Assert.Equal([AuditActions.SourceDeleted, AuditActions.SourceSync], page!.Items.Select(e => e.Action));
        var rest = await admin.GetFromJsonAsync<AuditApi.AuditPage>($"/api/audit?before={page.NextBefore}", ct);
        Assert.Equal([AuditActions.SourceCreated], rest!.Items.Select(e => e.Action));
        Assert.Equal($"source:logs (#{id})", rest.Items[0].Target);
    }

    [Fact]
    public async Task TheAuditLog_FiltersByAction_Actor_AndTime()
    {
        await using var app = await postgres.StartAppAsync();
        var ct = TestContext.Current.CancellationToken;
        var t = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FlowLensDb>();
            db.AuditEvents.AddRange(
                new AuditEvent { At = t, Actor = "user:alice@example.com", Action = AuditActions.SourceCreated, Target = "source:a (#1)" },
                new AuditEvent { At = t.AddHours(1), Actor = "key:siem (#4)", Action = AuditActions.SourceSync, Target = "source:a (#1)" },
                new AuditEvent { At = t.AddHours(2), Actor = "user:Alice@Example.com", Action = AuditActions.KeyCreated, Target = "key:siem (#4)" },
                new AuditEvent { At = t.AddHours(3), Actor = "user:bob@example.com", Action = AuditActions.KeyRevoked, Target = "key:siem (#4)" });
            await db.SaveChangesAsync(ct);
        }
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        async Task<List<string>> TargetsAsync(string query) =>
            [.. (await admin.GetFromJsonAsync<AuditApi.AuditPage>($"/api/audit?{query}", ct))!.Items.Where(e => e.At < t.AddDays(1)).Select(e => $"{e.Actor} {e.Action}")];

        Assert.Equal(["user:Alice@Example.com key.created", "user:alice@example.com source.created"], await TargetsAsync("actor=ALICE"));
        Assert.Equal(["user:Alice@Example.com key.created", "key:siem (#4) source.sync"],
            await TargetsAsync($"from={Uri.EscapeDataString(t.AddHours(1).ToString("O"))}&to={Uri.EscapeDataString(t.AddHours(3).ToString("O"))}"));
        Assert.Equal(["user:bob@example.com key.revoked"], await TargetsAsync("action=key.revoked&actor=example.com"));
        // A % or _ in the text is itself, not a pattern.
        Assert.Empty(await TargetsAsync("actor=%25"));
        await ProblemAssert.IsBadParameterAsync(await admin.GetAsync($"/api/audit?from={Uri.EscapeDataString(t.ToString("O"))}&to={Uri.EscapeDataString(t.ToString("O"))}", ct), "to");
    }

    [Fact]
    public async Task EveryEndpoint_DeclaresItsPolicy_OrIsExplicitlyAnonymous()
    {
        await using var app = await postgres.StartAppAsync();
        _ = app.CreateClient();
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        var undeclared = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null
                && !e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy is Policies.Viewer or Policies.Admin))
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        Assert.Empty(undeclared);
    }
}
