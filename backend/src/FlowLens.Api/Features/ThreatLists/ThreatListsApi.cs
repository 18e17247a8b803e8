using System.Text.RegularExpressions;
using Cronos;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Hosting;
using FlowLens.Core.ThreatLists;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.ThreatLists;

/// <summary>Threat lists: named IP/CIDR lists, uploaded or fetched from a URL, that filters and detectors test addresses against.</summary>
public static partial class ThreatListsApi
{
    public static void MapThreatLists(this IEndpointRouteBuilder app)
    {
        var lists = app.MapGroup("/api/threat-lists").WithTags("Threat lists");
        lists.MapGet("/", ListThreatLists).RequireAuthorization(Policies.Viewer).WithSummary("Every threat list, by name, with its counts and last refresh.");
        lists.MapGet("/{id:long}", GetThreatList).RequireAuthorization(Policies.Viewer).WithSummary("One threat list.");
        lists.MapPost("/", CreateThreatList).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin).WithSummary("Creates a threat list (empty until uploaded or fetched).");
        lists.MapPut("/{id:long}", UpdateThreatList).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin).WithSummary("Replaces a list's name, description, URL, schedule and enabled.");
        lists.MapDelete("/{id:long}", DeleteThreatList).RequireAuthorization(Policies.Admin).WithSummary("Removes a threat list and its entries.");
        // Any content type, read as text: curl --data-binary @list.txt sends it as a form.
        lists.MapPost("/{id:long}/entries", UploadEntries).WithName("uploadThreatListEntries").RequireAuthorization(Policies.Admin).Accepts<string>("text/plain", "*/*")
            .WithSummary("Replaces a list's entries with the text sent: one address or CIDR block a line, # and ; comments.");
        lists.MapPost("/{id:long}/refresh", RefreshThreatList).RequireAuthorization(Policies.Admin)
            .WithSummary("Fetches a list's URL now; a failure is recorded on the list (lastError) and its entries stay.");
    }

    /// <param name="Name">1 to 64 of <c>A-Z a-z 0-9 . _ -</c>, unique, e.g. <c>spamhaus-drop</c>.</param>
    /// <param name="Description">What the list is (optional, at most 500 characters).</param>
    /// <param name="Url">Where to fetch it from: https to a public host (or a host in <c>FlowLens:ThreatLists:AllowedHosts</c>); none for an uploaded list.</param>
    /// <param name="Schedule">Cron (UTC) of its refresh; none: <c>FlowLens:ThreatLists:Schedule</c>, daily.</param>
    /// <param name="Enabled">Default true; a disabled list matches nothing and is not fetched.</param>
    public sealed record ThreatListRequest(string? Name, string? Description, string? Url, string? Schedule, bool? Enabled);

    internal static async Task<Ok<List<ThreatListResponse>>> ListThreatLists(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {ThreatListStore.Columns} from threat_lists order by lower(name), name");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var list = new List<ThreatListResponse>();
        while (await reader.ReadAsync(ct))
        {
            list.Add(ThreatListStore.Read(reader));
        }
        return TypedResults.Ok(list);
    }

    internal static async Task<Results<Ok<ThreatListResponse>, ProblemHttpResult>> GetThreatList(long id, ThreatListStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } list ? TypedResults.Ok(list) : Problems.NotFound("threat list", id);

    internal static async Task<Results<Created<ThreatListResponse>, ValidationProblem, ProblemHttpResult>> CreateThreatList(
        ThreatListRequest request, NpgsqlDataSource dataSource, ThreatListEndpoints endpoints, ThreatListSchedules schedules, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        if (Validate(request, endpoints) is { } invalid)
        {
            return invalid;
        }
        var saved = await SaveAsync(dataSource, $"""
            insert into threat_lists (name, description, origin, url, schedule, enabled, created_at, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, $7)
            returning {ThreatListStore.Columns}
            """, request, ct, clock.GetUtcNow());
        if (saved.List is not { } list)
        {
            return saved.Problem!;
        }
        schedules.Apply(list);
        await audit.RecordAsync(AuditActions.ThreatListCreated, Target(list), Detail(list), ct);
        return TypedResults.Created($"/api/threat-lists/{list.Id}", list);
    }

    internal static async Task<Results<Ok<ThreatListResponse>, ValidationProblem, ProblemHttpResult>> UpdateThreatList(
        long id, ThreatListRequest request, NpgsqlDataSource dataSource, ThreatListEndpoints endpoints, ThreatListSchedules schedules, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        if (Validate(request, endpoints) is { } invalid)
        {
            return invalid;
        }
        // Enabling or disabling changes what the list matches: the version tells each node's cache.
        var saved = await SaveAsync(dataSource, $"""
            update threat_lists set name = $1, description = $2, origin = $3, url = $4, schedule = $5,
                version = version + (enabled <> $6)::int, enabled = $6, updated_at = $7
            where id = $8
            returning {ThreatListStore.Columns}
            """, request, ct, clock.GetUtcNow(), id);
        if (saved.Problem is not null)
        {
            return saved.Problem;
        }
        if (saved.List is not { } list)
        {
            return Problems.NotFound("threat list", id);
        }
        schedules.Apply(list);
        await audit.RecordAsync(AuditActions.ThreatListUpdated, Target(list), Detail(list), ct);
        return TypedResults.Ok(list);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteThreatList(
        long id, NpgsqlDataSource dataSource, ThreatListStore store, ThreatListSchedules schedules, AuditLog audit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"delete from threat_lists where id = $1 returning {ThreatListStore.Columns}");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return Problems.NotFound("threat list", id);
        }
        var list = ThreatListStore.Read(reader);
        await reader.DisposeAsync();
        schedules.Remove(id);
        store.Forget(id);
        await audit.RecordAsync(AuditActions.ThreatListDeleted, Target(list), Detail(list), ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<ThreatListResponse>, ValidationProblem, ProblemHttpResult>> UploadEntries(
        long id, HttpRequest request, ThreatListStore store, IOptions<ThreatListsOptions> options, AuditLog audit, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } existing)
        {
            return Problems.NotFound("threat list", id);
        }
        var max = options.Value.MaxBytes;
        var text = await ThreatListStore.ReadTextAsync(request.Body, max, ct);
        var parse = text is null ? null : ThreatListParser.Parse(text, new ThreatListLimits(max, options.Value.MaxEntries));
        var error = parse is null ? $"The list is more than {max} bytes; at most {max} are accepted." : parse.Error;
        if (error is not null)
        {
            await store.RecordFailureAsync(id, error, ct);
            await audit.RecordAsync(AuditActions.ThreatListUploaded, Target(existing), $"refused: {error}", ct);
            return Problems.Invalid("body", error);
        }
        var list = (await store.ReplaceEntriesAsync(id, parse!, ct))!;
        await audit.RecordAsync(AuditActions.ThreatListUploaded, Target(list),
            $"{list.EntryCount} entries ({list.Ipv4Count} IPv4, {list.Ipv6Count} IPv6), {list.RejectedLines} lines skipped", ct);
        return TypedResults.Ok(list);
    }

    internal static async Task<Results<Ok<ThreatListResponse>, ValidationProblem, ProblemHttpResult>> RefreshThreatList(
        long id, ThreatListStore store, ThreatListFetcher fetcher, AuditLog audit, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } existing)
        {
            return Problems.NotFound("threat list", id);
        }
        if (existing.Url is null)
        {
            return Problems.Invalid("url", "This list has no URL: upload its entries instead.");
        }
        var list = (await fetcher.RefreshAsync(id, ct))!;
        await audit.RecordAsync(AuditActions.ThreatListRefreshed, Target(list),
            list.LastError is null ? $"{list.EntryCount} entries, {list.RejectedLines} lines skipped" : $"failed: {Problems.Clip(list.LastError, 200)}", ct);
        return TypedResults.Ok(list);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();

    public static bool IsName(string? name) => name is not null && NamePattern().IsMatch(name);

    private static ValidationProblem? Validate(ThreatListRequest request, ThreatListEndpoints endpoints)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IsName(request.Name))
        {
            errors["name"] = ["A name of 1 to 64 letters, digits, '.', '_' or '-' is required."];
        }
        if (request.Description?.Length > 500)
        {
            errors["description"] = ["The description is at most 500 characters."];
        }
        if (!string.IsNullOrEmpty(request.Url) && (request.Url.Length > 2000 ? "The URL is at most 2000 characters." : endpoints.Refusal(request.Url)) is { } refusal)
        {
            errors["url"] = [refusal];
        }
        if (!string.IsNullOrEmpty(request.Schedule) && !CronExpression.TryParse(request.Schedule, out _))
        {
            errors["schedule"] = ["The schedule is a cron expression of 5 fields (UTC), e.g. '0 4 * * *'."];
        }
        return errors.Count > 0 ? TypedResults.ValidationProblem(errors) : null;
    }

    private static async Task<(ThreatListResponse? List, ProblemHttpResult? Problem)> SaveAsync(
        NpgsqlDataSource dataSource, string sql, ThreatListRequest request, CancellationToken ct, params object[] more)
    {
        static string? Optional(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
        var url = Optional(request.Url);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var text in new[] { request.Name, Optional(request.Description), url is null ? ThreatListStore.OriginUpload : ThreatListStore.OriginUrl, url, Optional(request.Schedule) })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)text ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        }
        command.Parameters.Add(new NpgsqlParameter { Value = request.Enabled ?? true });
        foreach (var value in more)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            return (await reader.ReadAsync(ct) ? ThreatListStore.Read(reader) : null, null);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: $"There is a threat list named {request.Name} already."));
        }
    }

    private static string Target(ThreatListResponse list) => $"threat-list:{list.Name} (#{list.Id})";

    private static string Detail(ThreatListResponse list) =>
        $"url {Problems.Clip(list.Url ?? "-", 200)}, schedule {list.Schedule ?? "default"}, {(list.Enabled ? "enabled" : "disabled")}";
}
