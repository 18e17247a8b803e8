using System.Security.Claims;
using FlowLens.Core.Scopes;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.Auth;

/// <summary>
/// The caller's <see cref="AccessScope"/>, carried as claims: a key's from its row (ApiKeyAuthentication), a person's
/// or a single sign-on's from the session's row on every request (Sessions). Admins are never scoped.
/// </summary>
public static class CallerScope
{
    public const string AccountClaim = "flowlens:scope_account";
    public const string VpcClaim = "flowlens:scope_vpc";

    /// <summary>What the caller may read: everything for an admin (or a caller without scope claims).</summary>
    public static AccessScope Of(ClaimsPrincipal caller) =>
        caller.IsInRole(Roles.Admin) ? AccessScope.Everything
        : AccessScope.Of(caller.FindAll(AccountClaim).Select(c => c.Value), caller.FindAll(VpcClaim).Select(c => c.Value));

    /// <summary>
    /// Whether the caller may read what is not tied to an account yet (sources and their ledgers, findings and their
    /// deliveries): an unscoped caller. The reads take it as a parameter of their SQL.
    /// </summary>
    public static bool SeesAll(ClaimsPrincipal caller) => Of(caller).IsEverything;

    public static IEnumerable<Claim> ClaimsOf(IEnumerable<string> accounts, IEnumerable<string> vpcs) =>
        accounts.Select(a => new Claim(AccountClaim, a)).Concat(vpcs.Select(v => new Claim(VpcClaim, v)));

    public static bool IsScopeClaim(Claim claim) => claim.Type is AccountClaim or VpcClaim;

    /// <summary>
    /// The SQL condition that a row of the inventory (<paramref name="alias"/> with <c>account_id</c> and <c>vpc_id</c>)
    /// is in the scope given by <see cref="InventoryParameters"/> as <c>$n</c> and <c>$n+1</c> (null accounts: everything).
    /// </summary>
    public static string InventoryCondition(string alias, int n) =>
        $"(${n}::text[] is null or {alias}.account_id = any(${n}) or {alias}.vpc_id = any(${n + 1}))";

    public static NpgsqlParameter[] InventoryParameters(AccessScope scope) =>
    [
        new NpgsqlParameter<string[]?> { TypedValue = scope.IsEverything ? null : [.. scope.Accounts], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
        new NpgsqlParameter<string[]> { TypedValue = [.. scope.Vpcs], NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
    ];

    /// <summary>The scope of a request body (<c>{"accounts": [...], "vpcs": [...]}</c>), or the 400's field and message.</summary>
    public static (AccessScope? Scope, string? Field, string? Error) Read(ReadScope? request, string role)
    {
        var (scope, field, error) = AccessScope.Create(request?.Accounts, request?.Vpcs);
        if (scope is null)
        {
            return (null, "scope." + field, error);
        }
        return role == Roles.Admin && !scope.IsEverything
            ? (null, "scope", "Admins read everything: an admin cannot have a scope (make the role viewer, or leave the scope empty).")
            : (scope, null, null);
    }
}

/// <summary>What a person or key may read; both lists empty (or the scope left out): everything.</summary>
/// <param name="Accounts">AWS account ids (12 digits): records whose <c>account-id</c> is one of them.</param>
/// <param name="Vpcs">VPC ids: records whose <c>vpc-id</c> is one of them (a record needs the <c>vpc-id</c> field, version 3 and later).</param>
public sealed record ReadScope(List<string>? Accounts, List<string>? Vpcs)
{
    public static ReadScope Everything => new([], []);

    /// <summary>Equal when they list the same values in the same order (not the same lists).</summary>
    public bool Equals(ReadScope? other) =>
        other is not null && (Accounts ?? []).SequenceEqual(other.Accounts ?? []) && (Vpcs ?? []).SequenceEqual(other.Vpcs ?? []);

    public override int GetHashCode() => HashCode.Combine(Accounts?.Count ?? 0, Vpcs?.Count ?? 0);

    public static ReadScope Of(AccessScope scope) => new([.. scope.Accounts], [.. scope.Vpcs]);

    public static ReadScope Of(string[] accounts, string[] vpcs) => new([.. accounts], [.. vpcs]);
}
