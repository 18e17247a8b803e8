using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Hosting;
using FlowLens.Api.Queries;
using FlowLens.Core.Detections;
using FlowLens.Core.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.Detections;

/// <summary>What the rules found, and their triage: viewers may acknowledge, resolve, assign and mute (docs/detections.md).</summary>
public static class FindingsApi
{
    public const int MaxLimit = 500, MaxBulk = 1000;

    public static readonly IReadOnlyList<string> Statuses = ["open", "acknowledged", "resolved", "muted"];

    public static void MapFindings(this IEndpointRouteBuilder app)
    {
        var findings = app.MapGroup("/api/findings").WithTags("Detections");
        findings.MapGet("/", ListFindings).RequireAuthorization(Policies.Viewer).WithSummary("Findings, most recently seen first, a page at a time.");
        findings.MapGet("/counts", GetCounts).WithName("countFindings").RequireAuthorization(Policies.Viewer).WithSummary("Open findings by severity, and the acknowledged ones.");
        findings.MapGet("/{id:long}", GetFinding).RequireAuthorization(Policies.Viewer).WithSummary("One finding.");
        findings.MapPatch("/{id:long}", PatchFinding).WithName("updateFinding").RequireAuthorization(Policies.Viewer).WithSummary("Triage: status, assignee, muted-until.");
        findings.MapPost("/bulk", BulkFindings).WithName("updateFindings").RequireAuthorization(Policies.Viewer).WithSummary("Sets the status of many findings at once.");
    }

    /// <param name="Key">The group the rule fired for: an address, <c>srcaddr -> dstaddr</c>, <c>srcaddr -> port N</c>, or a threshold rule's group value.</param>
    /// <param name="Count">How many windows it fired in.</param>
    /// <param name="FirstSeen">The first flow of it seen, in data time.</param>
    /// <param name="LastSeen">The last flow of it seen, in data time.</param>
    /// <param name="Evidence">A filter and range that open the explorer on its flows.</param>
    /// <param name="Details">What the rule saw in the last window it fired in (ports, hosts, flows, the metric's value...).</param>
    /// <param name="OpenedAt">When it was opened or last reopened (wall time).</param>
    /// <param name="NotifiedAt">When its notifications were sent, if they were.</param>
    public sealed record FindingResponse(long Id, long RuleId, string RuleName, string RuleKind, string Key, string Severity, string Status,
        DateTimeOffset? MutedUntil, string? Assignee, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long Count, Evidence Evidence,
        JsonElement Details, DateTimeOffset OpenedAt, DateTimeOffset? NotifiedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    /// <param name="Filter">A filter (docs/filters.md) of the finding's flows.</param>
    /// <param name="From">Start of the range, inclusive (the first window it fired in since opened).</param>
    /// <param name="To">End of the range, exclusive.</param>
    public sealed record Evidence(string Filter, DateTimeOffset From, DateTimeOffset To);

    /// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last.</param>
    public sealed record FindingPage(List<FindingResponse> Items, string? NextCursor);

    /// <param name="Status"><c>open</c>, <c>acknowledged</c>, <c>resolved</c> or <c>muted</c> (with <c>mutedUntil</c>).</param>
    /// <param name="Assignee">Who handles it (at most 200 characters); empty: nobody.</param>
    /// <param name="MutedUntil">With status muted: until when (in the future); it reopens if it fires after.</param>
    public sealed record FindingPatch(string? Status, string? Assignee, DateTimeOffset? MutedUntil);

    /// <param name="Ids">1 to 1000 finding ids.</param>
    public sealed record BulkRequest(long[]? Ids, string? Status, DateTimeOffset? MutedUntil);

    /// <param name="Updated">How many of the ids were findings (and now have the status).</param>
    public sealed record BulkResponse(int Updated);

    /// <summary>Open findings by severity, their total, and the acknowledged ones.</summary>
    public sealed record FindingCounts(long Low, long Medium, long High, long Critical, long Open, long Acknowledged);

    private const string Columns = """
        f.id, f.rule_id, r.name, r.kind, f.group_key, f.severity, f.status, f.muted_until, f.assignee, f.first_seen, f.last_seen, f.count,
        f.evidence_filter, f.evidence_from, f.evidence_to, f.details::text, f.opened_at, f.notified_at, f.created_at, f.updated_at
        """;

    /// <summary>Findings.</summary>
    /// <param name="status" example="open,acknowledged">Statuses, comma-separated (default all).</param>
    /// <param name="severity" example="high,critical">Severities, comma-separated (default all).</param>
    /// <param name="ruleId" example="1">Only this rule's.</param>
    /// <param name="key" example="203.0.113.9">Only those whose key contains this text.</param>
    /// <param name="from" example="now-24h">Only those last seen at or after this (ISO 8601 or now-24h).</param>
    /// <param name="to" example="now">Only those first seen before this.</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    /// <param name="limit" example="50">1 to 500 (default 50).</param>
    internal static async Task<Results<Ok<FindingPage>, ValidationProblem>> ListFindings(NpgsqlDataSource dataSource, TimeProvider clock, ClaimsPrincipal caller,
        string? status, string? severity, long? ruleId, string? key, string? from, string? to, string? cursor, int? limit, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var statuses = List(status);
        var severities = List(severity);
        var (count, limitProblem) = QueryRequest.Limit("limit", limit, 50, MaxLimit);
        ValidationProblem? problem = limitProblem;
        if (statuses?.FirstOrDefault(s => !Statuses.Contains(s)) is { } badStatus)
        {
            problem = Problems.Invalid("status", $"'{Problems.Clip(badStatus, 50)}' is not a status: open, acknowledged, resolved or muted");
        }
        if (severities?.FirstOrDefault(s => !Detectors.Severities.Contains(s)) is { } badSeverity)
        {
            problem = Problems.Invalid("severity", $"'{Problems.Clip(badSeverity, 50)}' is not a severity: low, medium, high or critical");
        }
        DateTimeOffset fromInstant = default, toInstant = default;
        if (from is not null && !TimeRange.TryParseInstant(from, now, out fromInstant))
        {
            problem = Problems.Invalid("from", TimeRange.InstantError(Problems.Clip(from, 50)));
        }
        if (to is not null && !TimeRange.TryParseInstant(to, now, out toInstant))
        {
            problem = Problems.Invalid("to", TimeRange.InstantError(Problems.Clip(to, 50)));
        }
        (DateTimeOffset LastSeen, long Id)? after = null;
        if (cursor is not null)
        {
            var parts = cursor.Split('_');
            if (parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var micros) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var id))
            {
                after = (DateTimeOffset.UnixEpoch.AddTicks(micros * 10), id);
            }
            else
            {
                problem = Problems.Invalid("cursor", "cursor is the nextCursor of a previous page");
            }
        }
        if (problem is not null)
        {
            return problem;
        }

