using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using FlowLens.Api.Data;
using FlowLens.Api.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace FlowLens.Api.Features.Auth;

/// <summary>A person's own sessions: which browsers are signed in as them, from where, and ending one of them.</summary>
public static class SessionsApi
{
    public static void MapSessions(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/auth/sessions").WithTags("Auth").RequireAuthorization(Policies.Viewer);
        sessions.MapGet("/", ListSessions).WithSummary("The signed-in person's live sessions, this one marked current.");
        sessions.MapDelete("/{handle}", EndSession).WithSummary("Ends one of the signed-in person's sessions (a lost laptop), on every node.");
    }

    /// <param name="Handle">Names the session in this list; not its secret id, which only its cookie holds.</param>
    /// <param name="Current">The session of this request.</param>
    /// <param name="UserAgent">The browser's User-Agent at sign-in.</param>
    /// <param name="RemoteAddress">Where the sign-in came from.</param>
    public sealed record SessionItem(string Handle, bool Current, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt,
        string? UserAgent, string? RemoteAddress);

    /// <summary>A hash of the session id: shown and sent back in place of the id, which is as good as the cookie.</summary>
    public static string HandleOf(string id) => WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..16];

    internal static async Task<Results<Ok<List<SessionItem>>, ProblemHttpResult>> ListSessions(
        ClaimsPrincipal principal, FlowLensDb db, TimeProvider clock, CancellationToken ct)
    {
        if (principal.FindFirstValue(Sessions.IdClaim) is not { } current)
        {
            return NoSessions();
        }
        var now = clock.GetUtcNow();
        var subject = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        var rows = await db.Sessions.AsNoTracking().Where(s => s.Subject == subject && s.ExpiresAt > now).OrderByDescending(s => s.LastSeenAt).ToListAsync(ct);
        return TypedResults.Ok(rows.ConvertAll(s => new SessionItem(HandleOf(s.Id), s.Id == current, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.UserAgent, s.RemoteAddress)));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> EndSession(
        string handle, HttpContext http, FlowLensDb db, AuditLog audit, CancellationToken ct)
    {
        if (http.User.FindFirstValue(Sessions.IdClaim) is not { } current)
        {
            return NoSessions();
        }
        var subject = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
        // Only the caller's own sessions are looked at: another person's handle is not found, as a made-up one.
        var ids = await db.Sessions.Where(s => s.Subject == subject).Select(s => s.Id).ToListAsync(ct);
        if (ids.Find(id => HandleOf(id) == handle) is not { } id)
        {
            return Problems.NotFound("session", Problems.Clip(handle, 40));
        }
        await db.Sessions.Where(s => s.Id == id).ExecuteDeleteAsync(ct);
        await audit.RecordAsync(AuditActions.SessionEnded, AuditLog.ActorOf(http.User), id == current ? "this session" : $"session {handle}", ct);
        if (id == current)
        {
            await http.SignOutAsync(IdentityConstants.ApplicationScheme);
        }
        return TypedResults.NoContent();
    }

    internal static ProblemHttpResult NoSessions() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a person", detail: "API keys have no sessions; revoke the key instead.");
}
