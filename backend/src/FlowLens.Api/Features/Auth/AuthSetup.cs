using System.ComponentModel.DataAnnotations;
using FlowLens.Api.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FlowLens.Api.Features.Auth;

/// <summary>Authentication and authorization settings (<c>FlowLens:Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "FlowLens:Auth";

    /// <summary>An admin API key kept in step with this value at start, so a fresh install and automation can get in.</summary>
    [MinLength(16)]
    public string? BootstrapAdminKey { get; set; }

    /// <summary>The first admin person, created at start when there is no user yet.</summary>
    public BootstrapAdminOptions BootstrapAdmin { get; set; } = new();

    /// <summary>Single sign-on; off unless its authority is set.</summary>
    public OidcOptions Oidc { get; set; } = new();
}

public sealed class BootstrapAdminOptions
{
    public string? Email { get; set; }
    public string? Password { get; set; }
}

public static class AuthSetup
{
    internal const string BootstrapKeyName = "bootstrap";
    public const string CredentialsScheme = "FlowLens";
    public const string CsrfHeader = "X-CSRF-TOKEN";

    /// <summary>
    /// A request signed in by cookie that changes something must carry the antiforgery token
    /// (<c>GET /api/auth/csrf</c>) in <c>X-CSRF-TOKEN</c>; API keys are not sent by browsers on their own, so they need none.
    /// </summary>
    public static void UseFlowLensAntiforgery(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var byCookie = context.User.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == IdentityConstants.ApplicationScheme);
            if (byCookie && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method)
                && !HttpMethods.IsOptions(context.Request.Method) && !HttpMethods.IsTrace(context.Request.Method)
                && !await context.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>().IsRequestValidAsync(context))
            {
                await Hosting.Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "Missing or invalid CSRF token",
                    $"Requests signed in by cookie that change something need the token of GET /api/auth/csrf in the {CsrfHeader} header.");
                return;
            }
            await next(context);
        });
    }

    /// <summary>Creates the first admin person from FlowLens:Auth:BootstrapAdmin when there is no user yet.</summary>
    public static async Task EnsureBootstrapAdminAsync(this WebApplication app)
    {
        var admin = app.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>()?.BootstrapAdmin;
        if (string.IsNullOrEmpty(admin?.Email) || string.IsNullOrEmpty(admin.Password))
        {
            return;
        }
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<FlowLensUser>>();
        if (await users.Users.AnyAsync())
        {
            return;
        }
        var user = new FlowLensUser { UserName = admin.Email, Email = admin.Email, Role = Roles.Admin, CreatedAt = TimeProvider.System.GetUtcNow() };
        IdentityResult result;
        try
        {
            result = await users.CreateAsync(user, admin.Password);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            app.Logger.LogInformation("Another FlowLens node created the first admin at the same time");
            return;
        }
        if (result.Errors.Any(e => e.Code is "DuplicateUserName" or "DuplicateEmail"))
        {
            return; // another node was first
        }
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("FlowLens:Auth:BootstrapAdmin could not be created: " + string.Join(" ", result.Errors.Select(e => e.Description)));
        }
        app.Logger.LogInformation("Created the first admin, {Email}", admin.Email);
    }

    public static void AddFlowLensAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Oidc.SessionLifetime > TimeSpan.Zero, "FlowLens:Auth:Oidc:SessionLifetime must be positive.")
            .Validate(o => o.Oidc.ScopedViewers.All(g => g.Value.Length > 0 && g.Scope is not null),
                "Each FlowLens:Auth:Oidc:ScopedViewers entry needs a Value and at least one account id (12 digits) or VPC id (vpc-…) in Accounts or Vpcs.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddFlowLensDataProtection();
        // People sign in with a cookie, tools send X-Api-Key: one scheme picks the other by the header.
        var authentication = builder.Services.AddAuthentication(CredentialsScheme);
        authentication.AddOidc(builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>()?.Oidc);
        authentication
            .AddPolicyScheme(CredentialsScheme, "API key or sign-in cookie", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthentication.HeaderName) ? ApiKeyAuthentication.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddCookie(IdentityConstants.ApplicationScheme, cookie =>
            {
                cookie.Cookie.Name = "flowlens";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.UseDatabaseSessions();
                // An API never redirects to a login page: it answers 401/403 ProblemDetails.
                cookie.Events.OnRedirectToLogin = context => Hosting.Problems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                    "Unauthorized", $"Sign in, or send a valid API key in the {ApiKeyAuthentication.HeaderName} header.");
                cookie.Events.OnRedirectToAccessDenied = context => Hosting.Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden,
                    "Forbidden", "Your role does not allow this request.");
            });
        builder.Services.AddIdentityCore<FlowLensUser>(identity =>
            {
                identity.User.RequireUniqueEmail = true;
                identity.Password.RequiredLength = 12;
                identity.Password.RequireNonAlphanumeric = false;
                identity.Password.RequireUppercase = false;
                identity.Password.RequireLowercase = false;
                identity.Password.RequireDigit = false; // length, not composition (NIST SP 800-63B)
                identity.Lockout.MaxFailedAccessAttempts = 5;
                identity.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                identity.Lockout.AllowedForNewUsers = true;
            })
            .AddEntityFrameworkStores<FlowLensDb>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<FlowLensClaimsFactory>();
        builder.Services.AddAntiforgery(options =>
        {
            options.HeaderName = CsrfHeader;
            options.Cookie.Name = "flowlens-csrf";
            options.Cookie.SameSite = SameSiteMode.Strict;
        });

        var viewer = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole(Roles.Viewer, Roles.Admin).Build();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Viewer, viewer)
            .AddPolicy(Policies.Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            // An endpoint that names no policy still needs a viewer: nothing is open by accident.
            .SetFallbackPolicy(viewer);
    }

    /// <summary>
    /// Creates the bootstrap admin key, or moves it to the configured value (which revokes the old one). A key revoked
    /// by hand stays revoked: the value must change to make a new one. No part of the secret is logged or listed.
    /// </summary>
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
        var hash = ApiKey.HashOf(secret);
        var earlier = await db.ApiKeys.SingleOrDefaultAsync(k => k.Hash == hash);
        if (earlier is { RevokedAt: null })
        {
            return;
        }
        // The configuration no longer names the active bootstrap key, if there is one.
        await db.ApiKeys.Where(k => k.Name == BootstrapKeyName && k.RevokedAt == null && k.Hash != hash).ExecuteUpdateAsync(set => set.SetProperty(k => k.RevokedAt, now));
        if (earlier is not null)
        {
            app.Logger.LogWarning("The configured FlowLens:Auth:BootstrapAdminKey (key #{Id}) was revoked on {RevokedAt}; it stays revoked. " +
                "Configure a new value to get a bootstrap admin key again.", earlier.Id, earlier.RevokedAt);
            return;
        }
        var key = ApiKey.For(secret, BootstrapKeyName, Roles.Admin, now);
        (key.Prefix, key.CreatedBy) = ("", "configuration");
        db.ApiKeys.Add(key);
        try
        {
            await db.SaveChangesAsync();
            app.Logger.LogInformation("Created the bootstrap admin API key (key #{Id}) from FlowLens:Auth:BootstrapAdminKey", key.Id);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            app.Logger.LogInformation("Another FlowLens node set the bootstrap admin API key at the same time");
        }
    }
}
