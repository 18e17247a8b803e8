using System.Text.RegularExpressions;
using FlowLens.Core.Filters;

namespace FlowLens.Core.Scopes;

/// <summary>
/// What a person or key may read: the flows of some AWS accounts and/or VPCs. A record is in the scope when its
/// <c>account-id</c> is one of <see cref="Accounts"/> or its <c>vpc-id</c> one of <see cref="Vpcs"/>; a record with
/// neither field is in no scope. No accounts and no VPCs: everything (<see cref="Everything"/>). Enforced by
/// <see cref="Restrict"/>, which adds the scope to a query's filter, so that it is in the SQL of every read.
/// </summary>
public sealed partial record AccessScope
{
    /// <summary>The most accounts, and the most VPCs, one scope may list.</summary>
    public const int MaxEntries = 200;

    public static readonly AccessScope Everything = new([], []);

    private AccessScope(IReadOnlyList<string> accounts, IReadOnlyList<string> vpcs) => (Accounts, Vpcs) = (accounts, vpcs);

    /// <summary>AWS account ids: 12 digits each, sorted, without repeats.</summary>
    public IReadOnlyList<string> Accounts { get; }

    /// <summary>VPC ids (<c>vpc-</c> and 8 or 17 hex digits), sorted, without repeats.</summary>
    public IReadOnlyList<string> Vpcs { get; }

    public bool IsEverything => Accounts.Count == 0 && Vpcs.Count == 0;

    /// <summary>
    /// A scope of these accounts and VPCs, or the error that says which value is wrong (<paramref name="field"/>:
    /// <c>accounts</c> or <c>vpcs</c>). Null lists are empty.
    /// </summary>
    public static (AccessScope? Scope, string? Field, string? Error) Create(IEnumerable<string>? accounts, IEnumerable<string>? vpcs)
    {
        var accountList = (accounts ?? []).Select(a => a?.Trim() ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var vpcList = (vpcs ?? []).Select(v => v?.Trim().ToLowerInvariant() ?? "").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (accountList.Count > MaxEntries)
        {
            return (null, "accounts", $"A scope lists at most {MaxEntries} accounts.");
        }
        if (accountList.FirstOrDefault(a => !AccountId().IsMatch(a)) is { } account)
        {
            return (null, "accounts", $"'{Clip(account)}' is not an AWS account id (12 digits).");
        }
        if (vpcList.Count > MaxEntries)
        {
            return (null, "vpcs", $"A scope lists at most {MaxEntries} VPCs.");
        }
        if (vpcList.FirstOrDefault(v => !VpcId().IsMatch(v)) is { } vpc)
        {
            return (null, "vpcs", $"'{Clip(vpc)}' is not a VPC id (vpc- and 8 or 17 hexadecimal digits).");
        }
        return (new AccessScope(accountList, vpcList), null, null);
    }

    /// <summary>A scope of values already checked (read back from the database or a signed cookie); throws on a wrong one.</summary>
    public static AccessScope Of(IEnumerable<string>? accounts, IEnumerable<string>? vpcs) =>
        Create(accounts, vpcs) is { Scope: { } scope } ? scope : throw new ArgumentException("Not a valid scope: " + Create(accounts, vpcs).Error);

    /// <summary>The union of scopes (a person in several scoped groups); everything if any of them is.</summary>
    public static AccessScope Union(IReadOnlyCollection<AccessScope> scopes) =>
        scopes.Count == 0 || scopes.Any(s => s.IsEverything) ? Everything
        : Of(scopes.SelectMany(s => s.Accounts), scopes.SelectMany(s => s.Vpcs));

    /// <summary>The scope as a filter (<c>account-id in (...) or vpc-id in (...)</c>); null for everything.</summary>
    public FilterNode? Filter
    {
        get
        {
            FilterNode? Of(string name, IReadOnlyList<string> values) => values.Count == 0 ? null
                : new ComparisonNode(FilterFields.TryFind(name, out var f) ? f : throw new InvalidOperationException(name),
                    FilterOperator.In, [.. values.Select(v => new FilterValue(null, v))], 0);
            return (Of("account-id", Accounts), Of("vpc-id", Vpcs)) switch
            {
                ({ } accounts, { } vpcs) => new OrNode(accounts, vpcs),
                var (accounts, vpcs) => accounts ?? vpcs,
            };
        }
    }

    /// <summary><paramref name="filter"/> and the scope: what a query under this scope reads.</summary>
    public FilterNode? Restrict(FilterNode? filter) => (filter, Filter) switch
    {
        (_, null) => filter,
        (null, var scope) => scope,
        var (f, scope) => new AndNode(scope, f),
    };

    public bool Equals(AccessScope? other) =>
        other is not null && Accounts.SequenceEqual(other.Accounts) && Vpcs.SequenceEqual(other.Vpcs);

    public override int GetHashCode() => HashCode.Combine(string.Join(',', Accounts), string.Join(',', Vpcs));

    public override string ToString() => IsEverything ? "everything"
        : string.Join(", ", Accounts.Select(a => "account " + a).Concat(Vpcs.Select(v => "vpc " + v)));

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex("^vpc-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex VpcId();
}
