using FlowLens.Api.Data;
using FlowLens.Api.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace FlowLens.Api.Features.Auth;

/// <summary>People who may sign in: admins add, change and remove them.</summary>
public static class UsersApi
{
    public static void MapUsers(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/users").WithTags("Users").RequireAuthorization(Policies.Admin);
        users.MapGet("/", ListUsers).WithSummary("Every person who may sign in.");
        users.MapPost("/", CreateUser).WithSummary("Adds a person with a first password.");
        users.MapPut("/{id:long}", UpdateUser).ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Changes a person's role, or sets a new password.");
        users.MapDelete("/{id:long}", DeleteUser).ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Removes a person (not the last admin).");
        users.MapPost("/{id:long}/sign-out", SignOutUser).WithSummary("Ends every session of a person, in every browser and on every node (a lost laptop).");
    }

    /// <param name="Email">The sign-in name.</param>
    /// <param name="Role"><c>viewer</c> (default) or <c>admin</c>.</param>
    /// <param name="Password">At least 12 characters.</param>
    /// <param name="Scope">The accounts and VPCs a viewer may read; none: everything. Left out of a change: kept. Admins have none.</param>
    public sealed record UserRequest(string? Email, string? Role, string? Password, ReadScope? Scope = null);

    /// <param name="Scope">What the person may read: both lists empty for everything.</param>
    /// <param name="Sessions">How many browsers are signed in as the person.</param>
    /// <param name="LastSeenAt">The last request of any of those sessions.</param>
    public sealed record UserResponse(long Id, string Email, string Role, DateTimeOffset CreatedAt, DateTimeOffset? LockedOutUntil, ReadScope Scope,
        int Sessions, DateTimeOffset? LastSeenAt)
    {
        public static UserResponse Of(FlowLensUser u, int sessions = 0, DateTimeOffset? lastSeenAt = null) =>
            new(u.Id, u.Email!, u.Role, u.CreatedAt, u.LockoutEnd > DateTimeOffset.UtcNow ? u.LockoutEnd : null, ReadScope.Of(u.ScopeAccounts, u.ScopeVpcs),
                sessions, lastSeenAt);
    }

    internal static async Task<Ok<List<UserResponse>>> ListUsers(UserManager<FlowLensUser> users, FlowLensDb db, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var live = await db.Sessions.AsNoTracking().Where(s => s.UserId != null && s.ExpiresAt > now)
            .GroupBy(s => s.UserId!.Value).Select(g => new { UserId = g.Key, Count = g.Count(), LastSeenAt = g.Max(s => s.LastSeenAt) })
            .ToDictionaryAsync(g => g.UserId, ct);
        return TypedResults.Ok((await users.Users.AsNoTracking().OrderBy(u => u.Id).ToListAsync(ct))
            .ConvertAll(u => live.TryGetValue(u.Id, out var s) ? UserResponse.Of(u, s.Count, s.LastSeenAt) : UserResponse.Of(u)));
    }

    internal static async Task<Results<Created<UserResponse>, ValidationProblem>> CreateUser(
        UserRequest request, UserManager<FlowLensUser> users, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var role = request.Role ?? Roles.Viewer;
        if (!Roles.IsValid(role))
        {
            return Problems.Invalid("role", "The role must be viewer or admin.");
        }
        if (string.IsNullOrWhiteSpace(request.Email) || !request.Email.Contains('@') || request.Email.Length > FlowLensUser.MaxEmailLength)
        {
            return Problems.Invalid("email", $"An email address of at most {FlowLensUser.MaxEmailLength} characters is required.");
        }
        var (scope, scopeField, scopeError) = CallerScope.Read(request.Scope, role);
        if (scope is null)
        {
            return Problems.Invalid(scopeField!, scopeError!);
        }
        var user = new FlowLensUser
        {
            UserName = request.Email, Email = request.Email, Role = role, CreatedAt = clock.GetUtcNow(),
            ScopeAccounts = [.. scope.Accounts], ScopeVpcs = [.. scope.Vpcs],
        };
        var result = await users.CreateAsync(user, request.Password ?? "");
        if (!result.Succeeded)
        {
            return Problems.Invalid(result.Errors.Any(e => e.Code.Contains("Password", StringComparison.Ordinal)) ? "password" : "email",
                string.Join(" ", result.Errors.Select(e => e.Description)));
        }
        await audit.RecordAsync(AuditActions.UserCreated, $"user:{user.Email}", $"role {role}, scope {scope}", ct);
        return TypedResults.Created($"/api/users/{user.Id}", UserResponse.Of(user));
    }

