using System.Globalization;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Hosting;
using FlowLens.Api.Queries;
using FlowLens.Core.Filters;
using FlowLens.Core.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlowLens.Api.Features.Flows;

/// <summary>
/// The flow feed: flows in the order FlowLens stored them, for a tool that pulls what is new again and again (a
/// SIEM, a SOAR playbook) and must miss nothing that arrives late for an old time (docs/api-recipes.md).
/// </summary>
public static class FlowFeedApi
{
    public static void MapFlowFeed(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/flows/feed", GetFlowFeed).WithTags("Flows").RequireAuthorization(Policies.Viewer).LimitQueries()
            .WithSummary("Flows in the order they were stored, after a cursor: pull it again with the answer's cursor to get each new flow once, late ones included.");
    }

    /// <param name="Items">The flows, in the order they were stored (as a search lists them, each with its context).</param>
    /// <param name="Cursor">Pass as <c>cursor</c> next time: after these flows, or after everything stored so far when <c>more</c> is false. Always set.</param>
    /// <param name="More">True when there is more to read at once: call again (a page may hold fewer flows than asked, even none, when the filter matched few of the flows one call reads). False: the feed is caught up; call again later (a minute, say).</param>
    public sealed record FlowFeedPage(List<FlowItem> Items, string Cursor, bool More)
    {
        public static FlowFeedPage Example => new([FlowItem.Example], new FeedCursor(7_340_221, 42, 1, 1877).Encode(), true);
    }

    /// <summary>Reads the flow feed.</summary>
    /// <param name="q" example="action = REJECT">A filter, as in the search (docs/filters.md): the feed holds only the flows it matches.</param>
    /// <param name="cursor">The <c>cursor</c> of the last answer; none to start the feed.</param>
    /// <param name="from" example="now-5m">Where a feed without a cursor starts: the flows stored at or after it, ISO 8601 UTC or relative (<c>now-5m</c>). Default: an hour ago. Ignored with a cursor.</param>
    /// <param name="limit" example="1000">Flows per page, 1 to 10000 (default 1000).</param>
    internal static async Task<Results<Ok<FlowFeedPage>, ValidationProblem>> GetFlowFeed(
        HttpContext http, QueryDatabase database, ContextFilters context, FlowStrings strings, AddressDescriber describer, TimeProvider clock,
        string? q, string? cursor, string? from, int? limit, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        FeedCursor? after = null;
        var start = now.AddHours(-1);
        if (cursor is not null)
        {
            if (!FeedCursor.TryDecode(cursor, out var decoded))
            {
                return Problems.Invalid("cursor", "cursor is not a cursor of the flow feed");
            }
            after = decoded;
        }
        else if (from is not null && !TimeRange.TryParseInstant(from, now, out start))
        {
            return Problems.Invalid("from", TimeRange.InstantError(from));
        }
        var (pageSize, limitProblem) = QueryRequest.Limit("limit", limit, 1000, FlowsApi.MaxLimit);
        if (limitProblem is not null)
        {
            return limitProblem;
        }
        var (filter, filterError) = FilterParser.Parse(q, database.FilterLimits);
        if (filterError is not null)
        {
            return Problems.InvalidFilter(filterError);
        }
        // Stored flows may be of any time: context names are resolved over all of it.
        var scope = CallerScope.Of(http.User);
        filter = scope.Restrict(await context.ResolveAsync(filter, new TimeRange(DateTimeOffset.UnixEpoch, now.AddDays(1)), ct));

        ulong horizon;
        await using (var reader = await database.ReadAsync(http, FlowFeedSql.HorizonSql, [after is null ? start : DBNull.Value], ct))
        {
            await reader.ReadAsync(ct);
            horizon = ulong.Parse(reader.GetString(0), CultureInfo.InvariantCulture);
            after ??= FeedCursor.Before(reader.IsDBNull(1) ? horizon : ulong.Parse(reader.GetString(1), CultureInfo.InvariantCulture));
        }

        // One more than asked tells whether the page is full; the chunks read, whether the reading stopped short of the horizon.
        var (sql, parameters) = FlowFeedSql.Build(filter, after.Value, horizon, pageSize + 1, database.FeedChunksPerCall);
        var items = new List<(StoredFlow Flow, FeedCursor At)>();
        var (chunks, lastChunk) = (0, default(FeedCursor));
        await using (var reader = await database.ReadAsync(http, sql, parameters, ct))
        {
            var flows = new FlowRows(reader, strings);
            var (xid, objectId, line0, ord) = (reader.GetOrdinal("feed_xid"), reader.GetOrdinal("feed_object_id"), reader.GetOrdinal("feed_line0"), reader.GetOrdinal("feed_ord"));
            while (items.Count <= pageSize && await reader.ReadAsync(ct))
            {
                // The end of this row's chunk: where the next call starts once the chunk is read whole.
                var chunk = new FeedCursor(ulong.Parse(reader.GetString(xid), CultureInfo.InvariantCulture), reader.GetInt64(objectId), reader.GetInt32(line0), int.MaxValue);
                if (chunk != lastChunk)
                {
                    (chunks, lastChunk) = (chunks + 1, chunk);
                }
                if (!reader.IsDBNull(ord))
                {
                    items.Add((flows.Read(), chunk with { Ord = reader.GetInt32(ord) }));
                }
            }
        }
        var full = items.Count > pageSize;
        var page = items.Take(pageSize).ToList();
        // A full page goes on after its last flow; a page of every chunk it could read, after the last of them; a page
        // that reached the horizon, from the horizon (so that the next call does not read again what matched nothing).
        var (next, more) = full ? (page[^1].At, true)
            : chunks == database.FeedChunksPerCall ? (lastChunk, true)
            : (Max(after.Value, FeedCursor.Before(horizon)), false);
        var contexts = await FlowContext.DescribeAsync([.. page.Select(i => i.Flow)], describer, scope, ct);
        return TypedResults.Ok(new FlowFeedPage([.. page.Select((item, i) => FlowItem.From(item.Flow, contexts[i]))], next.Encode(), more));
    }

    private static FeedCursor Max(FeedCursor a, FeedCursor b) => a.CompareTo(b) >= 0 ? a : b;
}
