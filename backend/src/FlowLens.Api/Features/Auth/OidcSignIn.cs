using System.Security.Claims;
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
    /// <summary>Values of the role claim that make a viewer; a person with none of these or the admin values is refused.</summary>
    public List<string> ViewerValues { get; set; } = [];
    /// <summary>The name of the sign-in button.</summary>
    public string DisplayName { get; set; } = "Single sign-on";
    /// <summary>Only for a provider on plain HTTP in a test setup.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
    /// <summary>How long a single sign-on session lasts before the provider is asked again, with the role claim read anew.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(1);
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
                var role = settings.AdminValues.Any(values.Contains) ? Roles.Admin : settings.ViewerValues.Any(values.Contains) ? Roles.Viewer : null;
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
                    ],
                    IdentityConstants.ApplicationScheme));
                await audit.RecordAsync(AuditActions.SignIn, $"user:{name}", $"oidc, role {role}", context.HttpContext.RequestAborted, actor: $"user:{name}");
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

    /// <param name="Local">Email and password sign-in.</param>
    /// <param name="Oidc">The single sign-on button's name, when configured.</param>
    public sealed record Providers(bool Local, string? Oidc);

    public static void MapOidcSignIn(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapGet("/providers", GetProviders).AllowAnonymous().WithSummary("How people can sign in, for the sign-in screen.");
        auth.MapGet("/oidc", Challenge).AllowAnonymous().WithSummary("Starts single sign-on: redirects to the provider, then back to returnUrl.");
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
