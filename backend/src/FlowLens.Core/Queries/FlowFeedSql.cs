using System.Globalization;
using FlowLens.Core.Filters;

namespace FlowLens.Core.Queries;

/// <summary>
/// Where the flow feed stands: after the record <paramref name="Ord"/> of the chunk of object
/// <paramref name="ObjectId"/> starting at line <paramref name="Line0"/> that transaction <paramref name="Xid"/>
/// stored. Chunks in that order, records in their chunk's order: a total order that a page can stop anywhere in.
/// Opaque to clients (base64url).
/// </summary>
public readonly record struct FeedCursor(ulong Xid, long ObjectId, int Line0, int Ord) : IComparable<FeedCursor>
{
    /// <summary>Before every record that transaction <paramref name="xid"/> or a later one stored.</summary>
    public static FeedCursor Before(ulong xid) => new(xid - 1, long.MaxValue, int.MaxValue, int.MaxValue);

    public int CompareTo(FeedCursor other) =>
        (Xid, ObjectId, Line0, Ord).CompareTo((other.Xid, other.ObjectId, other.Line0, other.Ord));

    public string Encode() => CursorText.Encode("feed", Xid, ObjectId, Line0, Ord);

    public static bool TryDecode(string? text, out FeedCursor cursor)
    {
        if (CursorText.Decode(text) is ["feed", var xid, var objectId, var line0, var ord]
            && ulong.TryParse(xid, NumberStyles.None, CultureInfo.InvariantCulture, out var x) && x > 0
            && CursorText.Number(objectId, out var o) && CursorText.Number(line0, out var l) && l <= int.MaxValue
            && CursorText.Number(ord, out var n) && n <= int.MaxValue)
        {
            cursor = new FeedCursor(x, o, (int)l, (int)n);
            return true;
        }
        cursor = default;
        return false;
    }
}

/// <summary>
/// The flow feed: flows in the order they were stored (each chunk's <c>stored_xid</c>, the transaction that stored
/// it), after a cursor, so that a tool pulling new flows again and again gets each once, late ones for old times
/// included. Only transactions below the horizon are read: the oldest transaction still running when the call
/// began. Every transaction before it has committed or rolled back, so nothing can later be stored before the
/// cursor; a long ingestion holds the feed back for as long as it runs, and never makes it skip.
/// </summary>
public static class FlowFeedSql
{
    /// <summary>
    /// The horizon (<c>pg_snapshot_xmin</c>), and the first transaction that stored a chunk at or after <c>$1</c>, where a
    /// feed without a cursor starts (null: none yet; not looked for when <c>$1</c> is null, as with a cursor). Both as
    /// text: <c>xid8</c> has no binary reader in every driver.
    /// </summary>
    public const string HorizonSql = """
        select pg_snapshot_xmin(pg_current_snapshot())::text as horizon,
            (select min(stored_xid) from flow_chunks where $1::timestamptz is not null and stored_at >= $1::timestamptz)::text as first
        """;

    /// <summary>
    /// The query for up to <paramref name="limit"/> flows after <paramref name="after"/> stored below <paramref name="horizon"/>,
    /// from <paramref name="chunks"/> chunks at most. Each chunk it reads gives its matching flows, or one row without a
    /// flow (<c>feed_ord</c> null) when none matches: the caller sees where the reading stopped either way. A filter on
    /// addresses passes over the chunks whose Bloom filter rules them out: they cannot match, and are not counted.
    /// </summary>
    public static (string Sql, IReadOnlyList<object> Parameters) Build(FilterNode? filter, FeedCursor after, ulong horizon, int limit, int chunks)
    {
        var parameters = new List<object>
        {
            horizon.ToString(CultureInfo.InvariantCulture), after.Xid.ToString(CultureInfo.InvariantCulture), after.ObjectId, after.Line0, after.Ord,
        };
        var (mayHold, condition, columns) = FlowSearchSql.FilterParts(filter, parameters);
        var bloom = mayHold is null ? "" : "\n        and " + mayHold;
        var where = condition ?? "true";
        parameters.Add((long)chunks);
        var chunkLimit = parameters.Count;
        // A page is at most the flows asked and one row per chunk without a match.
        parameters.Add((long)limit + chunks);
        // The chunks in the feed's order, straight from the index on (stored_xid, object_id, line0) (a merge of the
        // partitions' index scans: the limit spares a sort of the whole backlog); each unpacked in turn, its records in
        // order. Chunks whose Bloom filter rules the filter's addresses out are passed over, and not counted.
        var sql = $"""
            select
                {FlowSearchSql.Columns},
                c.stored_xid::text as feed_xid, c.object_id as feed_object_id, c.line0 as feed_line0, p.ord as feed_ord
            from (
                select c.* from flow_chunks c
                where c.stored_xid < $1::xid8 and c.stored_xid >= $2::xid8
                    and (c.stored_xid, c.object_id, c.line0) >= ($2::xid8, $3, $4){bloom}
                order by c.stored_xid, c.object_id, c.line0
                limit ${chunkLimit}) c
            left join lateral (
                select f.* from {FlowChunks.RecordsOf(columns, arrays: true)} f
                where {where}
                    and (c.stored_xid, c.object_id, c.line0, f.ord) > ($2::xid8, $3, $4, $5)
                order by f.ord) p on true
            limit ${parameters.Count}
            """;
        return (sql, parameters);
    }
}