        var conditions = new List<string>();
        await using var command = dataSource.CreateCommand();
        string Parameter(object value, NpgsqlDbType type)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
            return "$" + command.Parameters.Count.ToString(CultureInfo.InvariantCulture);
        }
        conditions.Add(Parameter(CallerScope.SeesAll(caller), NpgsqlDbType.Boolean));
        if (statuses is not null)
        {
            conditions.Add($"f.status = any({Parameter(statuses, NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        }
        if (severities is not null)
        {
            conditions.Add($"f.severity = any({Parameter(severities, NpgsqlDbType.Array | NpgsqlDbType.Text)})");
        }
        if (ruleId is not null)
        {
            conditions.Add($"f.rule_id = {Parameter(ruleId, NpgsqlDbType.Bigint)}");
        }
        if (!string.IsNullOrEmpty(key))
        {
            conditions.Add($"strpos(f.group_key, {Parameter(key, NpgsqlDbType.Text)}) > 0");
        }
        if (from is not null)
        {
            conditions.Add($"f.last_seen >= {Parameter(fromInstant, NpgsqlDbType.TimestampTz)}");
        }
        if (to is not null)
        {
            conditions.Add($"f.first_seen < {Parameter(toInstant, NpgsqlDbType.TimestampTz)}");
        }
        if (after is { } a)
        {
            conditions.Add($"(f.last_seen, f.id) < ({Parameter(a.LastSeen, NpgsqlDbType.TimestampTz)}, {Parameter(a.Id, NpgsqlDbType.Bigint)})");
        }
        command.CommandText = $"""
            select {Columns}
            from findings f join rules r on r.id = f.rule_id
            where {string.Join(" and ", conditions)}
            order by f.last_seen desc, f.id desc
            limit {Parameter((long)count + 1, NpgsqlDbType.Bigint)}
            """;
        var items = new List<FindingResponse>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(Read(reader));
            }
        }
        string? next = null;
        if (items.Count > count)
        {
            items.RemoveAt(count);
            var last = items[^1];
            next = $"{(last.LastSeen - DateTimeOffset.UnixEpoch).Ticks / 10}_{last.Id}";
        }
        return TypedResults.Ok(new FindingPage(items, next));
    }

    internal static async Task<Results<Ok<FindingResponse>, ProblemHttpResult>> GetFinding(long id, ClaimsPrincipal caller, NpgsqlDataSource dataSource, CancellationToken ct) =>
        await FindAsync(dataSource, id, CallerScope.SeesAll(caller), ct) is { } finding ? TypedResults.Ok(finding) : Problems.NotFound("finding", id);

    internal static async Task<Ok<FindingCounts>> GetCounts(ClaimsPrincipal caller, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            select count(*) filter (where status = 'open' and severity = 'low'), count(*) filter (where status = 'open' and severity = 'medium'),
                count(*) filter (where status = 'open' and severity = 'high'), count(*) filter (where status = 'open' and severity = 'critical'),
                count(*) filter (where status = 'open'), count(*) filter (where status = 'acknowledged')
            from findings where status in ('open', 'acknowledged') and $1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = CallerScope.SeesAll(caller) });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return TypedResults.Ok(new FindingCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
    }

    internal static async Task<Results<Ok<FindingResponse>, ValidationProblem, ProblemHttpResult>> PatchFinding(
        long id, FindingPatch patch, ClaimsPrincipal caller, NpgsqlDataSource dataSource, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (StatusProblem(patch.Status, patch.MutedUntil, now) is { } invalid)
        {
            return invalid;
        }
        if (patch.Assignee?.Trim().Length > 200)
        {
            return Problems.Invalid("assignee", "The assignee is at most 200 characters.");
        }
        if (patch.Status is null && patch.Assignee is null)
        {
            return Problems.Invalid("status", "Give a status, an assignee, or both.");
        }
        await using var command = dataSource.CreateCommand("""
            update findings set
                status = coalesce($2, status),
                muted_until = case when $2 is null then muted_until when $2 = 'muted' then $3 else null end,
                assignee = case when $4::text is null then assignee else nullif($4, '') end,
                updated_at = $5
            where id = $1 and $6
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)patch.Status ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)patch.MutedUntil ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)patch.Assignee?.Trim() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = CallerScope.SeesAll(caller) });
        if (await command.ExecuteNonQueryAsync(ct) == 0)
        {
            return Problems.NotFound("finding", id);
        }
        var finding = (await FindAsync(dataSource, id, true, ct))!;
        await audit.RecordAsync(AuditActions.FindingUpdated, $"finding:#{id} ({Problems.Clip(finding.Key, 100)})",
            $"status {finding.Status}{(finding.MutedUntil is { } until ? $" until {until:o}" : "")}, assignee {Problems.Clip(finding.Assignee ?? "-", 100)}", ct);
        return TypedResults.Ok(finding);
    }

    internal static async Task<Results<Ok<BulkResponse>, ValidationProblem>> BulkFindings(
        BulkRequest request, ClaimsPrincipal caller, NpgsqlDataSource dataSource, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (request.Ids is not { Length: > 0 and <= MaxBulk })
        {
            return Problems.Invalid("ids", $"1 to {MaxBulk} finding ids");
        }
        if (request.Status is null)
        {
            return Problems.Invalid("status", "status is required");
        }
        if (StatusProblem(request.Status, request.MutedUntil, now) is { } invalid)
        {
            return invalid;
        }
        await using var command = dataSource.CreateCommand("""
            update findings set status = $2, muted_until = case when $2 = 'muted' then $3 end, updated_at = $4
            where id = any($1) and $5
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = request.Ids.Distinct().ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = request.Status, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)request.MutedUntil ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = CallerScope.SeesAll(caller) });
        var updated = await command.ExecuteNonQueryAsync(ct);
        await audit.RecordAsync(AuditActions.FindingsBulkUpdated, $"findings:{updated}",
            Problems.Clip($"status {request.Status} for #{string.Join(", #", request.Ids.Distinct())}", 300), ct);
        return TypedResults.Ok(new BulkResponse(updated));
    }

    private static ValidationProblem? StatusProblem(string? status, DateTimeOffset? mutedUntil, DateTimeOffset now)
    {
        if (status is not null && !Statuses.Contains(status))
        {
            return Problems.Invalid("status", "status must be open, acknowledged, resolved or muted");
        }
        if (status == "muted" && (mutedUntil is null || mutedUntil <= now))
        {
            return Problems.Invalid("mutedUntil", "muting takes a mutedUntil in the future");
        }
        if (status != "muted" && mutedUntil is not null)
        {
            return Problems.Invalid("mutedUntil", "mutedUntil goes with status muted");
        }
        return null;
    }

    private static List<string>? List(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(s => s.ToLowerInvariant())];

    private static async Task<FindingResponse?> FindAsync(NpgsqlDataSource dataSource, long id, bool visible, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from findings f join rules r on r.id = f.rule_id where f.id = $1 and $2");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = visible });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static FindingResponse Read(NpgsqlDataReader r)
    {
        DateTimeOffset? Optional(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
        using var details = JsonDocument.Parse(r.GetString(15));
        return new FindingResponse(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
            Optional(7), r.IsDBNull(8) ? null : r.GetString(8), r.GetFieldValue<DateTimeOffset>(9), r.GetFieldValue<DateTimeOffset>(10), r.GetInt64(11),
            new Evidence(r.GetString(12), r.GetFieldValue<DateTimeOffset>(13), r.GetFieldValue<DateTimeOffset>(14)), details.RootElement.Clone(),
            r.GetFieldValue<DateTimeOffset>(16), Optional(17), r.GetFieldValue<DateTimeOffset>(18), r.GetFieldValue<DateTimeOffset>(19));
    }
}
