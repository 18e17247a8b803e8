using System.Security.Claims;
using System.Text.Json;
using FlowLens.Api.Features.Auth;
using Npgsql;

namespace FlowLens.Api.Features.Searches;

/// <summary>A saved search as other features use it: what to query and where the dashboard shows it.</summary>
/// <param name="Filter">Filter-language text; empty matches everything.</param>
/// <param name="From">As the API's <c>from</c>: <c>now-24h</c> or an ISO 8601 instant.</param>
/// <param name="To">As the API's <c>to</c>: <c>now</c> or an ISO 8601 instant.</param>
/// <param name="View">The dashboard view: <c>overview</c>, <c>rejections</c>, <c>explorer</c> or <c>traffic-paths</c>.</param>
/// <param name="Owner">Whose it is: <c>key:&lt;id&gt;</c> or <c>user:&lt;name identifier&gt;</c>.</param>
public sealed record SavedSearch(long Id, string Name, string Filter, string From, string To, string View,
    IReadOnlyDictionary<string, string>? ViewState, bool Shared, string Owner);

/// <summary>Reading saved searches from other features (threshold rules "on a saved search").</summary>
public static class SavedSearches
{
    /// <summary>
    /// The saved search <paramref name="id"/>, or null when there is none. No owner check: a caller that shows it to
    /// someone checks <see cref="SavedSearch.Owner"/> and <see cref="SavedSearch.Shared"/> itself.
    /// </summary>
    public static async Task<SavedSearch?> FindAsync(NpgsqlDataSource dataSource, long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "select id, name, filter, range_from, range_to, view, view_state::text, shared, owner from saved_searches where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new SavedSearch(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), ViewStateOf(reader.IsDBNull(6) ? null : reader.GetString(6)), reader.GetBoolean(7), reader.GetString(8))
            : null;
    }

    /// <summary>Who owns what the caller saves: the API key (<c>key:&lt;id&gt;</c>) or the person (<c>user:&lt;id&gt;</c>, <c>user:oidc:&lt;sub&gt;</c>).</summary>
    public static string? OwnerOf(ClaimsPrincipal user) =>
        user.FindFirstValue(ApiKeyAuthentication.KeyIdClaim) is { } key ? "key:" + key
        : user.FindFirstValue(ClaimTypes.NameIdentifier) is { } person ? "user:" + person
        : null;

    internal static IReadOnlyDictionary<string, string>? ViewStateOf(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(json);
}
