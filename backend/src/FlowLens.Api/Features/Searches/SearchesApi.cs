using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Hosting;
using FlowLens.Api.Queries;
using FlowLens.Core.Filters;
using FlowLens.Core.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Searches;

/// <summary>
/// Saved searches: a named filter, time range and dashboard view. Each belongs to the person or API key that saved
/// it; shared ones are seen by everyone, private ones only by their owner (to anyone else they do not exist: 404).
/// </summary>
public static partial class SearchesApi
{
    public static void MapSearches(this IEndpointRouteBuilder app)
    {
        var searches = app.MapGroup("/api/searches").WithTags("Searches").RequireAuthorization(Policies.Viewer);
        searches.MapGet("/", ListSearches).WithSummary("The caller's saved searches and the team's shared ones, by name.");
        searches.MapGet("/{id:long}", GetSearch).WithSummary("One saved search: the caller's own, or a shared one.");
        searches.MapPost("/", CreateSearch).ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Saves a search, owned by the caller (private unless shared).");
        searches.MapPut("/{id:long}", UpdateSearch).ProducesProblem(StatusCodes.Status409Conflict).WithSummary("Replaces the name, filter, range, view and sharing of one of the caller's searches.");
        searches.MapDelete("/{id:long}", DeleteSearch).WithSummary("Deletes one of the caller's searches; an admin may also delete a shared one.");
    }

    /// <summary>The dashboard views a search can open, by their route names.</summary>
    public static readonly IReadOnlyList<string> Views = ["overview", "rejections", "explorer", "traffic-paths"];

    public const int MaxViewStateLength = 4096, MaxViewStateEntries = 20;

    /// <param name="Name">What to call it, 1 to 100 characters, unique among the caller's searches.</param>
    /// <param name="Filter" example="action = REJECT and dstport in (22, 3389)">Filter-language text (docs/filters.md); empty or absent: everything.</param>
    /// <param name="From" example="now-24h">Start of the range, as the API's <c>from</c>: <c>now-&lt;n&gt;&lt;s|m|h|d&gt;</c> or an ISO 8601 instant (default <c>now-24h</c>).</param>
    /// <param name="To" example="now">End of the range, as the API's <c>to</c> (default <c>now</c>).</param>
    /// <param name="View" example="explorer"><c>overview</c>, <c>rejections</c>, <c>explorer</c> (default) or <c>traffic-paths</c>.</param>
    /// <param name="ViewState">The view's other URL parameters, e.g. the explorer's <c>cols</c> and <c>by</c>: at most 20, names of lowercase letters, digits, <c>-</c> or <c>_</c>, 4096 characters as JSON.</param>
    /// <param name="Shared">Whether the whole team sees it (default: private).</param>
    public sealed record SearchRequest(string? Name, string? Filter, string? From, string? To, string? View,
        Dictionary<string, string>? ViewState, bool? Shared);

    /// <param name="CreatedBy">The name of the person or API key that saved it.</param>
    /// <param name="Mine">Whether the caller saved it (and so may change it).</param>
    public sealed record SearchResponse(long Id, string Name, string Filter, string From, string To, string View,
        IReadOnlyDictionary<string, string>? ViewState, bool Shared, string CreatedBy, bool Mine, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    // Every statement takes the caller's owner as $1, so each row says whether it is the caller's.
    private const string Columns = "id, name, filter, range_from, range_to, view, view_state::text, shared, owner_name, owner = $1, created_at, updated_at";

    internal static async Task<Ok<List<SearchResponse>>> ListSearches(ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = Command(dataSource, $"select {Columns} from saved_searches where owner = $1 or shared order by lower(name), name, id",
            Owner(user));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<SearchResponse>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }
        return TypedResults.Ok(list);
    }

    internal static async Task<Results<Ok<SearchResponse>, ProblemHttpResult>> GetSearch(long id, ClaimsPrincipal user, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var found = await SingleAsync(dataSource, $"select {Columns} from saved_searches where id = $2 and (owner = $1 or shared)", ct, Owner(user), id);
        return found.Search is { } search ? TypedResults.Ok(search) : Problems.NotFound("saved search", id);
    }

