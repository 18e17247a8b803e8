using System.Security.Claims;
using FlowLens.Core.Scopes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace FlowLens.Api.Features.Auth;

/// <summary>Single sign-on with an OpenID Connect provider (Okta, Entra ID, Keycloak, Cognito...): <c>FlowLens:Auth:Oidc</c>.</summary>
public sealed class OidcOptions
{
    /// <summary>The provider's issuer URL; OIDC sign-in is on when it is set.</summary>
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    /// <summary>The claim whose values give the FlowLens role (e.g. <c>groups</c>, <c>roles</c>).</summary>
    public string RoleClaim { get; set; } = "groups";
    /// <summary>Values of the role claim that make an admin.</summary>
    public List<string> AdminValues { get; set; } = [];
    /// <summary>Values of the role claim that make a viewer of everything.</summary>
    public List<string> ViewerValues { get; set; } = [];
    /// <summary>
    /// Values of the role claim that make a viewer of some accounts and VPCs only (a person in several: their union).
    /// A person with none of these, the viewer or the admin values is refused. Admin and viewer values come first.
    /// </summary>
    public List<OidcScopedGroup> ScopedViewers { get; set; } = [];
    /// <summary>The name of the sign-in button.</summary>
    public string DisplayName { get; set; } = "Single sign-on";
    /// <summary>Only for a provider on plain HTTP in a test setup.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
    /// <summary>How long a single sign-on session lasts before the provider is asked again, with the role claim read anew.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>A value of the role claim (a group) and the accounts and VPCs its members may read.</summary>
public sealed class OidcScopedGroup
{
    public string Value { get; set; } = "";
    public List<string> Accounts { get; set; } = [];
    public List<string> Vpcs { get; set; } = [];

    /// <summary>The group's scope, or null when it lists no valid scope (checked at start).</summary>
    public AccessScope? Scope => AccessScope.Create(Accounts, Vpcs).Scope is { IsEverything: false } scope ? scope : null;
}

public static class OidcSignIn
{
    public const string Scheme = "oidc";

    /// <summary>Adds the OIDC scheme when configured: its sign-in ends in the same session cookie as a password sign-in.</summary>
    public static void AddOidc(this AuthenticationBuilder authentication, OidcOptions? settings)
    {
        if (string.IsNullOrEmpty(settings?.Authority))
        {
            return;
        }
        authentication.AddOpenIdConnect(Scheme, settings.DisplayName, oidc =>
        {
            oidc.Authority = settings.Authority;
            oidc.ClientId = settings.ClientId;
            oidc.ClientSecret = settings.ClientSecret;
            oidc.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            oidc.ResponseType = "code";
            oidc.UsePkce = true;
            oidc.Scope.Add("email");
            oidc.SignInScheme = IdentityConstants.ApplicationScheme;
            oidc.MapInboundClaims = false;
            oidc.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            oidc.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            oidc.Events.OnTokenValidated = async context =>
            {
                var claims = context.Principal!;
                var values = claims.FindAll(settings.RoleClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
                var (role, scope) = RoleOf(settings, values);
                var name = claims.FindFirstValue("email") ?? claims.FindFirstValue("preferred_username") ?? claims.FindFirstValue("sub") ?? "unknown";
                var audit = context.HttpContext.RequestServices.GetRequiredService<AuditLog>();
                if (role is null)
                {
                    await audit.RecordAsync(AuditActions.SignInFailed, $"user:{name}", $"oidc: no FlowLens role in '{settings.RoleClaim}'", context.HttpContext.RequestAborted, actor: $"user:{name}");
                    context.Fail($"Your account has no FlowLens role (claim '{settings.RoleClaim}').");
                    return;
                }
                context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
                    [
                        new Claim(ClaimTypes.NameIdentifier, "oidc:" + claims.FindFirstValue("sub")),
                        new Claim(ClaimTypes.Name, name),
                        new Claim(ClaimTypes.Role, role),
                        .. CallerScope.ClaimsOf(scope.Accounts, scope.Vpcs),
                    ],
                    IdentityConstants.ApplicationScheme));
                await audit.RecordAsync(AuditActions.SignIn, $"user:{name}", $"oidc, role {role}, scope {scope}", context.HttpContext.RequestAborted, actor: $"user:{name}");
            };
            // A refused or failed sign-in comes back to the dashboard, which says so.
            oidc.Events.OnRemoteFailure = context =>
            {
                context.Response.Redirect("/?signin=failed");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>
    /// The role and scope the provider's claim values give: admin, else a viewer of everything, else a viewer of the
    /// union of the scoped groups the person is in; no role when none of them.
    /// </summary>
    internal static (string? Role, AccessScope Scope) RoleOf(OidcOptions settings, IReadOnlySet<string> values)
    {
        if (settings.AdminValues.Any(values.Contains))
        {
            return (Roles.Admin, AccessScope.Everything);
        }
        if (settings.ViewerValues.Any(values.Contains))
        {
            return (Roles.Viewer, AccessScope.Everything);
        }
        var scopes = settings.ScopedViewers.Where(g => values.Contains(g.Value)).Select(g => g.Scope!).ToList();
        return scopes.Count == 0 ? (null, AccessScope.Everything) : (Roles.Viewer, AccessScope.Union(scopes));
    }

    /// <param name="Local">Email and password sign-in.</param>
    /// <param name="Oidc">The single sign-on button's name, when configured.</param>
    public sealed record Providers(bool Local, string? Oidc);

    public static void MapOidcSignIn(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapGet("/providers", GetProviders).AllowAnonymous().WithSummary("How people can sign in, for the sign-in screen.");
        auth.MapGet("/oidc", Challenge).WithName("startSingleSignOn").AllowAnonymous().WithSummary("Starts single sign-on: redirects to the provider, then back to returnUrl.");
    }

    internal static async Task<Ok<Providers>> GetProviders(IAuthenticationSchemeProvider schemes) =>
        TypedResults.Ok(new Providers(true, (await schemes.GetSchemeAsync(Scheme))?.DisplayName));

    internal static async Task<Results<ChallengeHttpResult, ProblemHttpResult>> Challenge(IAuthenticationSchemeProvider schemes, string? returnUrl)
    {
        if (await schemes.GetSchemeAsync(Scheme) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not configured", detail: "Single sign-on is not configured (FlowLens:Auth:Oidc).");
        }
        return TypedResults.Challenge(new AuthenticationProperties { RedirectUri = IsLocalPath(returnUrl) ? returnUrl : "/" }, [Scheme]);
    }

    /// <summary>
    /// Only a path of this site, never an open redirect: browsers read <c>/\host</c> as <c>//host</c> and drop tabs
    /// and line breaks, so a second character of / or \ and any control character are refused.
    /// </summary>
    internal static bool IsLocalPath([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? url) =>
        url is ['/', ..] && (url.Length == 1 || url[1] is not ('/' or '\\')) && !url.Any(char.IsControl);
}
