using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Auth;

/// <summary>A person who signs in to the dashboard (ASP.NET Core Identity: hashed password, lockout).</summary>
public sealed class FlowLensUser : IdentityUser<long>
{
    /// <summary><c>viewer</c> or <c>admin</c>, as for API keys.</summary>
    public string Role { get; set; } = Roles.Viewer;
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The AWS accounts the person may read (<see cref="Core.Scopes.AccessScope"/>); with <see cref="ScopeVpcs"/> empty too: everything.</summary>
    public string[] ScopeAccounts { get; set; } = [];
    /// <summary>The VPCs the person may read, beside <see cref="ScopeAccounts"/>.</summary>
    public string[] ScopeVpcs { get; set; } = [];

    /// <summary>The longest address SMTP carries (RFC 5321); the column holds 256.</summary>
    public const int MaxEmailLength = 254;
}

/// <summary>Puts the user's FlowLens role and scope into the sign-in cookie, so the same policies serve people and keys.</summary>
public sealed class FlowLensClaimsFactory(UserManager<FlowLensUser> users, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<FlowLensUser>(users, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(FlowLensUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(ClaimTypes.Role, user.Role));
        identity.AddClaims(CallerScope.ClaimsOf(user.ScopeAccounts, user.ScopeVpcs));
        return identity;
    }
}

public static class UserManagerExtensions
{
    /// <summary>The person with this id, or null.</summary>
    public static Task<FlowLensUser?> FindByIdAsync(this UserManager<FlowLensUser> users, long id) =>
        users.FindByIdAsync(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