    internal static async Task<Results<Ok<UserResponse>, ValidationProblem, ProblemHttpResult>> UpdateUser(
        long id, UserRequest request, UserManager<FlowLensUser> users, FlowLensDb db, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return Problems.NotFound("user", id);
        }
        var role = request.Role ?? user.Role;
        if (!Roles.IsValid(role))
        {
            return Problems.Invalid("role", "The role must be viewer or admin.");
        }
        var (scope, scopeField, scopeError) = CallerScope.Read(request.Scope ?? ReadScope.Of(user.ScopeAccounts, user.ScopeVpcs), role);
        if (scope is null)
        {
            return Problems.Invalid(scopeField!, scopeError!);
        }
        var demoted = user.Role == Roles.Admin && role != Roles.Admin;
        if (demoted && await IsLastAdminAsync(users, user, ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The last admin", detail: "Make another admin first.");
        }
        // Everything is checked before anything changes: a refused password leaves the old one (and the role) as they were.
        if (request.Password is { } password)
        {
            var errors = new List<IdentityError>();
            foreach (var validator in users.PasswordValidators)
            {
                errors.AddRange((await validator.ValidateAsync(users, user, password)).Errors);
            }
            if (errors.Count > 0)
            {
                return Problems.Invalid("password", string.Join(" ", errors.Select(e => e.Description)));
            }
            user.PasswordHash = users.PasswordHasher.HashPassword(user, password);
        }
        (user.Role, user.ScopeAccounts, user.ScopeVpcs) = (role, [.. scope.Accounts], [.. scope.Vpcs]);
        await users.UpdateSecurityStampAsync(user); // saves the user
        // A role, scope or password change ends the person's sessions on every node; a former admin keeps no admin key either.
        var ended = await Sessions.EndAllAsync(db, user.Id, ct);
        if (demoted)
        {
            await KeysApi.RevokeCreatedByAsync(db, audit, clock, user, Roles.Admin, "its creator is no longer an admin", ct);
        }
        await audit.RecordAsync(AuditActions.UserUpdated, $"user:{user.Email}",
            $"role {user.Role}, scope {scope}{(request.Password is null ? "" : ", password set")}, {ended} sessions ended", ct);
        return TypedResults.Ok(UserResponse.Of(user));
    }

    /// <summary>Removes a person: their sessions end (the rows go with theirs) and the keys they created are revoked.</summary>
    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteUser(
        long id, UserManager<FlowLensUser> users, FlowLensDb db, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return Problems.NotFound("user", id);
        }
        if (user.Role == Roles.Admin && await IsLastAdminAsync(users, user, ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The last admin", detail: "Make another admin first.");
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await KeysApi.RevokeCreatedByAsync(db, audit, clock, user, null, "its creator was removed", ct);
        await users.DeleteAsync(user);
        await audit.RecordAsync(AuditActions.UserDeleted, $"user:{user.Email}", null, ct);
        await transaction.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> SignOutUser(
        long id, UserManager<FlowLensUser> users, FlowLensDb db, AuditLog audit, CancellationToken ct)
    {
        if (await users.FindByIdAsync(id) is not { } user)
        {
            return Problems.NotFound("user", id);
        }
        var ended = await Sessions.EndAllAsync(db, user.Id, ct);
        await audit.RecordAsync(AuditActions.UserSignedOut, $"user:{user.Email}", $"{ended} sessions ended", ct);
        return TypedResults.NoContent();
    }

    private static Task<bool> IsLastAdminAsync(UserManager<FlowLensUser> users, FlowLensUser user, CancellationToken ct) =>
        users.Users.AllAsync(u => u.Id == user.Id || u.Role != Roles.Admin, ct);
}
