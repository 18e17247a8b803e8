using System.Security.Claims;
using System.Text.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Searches;
using FlowLens.Api.Hosting;
using FlowLens.Core.Detections;
using FlowLens.Core.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.Detections;

/// <summary>Detection rules: threshold rules admins write, and the built-in detectors (tuned or disabled, never deleted).</summary>
public static class RulesApi
{
    public static void MapRules(this IEndpointRouteBuilder app)
    {
        var rules = app.MapGroup("/api/rules").WithTags("Detections");
        rules.MapGet("/", ListRules).RequireAuthorization(Policies.Viewer).WithSummary("Every rule, built-in detectors first.");
        rules.MapGet("/{id:long}", GetRule).RequireAuthorization(Policies.Viewer).WithSummary("One rule.");
        rules.MapPost("/", CreateRule).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin).WithSummary("Creates a threshold rule.");
        rules.MapPut("/{id:long}", UpdateRule).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin).WithSummary("Replaces a rule (a built-in detector: its parameters, window, severity, channels, enabled).");
        rules.MapDelete("/{id:long}", DeleteRule).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin).WithSummary("Deletes a threshold rule and its findings.");
    }

    /// <param name="Name">What to call it (1 to 100 characters, unique).</param>
    /// <param name="Kind"><c>threshold</c> (the only kind POST creates), or a built-in detector's id (<c>port-scan</c>, <c>host-sweep</c>, <c>brute-force</c>, <c>source-silent</c>): the kind of the rule PUT replaces.</param>
    /// <param name="Enabled">Evaluated or not (default true).</param>
    /// <param name="Severity"><c>low</c>, <c>medium</c>, <c>high</c> or <c>critical</c>: its findings' severity.</param>
    /// <param name="Parameters">A built-in detector's parameters (docs/detections.md), each missing one at its default; none for a threshold rule.</param>
    /// <param name="Filter">A threshold rule's filter (docs/filters.md); empty: every flow. None for a built-in detector, nor with a search (the search's is taken).</param>
    /// <param name="SearchId">A saved search (the caller's, or a shared one) whose filter the rule takes and follows: when the search's filter changes, the rule's does; when it is deleted, the rule keeps its last filter.</param>
    /// <param name="Window"><c>5m</c>, <c>15m</c>, <c>1h</c> or <c>1d</c> (default 5m, or the detector's).</param>
    /// <param name="GroupBy">A threshold rule's group field: a filter field of one stored column (<c>srcaddr</c>, <c>dstport</c>, <c>interface-id</c>...).</param>
    /// <param name="Metric">A threshold rule's metric: <c>records</c>, <c>flows</c>, <c>bytes</c>, <c>packets</c>, <c>distinct-dstport</c> or <c>distinct-dstaddr</c>.</param>
    /// <param name="Threshold">A threshold rule fires for a group whose metric in a window is greater than this.</param>
    /// <param name="ChannelIds">The notification channels of its findings.</param>
    /// <param name="MinSeverity">Notify only for findings at or above this severity (default low).</param>
    public sealed record RuleRequest(string? Name, string? Kind, bool? Enabled, string? Severity, JsonElement? Parameters, string? Filter, long? SearchId,
        string? Window, string? GroupBy, string? Metric, long? Threshold, long[]? ChannelIds, string? MinSeverity);

    /// <param name="EvaluatedTo">The end of the last window judged in order (data time); null before the first.</param>
    public sealed record RuleResponse(long Id, string Name, string Kind, bool BuiltIn, bool Enabled, string Severity, Dictionary<string, double> Parameters,
        string? Filter, long? SearchId, string Window, string? GroupBy, string? Metric, long? Threshold, long[] ChannelIds, string MinSeverity,
        DateTimeOffset? EvaluatedTo, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public static RuleResponse Of(Rule r) => new(r.Id, r.Name, r.Kind, r.BuiltIn, r.Enabled, r.Severity, r.Parameters, r.Filter, r.SearchId, r.Window,
            r.GroupBy, r.Metric, r.Threshold, r.ChannelIds, r.MinSeverity, r.EvaluatedTo, r.CreatedAt, r.UpdatedAt);
    }

    internal static async Task<Ok<List<RuleResponse>>> ListRules(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        var list = new List<RuleResponse>();
        await using var command = dataSource.CreateCommand($"select {Rule.Columns} from rules order by built_in desc, id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(RuleResponse.Of(Rule.Read(reader)));
        }
        return TypedResults.Ok(list);
    }

    internal static async Task<Results<Ok<RuleResponse>, ProblemHttpResult>> GetRule(long id, NpgsqlDataSource dataSource, CancellationToken ct) =>
        await FindAsync(dataSource, id, ct) is { } rule ? TypedResults.Ok(RuleResponse.Of(rule)) : Problems.NotFound("rule", id);

    internal static async Task<Results<Created<RuleResponse>, ValidationProblem, ProblemHttpResult>> CreateRule(
        RuleRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, AuditLog audit, TimeProvider clock, DigestRules digestRules, CancellationToken ct)
    {
        if (request.Kind is not null && request.Kind != Detectors.Threshold)
        {
            return Problems.Invalid("kind", "POST creates threshold rules; the built-in detectors exist already: tune them with PUT");
        }
        var (valid, problem) = await FollowSearchAsync(dataSource, Validate(request, Detectors.Threshold), user, null, ct);
        if (problem is not null)
        {
            return problem;
        }
        var (rule, conflict) = await SaveAsync(dataSource, $"""
            insert into rules (name, kind, built_in, enabled, severity, parameters, filter, search_id, window_size, group_by, metric, threshold,
                channel_ids, min_severity, created_at, updated_at)
            values ($1, 'threshold', false, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
            returning {Rule.Columns}
            """, valid!, clock.GetUtcNow(), null, ct);
        if (rule is null)
        {
            return conflict!;
        }
        digestRules.Invalidate();
        await audit.RecordAsync(AuditActions.RuleCreated, Target(rule), Detail(rule), ct);
        return TypedResults.Created($"/api/rules/{rule.Id}", RuleResponse.Of(rule));
    }

    internal static async Task<Results<Ok<RuleResponse>, ValidationProblem, ProblemHttpResult>> UpdateRule(
        long id, RuleRequest request, ClaimsPrincipal user, NpgsqlDataSource dataSource, AuditLog audit, TimeProvider clock, DigestRules digestRules, CancellationToken ct)
    {
        if (await FindAsync(dataSource, id, ct) is not { } existing)
        {
            return Problems.NotFound("rule", id);
        }
        if (request.Kind is not null && request.Kind != existing.Kind)
        {
            return Problems.Invalid("kind", $"a rule keeps its kind: this one is {existing.Kind}");
        }
        var (valid, problem) = await FollowSearchAsync(dataSource, Validate(request, existing.Kind), user, existing.SearchId, ct);
        if (problem is not null)
        {
            return problem;
        }
        var (rule, conflict) = await SaveAsync(dataSource, $"""
            update rules set name = $1, enabled = $2, severity = $3, parameters = $4::jsonb, filter = $5, search_id = $6, window_size = $7,
                group_by = $8, metric = $9, threshold = $10, channel_ids = $11, min_severity = $12, updated_at = $13
            where id = $14
            returning {Rule.Columns}
            """, valid!, clock.GetUtcNow(), id, ct);
        if (conflict is not null)
        {
            return conflict;
        }
        if (rule is null)
        {
            return Problems.NotFound("rule", id);
        }
        digestRules.Invalidate();
        await audit.RecordAsync(AuditActions.RuleUpdated, Target(rule), Detail(rule), ct);
        return TypedResults.Ok(RuleResponse.Of(rule));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteRule(long id, NpgsqlDataSource dataSource, AuditLog audit, DigestRules digestRules, CancellationToken ct)
    {
        if (await FindAsync(dataSource, id, ct) is not { } rule)
        {
            return Problems.NotFound("rule", id);
        }
        if (rule.BuiltIn)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict",
                detail: $"The rule {id} is a built-in detector: disable it (enabled = false) instead.");
        }
        await using var command = dataSource.CreateCommand("delete from rules where id = $1 and not built_in");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        if (await command.ExecuteNonQueryAsync(ct) == 0)
        {
            return Problems.NotFound("rule", id);
        }
        digestRules.Invalidate();
        await audit.RecordAsync(AuditActions.RuleDeleted, Target(rule), Detail(rule), ct);
        return TypedResults.NoContent();
    }

    /// <summary>A request checked and completed with defaults, as the columns take it.</summary>
    private sealed record ValidRule(string Name, bool Enabled, string Severity, string Parameters, string? Filter, long? SearchId, string Window,
        string? GroupBy, string? Metric, long? Threshold, long[] ChannelIds, string MinSeverity);

    private static (ValidRule? Rule, ValidationProblem? Problem) Validate(RuleRequest request, string kind)
    {
        var errors = new Dictionary<string, string[]>();
        Dictionary<string, object?>? extensions = null;
        var detector = Detectors.Find(kind);
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100)
        {
            errors["name"] = ["A name of 1 to 100 characters is required."];
        }
        var severity = request.Severity ?? detector?.Severity ?? "medium";
        if (!Detectors.Severities.Contains(severity))
        {
            errors["severity"] = ["severity must be low, medium, high or critical"];
        }
        var minSeverity = request.MinSeverity ?? "low";
        if (!Detectors.Severities.Contains(minSeverity))
        {
            errors["minSeverity"] = ["minSeverity must be low, medium, high or critical"];
        }
        var window = request.Window ?? detector?.Window ?? "5m";
        if (!DetectionWindows.TryParse(window, out _))
        {
            errors["window"] = [$"window must be one of: {string.Join(", ", DetectionWindows.Sizes.Keys)}"];
        }
        var channels = request.ChannelIds ?? [];
        if (channels.Length > 50 || channels.Any(c => c <= 0))
        {
            errors["channelIds"] = ["at most 50 channel ids, each positive"];
        }
        if (request.SearchId is <= 0)
        {
            errors["searchId"] = ["searchId is a saved search's id"];
        }
        var parameters = "{}";
        string? filter = null;
        if (detector is not null)
        {
            var (values, error) = Detectors.Parameters(detector, request.Parameters);
            if (error is not null)
            {
                errors["parameters"] = [error];
            }
            parameters = JsonSerializer.Serialize(values);
            foreach (var (name, given) in new (string, object?)[]
                { ("filter", request.Filter), ("searchId", request.SearchId), ("groupBy", request.GroupBy), ("metric", request.Metric), ("threshold", request.Threshold) })
            {
                if (given is not null)
                {
                    errors[name] = [$"a built-in detector takes no {name}"];
                }
            }
        }
        else
        {
            if (request.Parameters is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given
                && (given.ValueKind != JsonValueKind.Object || given.EnumerateObject().Any()))
            {
                errors["parameters"] = ["a threshold rule takes no parameters"];
            }
            filter = string.IsNullOrWhiteSpace(request.Filter) ? null : request.Filter.Trim();
            if (filter is not null && FilterParser.Parse(filter).Error is { } error)
            {
                errors["filter"] = [error.ToString()];
                extensions = new() { ["position"] = error.Position };
            }
            if (request.GroupBy is null || !DetectionSql.IsGroupField(request.GroupBy))
            {
                errors["groupBy"] = [$"groupBy is one of: {string.Join(", ", DetectionSql.GroupFields)}"];
            }
            if (request.Metric is null || !Detectors.Metrics.Contains(request.Metric))
            {
                errors["metric"] = [$"metric is one of: {string.Join(", ", Detectors.Metrics)}"];
            }
            if (request.Threshold is null or < 0)
            {
                errors["threshold"] = ["threshold is a number of 0 or more: a group fires when its metric is greater"];
            }
        }
        if (errors.Count > 0)
        {
            return (null, TypedResults.ValidationProblem(errors, title: "The rule is not valid", extensions: extensions));
        }
        return (new ValidRule(request.Name!.Trim(), request.Enabled ?? true, severity, parameters, filter, request.SearchId, window,
            request.GroupBy?.ToLowerInvariant(), request.Metric, request.Threshold, channels, minSeverity), null);
    }

    /// <summary>
    /// A rule on a saved search takes the search's filter: the search is one the caller sees (their own or a shared
    /// one, or the one the rule follows already; anything else is a 400 that does not tell a private search from none),
    /// and a filter given with it is the same.
    /// </summary>
    private static async Task<(ValidRule? Rule, ValidationProblem? Problem)> FollowSearchAsync(NpgsqlDataSource dataSource,
        (ValidRule? Rule, ValidationProblem? Problem) validated, ClaimsPrincipal user, long? followed, CancellationToken ct)
    {
        if (validated.Rule is not { SearchId: { } searchId } rule)
        {
            return validated;
        }
        if (await SavedSearches.FindAsync(dataSource, searchId, ct) is not { } search
            || searchId != followed && !search.Shared && search.Owner != SavedSearches.OwnerOf(user))
        {
            return (null, Problems.Invalid("searchId", $"There is no saved search {searchId} you can see (your own or a shared one)."));
        }
        var filter = string.IsNullOrWhiteSpace(search.Filter) ? null : search.Filter.Trim();
        if (rule.Filter is not null && rule.Filter != filter)
        {
            return (null, Problems.Invalid("filter", $"A rule on a saved search takes the search's filter: leave filter out, or change the search ({search.Name})."));
        }
        return (rule with { Filter = filter }, null);
    }

    private static async Task<Rule?> FindAsync(NpgsqlDataSource dataSource, long id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {Rule.Columns} from rules where id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Rule.Read(reader) : null;
    }

    private static async Task<(Rule? Rule, ProblemHttpResult? Conflict)> SaveAsync(NpgsqlDataSource dataSource, string sql, ValidRule r, DateTimeOffset now, long? id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(sql);
        void Add(object? value, NpgsqlDbType type) => command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = type });
        Add(r.Name, NpgsqlDbType.Text);
        Add(r.Enabled, NpgsqlDbType.Boolean);
        Add(r.Severity, NpgsqlDbType.Text);
        Add(r.Parameters, NpgsqlDbType.Text);
        Add(r.Filter, NpgsqlDbType.Text);
        Add(r.SearchId, NpgsqlDbType.Bigint);
        Add(r.Window, NpgsqlDbType.Text);
        Add(r.GroupBy, NpgsqlDbType.Text);
        Add(r.Metric, NpgsqlDbType.Text);
        Add(r.Threshold, NpgsqlDbType.Bigint);
        Add(r.ChannelIds, NpgsqlDbType.Array | NpgsqlDbType.Bigint);
        Add(r.MinSeverity, NpgsqlDbType.Text);
        Add(now, NpgsqlDbType.TimestampTz);
        if (id is not null)
        {
            Add(id, NpgsqlDbType.Bigint);
        }
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            return (await reader.ReadAsync(ct) ? Rule.Read(reader) : null, null);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"A rule is named {r.Name} already."));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: $"The saved search {r.SearchId} was deleted meanwhile."));
        }
    }

    private static string Target(Rule rule) => $"rule:{Problems.Clip(rule.Name, 100)} (#{rule.Id})";

    private static string Detail(Rule rule) => Problems.Clip(rule.Kind == Detectors.Threshold
        ? $"{(rule.Enabled ? "enabled" : "disabled")}, {rule.Severity}, {rule.Metric} by {rule.GroupBy} > {rule.Threshold} per {rule.Window}, filter {rule.Filter ?? "-"}"
        : $"{(rule.Enabled ? "enabled" : "disabled")}, {rule.Severity}, {rule.Kind} per {rule.Window}, {JsonSerializer.Serialize(rule.Parameters)}", 300);
}
