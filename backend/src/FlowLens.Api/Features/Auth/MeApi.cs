using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlowLens.Api.Features.Auth;

public static class MeApi
{
    public static void MapMe(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", GetMe)
            .RequireAuthorization(Policies.Viewer)
            .WithTags("Auth")
            .WithSummary("Who the caller is: for the dashboard, and for scripts checking their key.");
    }

    /// <summary>The caller's name and role.</summary>
    /// <param name="Name">The API key's (later: the person's) name.</param>
    /// <param name="Role"><c>viewer</c> or <c>admin</c>.</param>
    /// <param name="Scope">The accounts and VPCs the caller may read; both empty: everything.</param>
    public sealed record Me(string Name, string Role, ReadScope Scope);

    internal static Ok<Me> GetMe(ClaimsPrincipal user) =>
        TypedResults.Ok(new Me(user.Identity?.Name ?? "", user.FindFirstValue(ClaimTypes.Role) ?? "", ReadScope.Of(CallerScope.Of(user))));
}