    internal static async Task<Results<Created<SearchResponse>, ValidationProblem, ProblemHttpResult>> CreateSearch(
        SearchRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, IOptions<QueryOptions> options, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (Validate(request, options.Value, now) is { } invalid)
        {
            return invalid;
        }
        var s = Normalise(request);
        var saved = await SingleAsync(dataSource, $"""
            insert into saved_searches (owner, owner_name, name, filter, range_from, range_to, view, view_state, shared, created_at, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $10)
            returning {Columns}
            """, ct, Owner(user), Problems.Clip(user.Identity?.Name ?? "", 300), s.Name, s.Filter, s.From, s.To, s.View, s.ViewState, s.Shared, now);
        if (saved.Search is not { } search)
        {
            return saved.Problem!;
        }
        await audit.RecordAsync(AuditActions.SearchCreated, Target(search), Detail(search), ct);
        return TypedResults.Created($"/api/searches/{search.Id}", search);
    }

    internal static async Task<Results<Ok<SearchResponse>, ValidationProblem, ProblemHttpResult>> UpdateSearch(long id, SearchRequest request,
        ClaimsPrincipal user, NpgsqlDataSource dataSource, IOptions<QueryOptions> options, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (Validate(request, options.Value, now) is { } invalid)
        {
            return invalid;
        }
        var s = Normalise(request);
        // The threshold rules on this search follow its filter, in the same statement (docs/detections.md). Ingestion's
        // digests take the new filter within DigestRules.Refresh; what they summed before is stamped with the old one, so
        // those windows are judged from the flows.
        string[] followed = [];
        var saved = await SingleAsync(dataSource, $"""
            with s as (
                update saved_searches set name = $3, filter = $4, range_from = $5, range_to = $6, view = $7, view_state = $8::jsonb, shared = $9, updated_at = $10
                where id = $2 and owner = $1
                returning *),
            followed as (
                update rules r set filter = nullif(s.filter, ''), updated_at = $10 from s
                where r.search_id = s.id and r.filter is distinct from nullif(s.filter, '')
                returning r.id, r.name)
            select {Columns}, array(select name || ' (#' || id || ')' from followed order by id) from s
            """, ct, r => followed = r.GetFieldValue<string[]>(12), Owner(user), id, s.Name, s.Filter, s.From, s.To, s.View, s.ViewState, s.Shared, now);
        if (saved.Problem is not null)
        {
            return saved.Problem;
        }
        if (saved.Search is not { } search)
        {
            return await RefusalAsync(dataSource, id, "change", ct);
        }
        await audit.RecordAsync(AuditActions.SearchUpdated, Target(search), Detail(search), ct);
        if (followed.Length > 0)
        {
            await audit.RecordAsync(AuditActions.RuleUpdated, Problems.Clip(string.Join(", ", followed), 300), $"filter follows {Target(search)}", ct);
        }
        return TypedResults.Ok(search);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteSearch(
        long id, ClaimsPrincipal user, NpgsqlDataSource dataSource, AuditLog audit, CancellationToken ct)
    {
        var admin = user.FindFirstValue(ClaimTypes.Role) == Roles.Admin;
        var deleted = await SingleAsync(dataSource, $"delete from saved_searches where id = $2 and (owner = $1 or (shared and $3)) returning {Columns}",
            ct, Owner(user), id, admin);
        if (deleted.Search is not { } search)
        {
            return await RefusalAsync(dataSource, id, "delete", ct);
        }
        await audit.RecordAsync(AuditActions.SearchDeleted, Target(search), $"{Detail(search)}, created by {search.CreatedBy}", ct);
        return TypedResults.NoContent();
    }

    /// <summary>Why a write found nothing to change: a shared search of someone else's is 403, anything else 404 (a private one is not revealed).</summary>
    private static async Task<ProblemHttpResult> RefusalAsync(NpgsqlDataSource dataSource, long id, string verb, CancellationToken ct)
    {
        await using var command = Command(dataSource, "select shared from saved_searches where id = $1", id);
        return await command.ExecuteScalarAsync(ct) is true
            ? TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"Only the owner of a shared search may {verb} it{(verb == "delete" ? " (or an admin)" : "")}.")
            : Problems.NotFound("saved search", id);
    }

    private static string Owner(ClaimsPrincipal user) =>
        SavedSearches.OwnerOf(user) ?? throw new InvalidOperationException("A saved search needs a signed-in person or an API key.");

