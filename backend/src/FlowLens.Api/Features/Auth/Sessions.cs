using System.Security.Claims;
using System.Security.Cryptography;
using FlowLens.Api.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Auth;

/// <summary>
/// A signed-in browser. The cookie only names its row; deleting the row ends the session on every node at once,
/// so sign-out, "sign out everywhere", a role or password change and a removal are final, even for a copied cookie.
/// </summary>
public sealed class Session
{
    public const int MaxUserAgentLength = 200;

    /// <summary>192 random bits, inside the encrypted cookie.</summary>
    public required string Id { get; set; }
    /// <summary>The person's row; null for single sign-on, which has none.</summary>
    public long? UserId { get; set; }
    public FlowLensUser? User { get; set; }
    /// <summary>The name identifier of the sign-in: the user's id, or <c>oidc:</c> and the provider's subject.</summary>
    public required string Subject { get; set; }
    /// <summary>The role the provider's claim gave at a single sign-on; a person's role is read from their row.</summary>
    public string? Role { get; set; }
    /// <summary>The accounts a single sign-on's groups limit it to (<c>FlowLens:Auth:Oidc:Scopes</c>); a person's scope is read from their row.</summary>
    public string[] ScopeAccounts { get; set; } = [];
    /// <summary>The VPCs a single sign-on's groups limit it to.</summary>
    public string[] ScopeVpcs { get; set; } = [];
    /// <summary>The browser's User-Agent at sign-in (cut to <see cref="MaxUserAgentLength"/>), for the person's list of their sessions.</summary>
    public string? UserAgent { get; set; }
    /// <summary>The address the sign-in came from (after trusted proxies' X-Forwarded-For).</summary>
    public string? RemoteAddress { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    /// <summary>When the session ends: moved on while a person uses it, fixed for single sign-on.</summary>
    public DateTimeOffset ExpiresAt { get; set; }
}

/// <summary>The cookie events that keep sessions in the database (table <c>sessions</c>).</summary>
public static class Sessions
{
    public const string IdClaim = "flowlens:session";

    /// <summary>A person's session ends after this long without a request (the cookie's sliding expiry).</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(12);

    // Moving last_seen_at on every request would turn each read into a write; once a minute is enough.
    private static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(1);

    public static void UseDatabaseSessions(this CookieAuthenticationOptions cookie)
    {
        cookie.ExpireTimeSpan = IdleTimeout;
        cookie.SlidingExpiration = true;
        cookie.Events.OnSigningIn = StartAsync;
        cookie.Events.OnValidatePrincipal = ValidateAsync;
        cookie.Events.OnSigningOut = context => EndAsync(context.HttpContext);
    }

    /// <summary>The person's user id when signed in with a password; null for keys and single sign-on.</summary>
    public static long? UserIdOf(ClaimsPrincipal principal) =>
        principal.FindFirstValue(IdClaim) is not null && long.TryParse(principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    /// <summary>Ends every session of a person (a role or password change, a removal); returns how many.</summary>
    public static Task<int> EndAllAsync(FlowLensDb db, long userId, CancellationToken ct) =>
        db.Sessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(ct);

    /// <summary>Ends every session signed in as the caller, on every node, this one included; returns how many.</summary>
    public static async Task<int> EndAllOfCallerAsync(HttpContext http)
    {
        var subject = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
        var db = http.RequestServices.GetRequiredService<FlowLensDb>();
        var ended = await db.Sessions.Where(s => s.Subject == subject).ExecuteDeleteAsync(http.RequestAborted);
        await http.SignOutAsync(IdentityConstants.ApplicationScheme);
        return ended;
    }

    private static async Task StartAsync(CookieSigningInContext context)
    {
        var services = context.HttpContext.RequestServices;
        var db = services.GetRequiredService<FlowLensDb>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var principal = context.Principal!;
        var subject = principal.FindFirstValue(ClaimTypes.NameIdentifier)!;
        var userId = long.TryParse(subject, out var id) ? id : (long?)null;
        var session = new Session
        {
            Id = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24)),
            UserId = userId,
            Subject = subject,
            Role = userId is null ? principal.FindFirstValue(ClaimTypes.Role) : null,
            ScopeAccounts = userId is null ? [.. principal.FindAll(CallerScope.AccountClaim).Select(c => c.Value)] : [],
            ScopeVpcs = userId is null ? [.. principal.FindAll(CallerScope.VpcClaim).Select(c => c.Value)] : [],
            UserAgent = context.HttpContext.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent[..Math.Min(agent.Length, Session.MaxUserAgentLength)] : null,
            RemoteAddress = context.HttpContext.Connection.RemoteIpAddress?.ToString(),
            CreatedAt = now,
            LastSeenAt = now,
            // Single sign-on has an absolute end, after which the provider is asked again (and its role claim read again).
            ExpiresAt = now + (userId is null ? services.GetRequiredService<IOptions<AuthOptions>>().Value.Oidc.SessionLifetime : IdleTimeout),
        };
        // Sessions that ended by themselves go when someone signs in: the table holds only live ones, give or take.
        await db.Sessions.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(context.HttpContext.RequestAborted);
        db.Sessions.Add(session);
        await db.SaveChangesAsync(context.HttpContext.RequestAborted);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(IdClaim, session.Id));
    }

    /// <summary>On every request by cookie: the session must still be in the database, and the role and scope come from there.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var db = services.GetRequiredService<FlowLensDb>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var id = context.Principal?.FindFirstValue(IdClaim);
        var session = id is null ? null : await db.Sessions.AsNoTracking()
            .Where(s => s.Id == id && s.ExpiresAt > now)
            .Select(s => new
            {
                s.LastSeenAt,
                Role = s.User != null ? s.User.Role : s.Role,
                Accounts = s.User != null ? s.User.ScopeAccounts : s.ScopeAccounts,
                Vpcs = s.User != null ? s.User.ScopeVpcs : s.ScopeVpcs,
            })
            .SingleOrDefaultAsync(context.HttpContext.RequestAborted);
        if (session?.Role is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }
        if (now - session.LastSeenAt > LastSeenResolution)
        {
            await db.Sessions.Where(s => s.Id == id).ExecuteUpdateAsync(set => set
                .SetProperty(s => s.LastSeenAt, now)
                .SetProperty(s => s.ExpiresAt, s => s.UserId != null ? now + IdleTimeout : s.ExpiresAt), context.HttpContext.RequestAborted);
        }
        var old = (ClaimsIdentity)context.Principal!.Identity!;
        var identity = new ClaimsIdentity(old.Claims.Where(c => c.Type != old.RoleClaimType && !CallerScope.IsScopeClaim(c)),
            old.AuthenticationType, old.NameClaimType, old.RoleClaimType);
        identity.AddClaim(new Claim(old.RoleClaimType, session.Role));
        identity.AddClaims(CallerScope.ClaimsOf(session.Accounts, session.Vpcs));
        context.ReplacePrincipal(new ClaimsPrincipal(identity));
    }

    private static async Task EndAsync(HttpContext http)
    {
        if (http.User.FindFirstValue(IdClaim) is { } id)
        {
            await http.RequestServices.GetRequiredService<FlowLensDb>().Sessions.Where(s => s.Id == id).ExecuteDeleteAsync(http.RequestAborted);
        }
    }
}
