using FlowLens.Api.Data;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace FlowLens.Api.Features.Audit;

public static class AuditApi
{
    public static void MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ListEvents).WithTags("Audit").RequireAuthorization(Policies.Admin)
            .WithSummary("Security-relevant actions (keys, sources, syncs), newest first.");
    }

    public sealed record AuditPage(List<AuditEvent> Items, long? NextBefore);

    /// <summary>Audit events.</summary>
    /// <param name="action" example="key.created">Only this action.</param>
    /// <param name="limit" example="100">Events per page, 1 to 1000 (default 100).</param>
    /// <param name="before">The <c>nextBefore</c> of the previous page: events with a smaller id.</param>
    internal static async Task<Results<Ok<AuditPage>, ValidationProblem>> ListEvents(FlowLensDb db, string? action, int? limit, long? before, CancellationToken ct)
    {
        var (count, problem) = QueryRequest.Limit("limit", limit, 100, 1000);
        if (problem is not null)
        {
            return problem;
        }
        var query = db.AuditEvents.AsNoTracking().Where(e => before == null || e.Id < before);
        if (action is not null)
        {
            query = query.Where(e => e.Action == action);
        }
        var items = await query.OrderByDescending(e => e.Id).Take(count + 1).ToListAsync(ct);
        var page = items.Take(count).ToList();
        return TypedResults.Ok(new AuditPage(page, items.Count > count ? page[^1].Id : null));
    }
}
