using System.Security.Claims;
using FlowLens.Api.Data;
using FlowLens.Api.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace FlowLens.Api.Features.Auth;

/// <summary>Sign-in for people: a cookie session (HttpOnly, SameSite=Strict), lockout after repeated failures.</summary>
public static class SignInApi
{
    public const string SignInRateLimit = "sign-in";

    public static void MapSignIn(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Auth");
        auth.MapPost("/sign-in", SignIn).AllowAnonymous().RequireRateLimiting(SignInRateLimit)
            .WithSummary("Signs a person in: sets the session cookie.");
        auth.MapPost("/sign-out", SignOut).RequireAuthorization(Policies.Viewer).WithSummary("Ends the session.");
        auth.MapPost("/sign-out-all", SignOutAll).RequireAuthorization(Policies.Viewer)
            .WithSummary("Ends every session of the signed-in person, in every browser and on every node.");
        auth.MapGet("/csrf", Csrf).WithName("getCsrfToken").RequireAuthorization(Policies.Viewer)
            .WithSummary("The token a signed-in page sends in X-CSRF-TOKEN with requests that change something.");
        auth.MapPost("/password", ChangePassword).RequireAuthorization(Policies.Viewer).WithSummary("Changes the signed-in person's password.");
    }

    public sealed record SignInRequest(string? Email, string? Password);

    public sealed record PasswordRequest(string? CurrentPassword, string? NewPassword);

    public sealed record CsrfToken(string Token, string HeaderName);

    internal static async Task<Results<Ok<MeApi.Me>, ValidationProblem, ProblemHttpResult>> SignIn(
        SignInRequest request, UserManager<FlowLensUser> users, SignInManager<FlowLensUser> signIn, AuditLog audit, CancellationToken ct)
    {
        if (request.Email?.Length > FlowLensUser.MaxEmailLength)
        {
            return Problems.Invalid("email", $"An email address has at most {FlowLensUser.MaxEmailLength} characters.");
        }
        var user = request.Email is null ? null : await users.FindByEmailAsync(request.Email);
        var result = user is null || request.Password is null
            ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : await signIn.PasswordSignInAsync(user, request.Password, isPersistent: false, lockoutOnFailure: true);
        // The failure says nothing of whether the account exists.
        await audit.RecordAsync(result.Succeeded ? AuditActions.SignIn : AuditActions.SignInFailed, $"user:{request.Email}",
            result.IsLockedOut ? "locked out" : null, ct, actor: $"user:{request.Email}");
        if (result.IsLockedOut)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Locked out",
                detail: "Too many failed sign-ins: this account is locked for a while.");
        }
        return result.Succeeded
            ? TypedResults.Ok(new MeApi.Me(user!.Email!, user.Role, ReadScope.Of(user.ScopeAccounts, user.ScopeVpcs)))
            : TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: "The email or password is wrong.");
    }

    internal static async Task<NoContent> SignOut(SignInManager<FlowLensUser> signIn)
    {
        await signIn.SignOutAsync();
        return TypedResults.NoContent();
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> SignOutAll(HttpContext http, AuditLog audit, CancellationToken ct)
    {
        if (http.User.FindFirstValue(Sessions.IdClaim) is null)
        {
            return SessionsApi.NoSessions();
        }
        var ended = await Sessions.EndAllOfCallerAsync(http);
        await audit.RecordAsync(AuditActions.SignOutAll, AuditLog.ActorOf(http.User), $"{ended} sessions ended", ct);
        return TypedResults.NoContent();
    }

    internal static Ok<CsrfToken> Csrf(HttpContext http, IAntiforgery antiforgery) =>
        TypedResults.Ok(new CsrfToken(antiforgery.GetAndStoreTokens(http).RequestToken!, AuthSetup.CsrfHeader));

    internal static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePassword(
        PasswordRequest request, ClaimsPrincipal principal, UserManager<FlowLensUser> users, FlowLensDb db, AuditLog audit, CancellationToken ct)
    {
        if (Sessions.UserIdOf(principal) is not { } id || await users.FindByIdAsync(id) is not { } user)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No password",
                detail: "Only people who sign in with a password have one: not API keys, not single sign-on.");
        }
        var result = await users.ChangePasswordAsync(user, request.CurrentPassword ?? "", request.NewPassword ?? "");
        if (!result.Succeeded)
        {
            // A wrong current password is named as such; anything else is about the new one.
            return TypedResults.ValidationProblem(result.Errors
                .GroupBy(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "currentPassword" : "newPassword")
                .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
        }
        // The person's other browsers sign in again with the new password.
        var current = principal.FindFirstValue(Sessions.IdClaim);
        await db.Sessions.Where(s => s.UserId == user.Id && s.Id != current).ExecuteDeleteAsync(ct);
        await audit.RecordAsync(AuditActions.PasswordChanged, $"user:{user.Email}", null, ct);
        return TypedResults.NoContent();
    }
}
