using FlowLens.Api.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FlowLens.Api.Features.Auth;

/// <summary>Authentication and authorization settings (<c>FlowLens:Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "FlowLens:Auth";

    /// <summary>An admin API key kept in step with this value at start, so a fresh install and automation can get in.</summary>
    public string? BootstrapAdminKey { get; set; }
}

public static class AuthSetup
{
    internal const string BootstrapKeyName = "bootstrap";

    public static void AddFlowLensAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(o => o.BootstrapAdminKey is null || o.BootstrapAdminKey.Length >= 16,
                "FlowLens:Auth:BootstrapAdminKey must be at least 16 characters long.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<Audit.AuditLog>();
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);

        var viewer = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(Roles.Viewer, Roles.Admin).Build();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Viewer, viewer)
            .AddPolicy(Policies.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            // An endpoint that names no policy still needs a viewer: nothing is open by accident.
            .SetFallbackPolicy(viewer);
    }

    /// <summary>Creates the bootstrap admin key, or moves it to the configured value (which revokes the old one).</summary>
    public static async Task EnsureBootstrapKeyAsync(this WebApplication app)
    {
        var secret = app.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>()?.BootstrapAdminKey;
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlowLensDb>();
        var now = TimeProvider.System.GetUtcNow();
        var wanted = ApiKey.For(secret, BootstrapKeyName, Roles.Admin, now);
        var active = await db.ApiKeys.SingleOrDefaultAsync(k => k.Name == BootstrapKeyName && k.RevokedAt == null);
        if (active is not null && active.Hash.AsSpan().SequenceEqual(wanted.Hash))
        {
            return;
        }
        active?.RevokedAt = now;
        // A value used before comes back to life rather than clashing with its revoked row.
        var earlier = await db.ApiKeys.SingleOrDefaultAsync(k => k.Hash == wanted.Hash);
        if (earlier is null)
        {
            db.ApiKeys.Add(wanted);
        }
        else
        {
            (earlier.Name, earlier.Role, earlier.RevokedAt, earlier.ExpiresAt) = (BootstrapKeyName, Roles.Admin, null, null);
        }
        try
        {
            await db.SaveChangesAsync();
            app.Logger.LogInformation("The bootstrap admin API key is now {Prefix}…", wanted.Prefix);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            app.Logger.LogInformation("Another FlowLens node set the bootstrap admin API key at the same time");
        }
    }
}
