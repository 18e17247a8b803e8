using FlowLens.Api.Data;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Hosting;
using FlowLens.Api.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FlowLens.Api.Features.Audit;

public static class AuditApi
{
    public static void MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ListEvents).WithName("listAuditEvents").WithTags("Audit").RequireAuthorization(Policies.Admin)
            .WithSummary("Security-relevant actions (keys, sources, syncs), newest first.");
    }

    public sealed record AuditPage(List<AuditEvent> Items, long? NextBefore);

    /// <summary>Audit events.</summary>
    /// <param name="action" example="key.created">Only this action.</param>
    /// <param name="actor" example="user:alice">Only events whose actor contains this text (case-insensitive): <c>user:alice@example.com</c>, <c>key:siem (#4)</c>.</param>
    /// <param name="from" example="2026-12-01T00:00:00Z">Only events at or after this instant (ISO 8601).</param>
    /// <param name="to" example="2026-12-02T00:00:00Z">Only events before this instant (ISO 8601).</param>
    /// <param name="limit" example="100">Events per page, 1 to 1000 (default 100).</param>
    /// <param name="before">The <c>nextBefore</c> of the previous page: events with a smaller id.</param>
    internal static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListEvents(
        FlowLensDb db, string? action, string? actor, DateTimeOffset? from, DateTimeOffset? to, int? limit, long? before, CancellationToken ct)
    {
        var (count, problem) = QueryRequest.Limit("limit", limit, 100, 1000);
        if (problem is not null)
        {
            return problem;
        }
        if (from is not null && to is not null && from >= to)
        {
            return Problems.Invalid("to", "The end must come after the start (from).");
        }
        var query = db.AuditEvents.AsNoTracking().Where(e => before == null || e.Id < before);
        if (action is not null)
        {
            query = query.Where(e => e.Action == action);
        }
        if (!string.IsNullOrEmpty(actor))
        {
            var text = actor.ToLowerInvariant();
            query = query.Where(e => e.Actor.ToLower().Contains(text));
        }
        if (from is { } start)
        {
            query = query.Where(e => e.At >= start);
        }
        if (to is { } end)
        {
            query = query.Where(e => e.At < end);
        }
        var items = await query.OrderByDescending(e => e.Id).Take(count + 1).ToListAsync(ct);
        var page = items.Take(count).ToList();
        return TypedResults.Ok(new AuditPage(page, items.Count > count ? page[^1].Id : null));
    }
}
