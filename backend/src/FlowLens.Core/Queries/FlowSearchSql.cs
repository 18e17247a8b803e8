using System.Globalization;
using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Queries;

/// <summary>
/// Where a page of flows ends: the last flow's start, object and line, the order flows are listed in (newest
/// first). Opaque to clients (base64url); flows stored later for older times do not shift the next pages.
/// </summary>
public readonly record struct FlowCursor(DateTimeOffset Start, long ObjectId, int Line)
{
    public string Encode() => CursorText.Encode(Start.UtcTicks, ObjectId, Line);

    public static bool TryDecode(string? text, out FlowCursor cursor)
    {
        if (CursorText.Decode(text) is [var ticks, var objectId, var line]
            && CursorText.Number(ticks, out var t) && t <= DateTimeOffset.MaxValue.UtcTicks
            && CursorText.Number(objectId, out var o) && CursorText.Number(line, out var l) && l <= int.MaxValue)
        {
            cursor = new FlowCursor(new DateTimeOffset(t, TimeSpan.Zero), o, (int)l);
            return true;
        }
        cursor = default;
        return false;
    }
}

/// <summary>
/// The flow search: flows of a time range matching a filter, newest first, after a cursor. The range is walked in
/// windows from its end, 15 minutes first and twice as long each time (at most a day; an hour for exports), so that
/// a page of recent flows sorts only the newest records; PostgreSQL stops at the window that fills the page. A filter
/// that needs an address reads only the chunks whose Bloom filter may hold it (<see cref="AddressBloom"/>). The rows of the page
/// are unnested only in the columns the filter reads; their other fields are read by subscript, for the page alone.
/// </summary>
public static class FlowSearchSql
{
    private static readonly TimeSpan FirstWindow = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan LongestWindow = TimeSpan.FromDays(1);
    private static readonly TimeSpan LongestExportWindow = TimeSpan.FromHours(1);

    /// <summary>Every column of <c>flows</c>, by its name (text ids are ids into flow_strings), for a page's rows <c>p</c>.</summary>
    public static readonly string Columns = string.Join(",\n    ",
        FlowColumns.All.Select(c => $"{FlowChunks.Subscript(c.Column, "p")} as {c.Sql}"));

    /// <summary>The query; <paramref name="limit"/> null for an export of everything.</summary>
    public static (string Sql, IReadOnlyList<object> Parameters) Build(TimeRange range, FilterNode? filter, FlowCursor? after, int? limit)
    {
        // A flow at the cursor's second may still follow it: the walk starts one microsecond later.
        var end = after is { } c && c.Start < range.To ? c.Start.AddTicks(10) : range.To;
        var (lows, highs) = Windows(range.From, end, limit is null ? LongestExportWindow : LongestWindow);
        var parameters = new List<object> { lows, highs };
        var (chunks, condition, columns) = FilterParts(filter, parameters);
        var where = new List<string>();
        if (condition is not null)
        {
            where.Add(condition);
        }
        if (after is { } cursor)
        {
            parameters.Add(cursor.Start);
            parameters.Add(cursor.ObjectId);
            parameters.Add(cursor.Line);
            where.Add(string.Create(CultureInfo.InvariantCulture,
                $"(f.start, f.object_id, f.line) < (${parameters.Count - 2}, ${parameters.Count - 1}, ${parameters.Count})"));
        }
        var limitSql = "";
        if (limit is { } n)
        {
            parameters.Add((long)n);
            limitSql = $"\n        limit ${parameters.Count}";
        }
        // Windows in order, newest first, each sorted: the nested loop returns the page in order without sorting it
        // again, and the outer limit ends the walk at the window that fills the page.
        var sql = $"""
            select
                {Columns}
            from unnest($1::timestamptz[], $2::timestamptz[]) w(lo, hi)
            cross join lateral (
                select f.* from {FlowChunks.Rows(columns, "w.lo", "w.hi", chunks, arrays: true)} f
                where {(where.Count == 0 ? "true" : string.Join("\n            and ", where))}
                order by f.start desc, f.object_id desc, f.line desc{limitSql}) p{limitSql}
            """;
        return (sql, parameters);
    }

    /// <summary>
    /// What a filter adds to a query over the chunks <c>c</c>, its parameters appended to <paramref name="parameters"/>:
    /// the chunks' Bloom test when the filter needs one of some addresses (else null), the condition on a record (else
    /// null), and the columns a page's records are unnested in (the keyset's and the filter's). The search's and the
    /// feed's.
    /// </summary>
    internal static (string? Chunks, string? Condition, List<FlowColumn> Columns) FilterParts(FilterNode? filter, List<object> parameters)
    {
        string? chunks = null;
        if (filter is not null && MayHold(filter) is { } hashes)
        {
            parameters.Add(hashes.H1);
            parameters.Add(hashes.H2);
            chunks = $"flowlens_may_hold(c.bloom, ${parameters.Count - 1}::bigint[], ${parameters.Count}::bigint[])";
        }
        var columns = new List<FlowColumn> { FlowColumn.Start, FlowColumn.ObjectId, FlowColumn.SourceId, FlowColumn.Line };
        string? condition = null;
        if (filter is not null)
        {
            (condition, var values) = FilterSql.Build(filter, parameters.Count + 1);
            parameters.AddRange(values);
            columns.AddRange(FilterSql.Columns(filter).Select(FlowColumns.Named));
        }
        return (chunks, condition, columns);
    }

    /// <summary>
    /// The <see cref="AddressBloom.Hashes"/> of the addresses a matching flow has one of, or null when there are none
    /// (or one is not a plain address): a chunk whose filter holds none of them is not read.
    /// </summary>
    private static (long[] H1, long[] H2)? MayHold(FilterNode filter)
    {
        if (FilterSql.RequiredAddresses(filter) is not { } addresses)
        {
            return null;
        }
        var h1 = new long[addresses.Length];
        var h2 = new long[addresses.Length];
        for (var i = 0; i < addresses.Length; i++)
        {
            if (!FlowAddress.TryParse(addresses[i], out var address))
            {
                return null;
            }
            (h1[i], h2[i]) = AddressBloom.Hashes(address);
        }
        return (h1, h2);
    }

    /// <summary>The windows from <paramref name="end"/> back to <paramref name="start"/>, newest first.</summary>
    public static (DateTimeOffset[] Lows, DateTimeOffset[] Highs) Windows(DateTimeOffset start, DateTimeOffset end, TimeSpan longest)
    {
        var lows = new List<DateTimeOffset>();
        var highs = new List<DateTimeOffset>();
        var size = FirstWindow < longest ? FirstWindow : longest;
        for (var high = end; high > start; size = size * 2 < longest ? size * 2 : longest)
        {
            var low = high - start > size ? high - size : start;
            lows.Add(low);
            highs.Add(high);
            high = low;
        }
        return ([.. lows], [.. highs]);
    }
}
