using System.Security.Claims;
using FlowLens.Api.Data;
using FlowLens.Api.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FlowLens.Api.Features.Auth;

/// <summary>API keys for tools (SIEM scripts, notebooks, curl): admins create, list and revoke them.</summary>
public static class KeysApi
{
    public static void MapKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("Keys").RequireAuthorization(Policies.Admin);
        keys.MapGet("/", ListKeys).WithSummary("Every key, without its secret.");
        keys.MapPost("/", CreateKey).WithSummary("Creates a key; the answer holds its secret, shown this once.");
        keys.MapDelete("/{id:long}", RevokeKey).WithSummary("Revokes a key: its next request gets 401.");
    }

    /// <param name="Name">What the key is for, e.g. <c>siem-export</c>.</param>
    /// <param name="Role"><c>viewer</c> (default) or <c>admin</c>.</param>
    /// <param name="ExpiresAt">When the key stops working (ISO 8601); none: never.</param>
    /// <param name="Scope">The accounts and VPCs a viewer key may read; none: everything. Admin keys have none.</param>
    public sealed record KeyRequest(string? Name, string? Role, DateTimeOffset? ExpiresAt, ReadScope? Scope = null);

    /// <param name="Prefix">The first characters of the secret, to tell keys apart (none for the bootstrap key).</param>
    /// <param name="CreatedBy">Who created the key: <c>user:email</c>, <c>key:name (#id)</c> or <c>configuration</c>.</param>
    /// <param name="CreatedByUserId">The person who created it, while they exist; removing them revokes the key.</param>
    /// <param name="Scope">What the key may read: both lists empty for everything.</param>
    public sealed record KeyResponse(long Id, string Name, string Role, string Prefix, DateTimeOffset CreatedAt,
        DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, string? CreatedBy, long? CreatedByUserId, ReadScope Scope);

    /// <param name="Secret">The key to send in <c>X-Api-Key</c>. It is not stored and cannot be shown again.</param>
    public sealed record CreatedKey(long Id, string Name, string Role, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, ReadScope Scope, string Secret);

    internal static async Task<Ok<List<KeyResponse>>> ListKeys(FlowLensDb db, CancellationToken ct) =>
        TypedResults.Ok((await db.ApiKeys.AsNoTracking().OrderBy(k => k.Id).ToListAsync(ct))
            .ConvertAll(k => new KeyResponse(k.Id, k.Name, k.Role, k.Prefix, k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt, k.CreatedBy, k.CreatedByUserId,
                ReadScope.Of(k.ScopeAccounts, k.ScopeVpcs))));

    internal static async Task<Results<Created<CreatedKey>, ValidationProblem>> CreateKey(
        KeyRequest request, ClaimsPrincipal caller, FlowLensDb db, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var role = request.Role ?? Roles.Viewer;
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 100)
        {
            errors["name"] = ["A name of 1 to 100 characters is required."];
        }
        else if (request.Name == AuthSetup.BootstrapKeyName)
        {
            errors["name"] = ["'bootstrap' is the configured key's name."];
        }
        if (!Roles.IsValid(role))
        {
            errors["role"] = ["The role must be viewer or admin."];
        }
        var (scope, scopeField, scopeError) = CallerScope.Read(request.Scope, role);
        if (scopeError is not null)
        {
            errors[scopeField!] = [scopeError];
        }
        var now = clock.GetUtcNow();
        if (request.ExpiresAt <= now)
        {
            errors["expiresAt"] = ["The expiry must be in the future."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var secret = ApiKey.NewSecret();
        var key = ApiKey.For(secret, request.Name!, role, now);
        (key.ExpiresAt, key.CreatedBy, key.CreatedByUserId) = (request.ExpiresAt, AuditLog.ActorOf(caller), Sessions.UserIdOf(caller));
        (key.ScopeAccounts, key.ScopeVpcs) = ([.. scope!.Accounts], [.. scope.Vpcs]);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(AuditActions.KeyCreated, $"key:{key.Name} (#{key.Id})", $"role {key.Role}, prefix {key.Prefix}, scope {scope}", ct);
        return TypedResults.Created($"/api/keys/{key.Id}", new CreatedKey(key.Id, key.Name, key.Role, key.Prefix, key.CreatedAt, key.ExpiresAt, ReadScope.Of(scope), secret));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(long id, FlowLensDb db, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id, ct);
        if (key is null)
        {
            return Problems.NotFound("API key", id);
        }
        if (key.RevokedAt is null)
        {
            key.RevokedAt = clock.GetUtcNow();
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(AuditActions.KeyRevoked, $"key:{key.Name} (#{key.Id})", null, ct);
        }
        return TypedResults.NoContent();
    }

    /// <summary>Revokes the keys a person created (only those of <paramref name="role"/> when given), each audited with the reason.</summary>
    internal static async Task RevokeCreatedByAsync(FlowLensDb db, AuditLog audit, TimeProvider clock, FlowLensUser creator, string? role, string reason, CancellationToken ct)
    {
        var keys = await db.ApiKeys.Where(k => k.CreatedByUserId == creator.Id && k.RevokedAt == null && (role == null || k.Role == role)).ToListAsync(ct);
        foreach (var key in keys)
        {
            key.RevokedAt = clock.GetUtcNow();
            await audit.RecordAsync(AuditActions.KeyRevoked, $"key:{key.Name} (#{key.Id})", $"{reason} (user:{creator.Email})", ct);
        }
    }
}
