using System.Buffers.Text;
using System.Globalization;
using System.Text;
using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Queries;

/// <summary>
/// Where a page of flows ends: the last flow's start, object and line, the order flows are listed in (newest
/// first). Opaque to clients (base64url); flows stored later for older times do not shift the next pages.
/// </summary>
public readonly record struct FlowCursor(DateTimeOffset Start, long ObjectId, int Line)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"{Start.UtcTicks}.{ObjectId}.{Line}")));

    public static bool TryDecode(string? text, out FlowCursor cursor)
    {
        cursor = default;
        try
        {
            var parts = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(text)).Split('.');
            if (parts.Length == 3
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var objectId)
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var line))
            {
                cursor = new FlowCursor(new DateTimeOffset(ticks, TimeSpan.Zero), objectId, line);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        return false;
    }
}

/// <summary>The flow search: flows of a time range matching a filter, newest first, after a cursor.</summary>
public static class FlowSearchSql
{
    /// <summary>Every column of <c>flows</c> (text ids are ids into flow_strings); rows before <c>line</c> existed read 0.</summary>
    public static readonly string Columns = string.Join(",\n    ",
        FlowColumns.All.Select(c => c.Column == FlowColumn.Line ? "coalesce(line, 0) as line" : c.Sql));

    /// <summary>The query; <paramref name="limit"/> null for an export of everything.</summary>
    public static (string Sql, IReadOnlyList<object> Parameters) Build(TimeRange range, FilterNode? filter, FlowCursor? after, int? limit)
    {
        var parameters = new List<object> { range.From, range.To };
        var sql = new StringBuilder($"select\n    {Columns}\nfrom flows\nwhere start >= $1 and start < $2");
        if (filter is not null)
        {
            var (condition, values) = FilterSql.Build(filter, parameters.Count + 1);
            parameters.AddRange(values);
            sql.Append("\n  and ").Append(condition);
        }
        if (after is { } cursor)
        {
            parameters.Add(cursor.Start);
            parameters.Add(cursor.ObjectId);
            parameters.Add(cursor.Line);
            sql.Append(CultureInfo.InvariantCulture,
                $"\n  and (start, object_id, coalesce(line, 0)) < (${parameters.Count - 2}, ${parameters.Count - 1}, ${parameters.Count})");
        }
        sql.Append("\norder by start desc, object_id desc, coalesce(line, 0) desc");
        if (limit is { } n)
        {
            parameters.Add((long)n);
            sql.Append(CultureInfo.InvariantCulture, $"\nlimit ${parameters.Count}");
        }
        return (sql.ToString(), parameters);
    }
}