    private static ValidationProblem? Validate(SearchRequest request, QueryOptions options, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100)
        {
            errors["name"] = ["A name of 1 to 100 characters is required."];
        }
        var (_, filterError) = FilterParser.Parse(request.Filter, options.FilterLimits);
        var (_, rangeField, rangeError) = TimeRange.Parse(request.From ?? DefaultFrom, request.To ?? DefaultTo, now);
        if (rangeField is not null)
        {
            // Clipped: the message echoes the value, which has no length limit of its own.
            errors[rangeField] = [Problems.Clip(rangeError!, 200)];
        }
        if (!Views.Contains(request.View ?? DefaultView))
        {
            errors["view"] = [$"The view is one of {string.Join(", ", Views)}."];
        }
        if (ViewStateError(request.ViewState) is { } stateError)
        {
            errors["viewState"] = [stateError];
        }
        if (filterError is not null)
        {
            errors["filter"] = [filterError.ToString()];
            return TypedResults.ValidationProblem(errors, title: "The filter is not valid",
                extensions: new Dictionary<string, object?> { ["position"] = filterError.Position });
        }
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : null;
    }

    private const string DefaultFrom = "now-24h", DefaultTo = "now", DefaultView = "explorer";

    private static string? ViewStateError(Dictionary<string, string>? state)
    {
        if (state is null)
        {
            return null;
        }
        if (state.Count > MaxViewStateEntries)
        {
            return $"The view state has at most {MaxViewStateEntries} entries.";
        }
        if (state.Keys.FirstOrDefault(k => !StateKey().IsMatch(k) || k is "from" or "to" or "q" or "at") is { } bad)
        {
            return $"'{Problems.Clip(bad, 50)}' is not a view-state name: lowercase letters, digits, - or _, and not from, to, q or at (the search's own fields).";
        }
        return JsonSerializer.Serialize(state).Length > MaxViewStateLength ? $"The view state is at most {MaxViewStateLength} characters as JSON." : null;
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,39}$")]
    private static partial Regex StateKey();

    private sealed record Normalised(string Name, string Filter, string From, string To, string View, string? ViewState, bool Shared);

    private static Normalised Normalise(SearchRequest r) => new(
        r.Name!.Trim(), r.Filter?.Trim() ?? "", r.From?.Trim() is { Length: > 0 } from ? from : DefaultFrom,
        r.To?.Trim() is { Length: > 0 } to ? to : DefaultTo, r.View ?? DefaultView,
        r.ViewState is { Count: > 0 } state ? JsonSerializer.Serialize(state) : null, r.Shared ?? false);

    private static NpgsqlCommand Command(NpgsqlDataSource dataSource, string sql, params object?[] values)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in values)
        {
            var parameter = new NpgsqlParameter { Value = value ?? DBNull.Value };
            if (value is null or string)
            {
                parameter.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            }
            command.Parameters.Add(parameter);
        }
        return command;
    }

    private static Task<(SearchResponse? Search, ProblemHttpResult? Problem)> SingleAsync(NpgsqlDataSource dataSource, string sql, CancellationToken ct, params object?[] values) =>
        SingleAsync(dataSource, sql, ct, null, values);

    /// <param name="more">Reads the row's columns after the search's, if any.</param>
    private static async Task<(SearchResponse? Search, ProblemHttpResult? Problem)> SingleAsync(NpgsqlDataSource dataSource, string sql, CancellationToken ct,
        Action<NpgsqlDataReader>? more, params object?[] values)
    {
        await using var command = Command(dataSource, sql, values);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return (null, null);
            }
            more?.Invoke(reader);
            return (Read(reader), null);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: "You have a saved search of that name already."));
        }
    }

    private static SearchResponse Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        SavedSearches.ViewStateOf(r.IsDBNull(6) ? null : r.GetString(6)), r.GetBoolean(7), r.GetString(8), r.GetBoolean(9),
        r.GetFieldValue<DateTimeOffset>(10), r.GetFieldValue<DateTimeOffset>(11));

    private static string Target(SearchResponse search) => $"search:{search.Name} (#{search.Id})";

    private static string Detail(SearchResponse search) =>
        $"view {search.View}, {(search.Shared ? "shared" : "private")}, {search.From} to {search.To}, filter {(search.Filter.Length == 0 ? "-" : Problems.Clip(search.Filter, 200))}";
}
