using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Queries;

/// <summary>
/// How flows are stored: <c>flow_chunks</c> holds up to <see cref="Records"/> records of one object and one
/// <see cref="Period"/> per row, one array per field (compressed by PostgreSQL), plus a Bloom filter of the chunk's
/// addresses (<c>bloom</c>, <see cref="AddressBloom"/>). A query reads flows as rows through <see cref="Rows"/>: a
/// subquery that unnests only the arrays it is asked for, from only the chunks its conditions keep. The view
/// <c>flows</c> is the same with every column, for people and tests (it cannot skip chunks by time).
/// </summary>
public static class FlowChunks
{
    /// <summary>Records per chunk at most: small enough that one address's search unpacks little, large enough that a
    /// row's header and the arrays' own headers cost under 1 byte a record.</summary>
    public const int Records = 2000;

    /// <summary>The span of one partition of <c>flow_chunks</c>; a chunk never crosses one, so a chunk whose records
    /// start at or after <c>from</c> starts after <c>from - Period</c>.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromHours(6);

    /// <summary>The partition <paramref name="start"/> belongs to, as the start of its period.</summary>
    public static DateTimeOffset PeriodOf(DateTimeOffset start) =>
        new(start.UtcTicks - start.UtcTicks % Period.Ticks, TimeSpan.Zero);

    /// <summary>
    /// The array of <c>flow_chunks</c> that holds a column of <c>flows</c>, or null for the chunk's own columns
    /// (<c>object_id</c>, <c>source_id</c>). <c>start</c> and <c>end</c> are seconds after the chunk's <c>base</c>;
    /// <c>line</c> is null when the chunk's lines follow each other from <c>line0</c>.
    /// </summary>
    public static string? ArrayOf(FlowColumn column) => column switch
    {
        FlowColumn.ObjectId or FlowColumn.SourceId => null,
        FlowColumn.Start => "t",
        FlowColumn.End => "e",
        _ => FlowColumns.Info(column).Name,
    };

    /// <summary>The arrays of <c>flow_chunks</c>, in the order COPY writes them.</summary>
    public static readonly IReadOnlyList<string> Arrays = [.. FlowColumns.All.Select(c => ArrayOf(c.Column)).OfType<string>()];

    /// <summary>A column's value in a record, from the chunk <c>c</c> and its unnested arrays <c>u</c>.</summary>
    private static string ValueOf(FlowColumn column) => column switch
    {
        FlowColumn.ObjectId => "c.object_id",
        FlowColumn.SourceId => "c.source_id",
        FlowColumn.Start => "c.base + u.t * interval '1 second'",
        FlowColumn.End => "c.base + u.e * interval '1 second'",
        FlowColumn.Line => "coalesce(u.line, c.line0 + u.ord::int - 1)",
        _ => "u." + FlowColumns.Info(column).Name,
    };

    /// <summary>
    /// A subquery of the flows that start in [<paramref name="from"/>, <paramref name="to"/>) (SQL text), one row per
    /// record, with the <paramref name="columns"/> named as in <c>flows</c>. It reads only the partitions and chunks
    /// whose records may start in the range, and of those only the chunks <paramref name="chunks"/> keeps (more
    /// conditions on the chunk <c>c</c>), then keeps the records of the range. With <paramref name="arrays"/> the rows
    /// also carry every array of their chunk, as <c>a_name</c>, and the record's position in them (<c>ord</c>): a
    /// query can read the other fields of the few rows it keeps, by subscript, without unpacking them for every row.
    /// </summary>
    public static string Rows(IEnumerable<FlowColumn> columns, string from, string to, string? chunks = null, bool arrays = false)
    {
        var (select, unnest) = Parts(columns, arrays);
        return $"""
            (select {select}
                from flow_chunks c
                cross join lateral {unnest}
                where c.start_min < {to} and c.start_max >= {from} and c.start_min > {from} - interval '{(int)Period.TotalHours} hours'{(chunks is null ? "" : " and " + chunks)}
                    and {ValueOf(FlowColumn.Start)} >= {from} and {ValueOf(FlowColumn.Start)} < {to})
            """;
    }

    /// <summary>
    /// As <see cref="Rows"/>, every record of the one chunk <c>c</c> of the query around it, whatever its time: the flow
    /// feed walks the chunks in the order they were stored and unpacks each in turn.
    /// </summary>
    public static string RecordsOf(IEnumerable<FlowColumn> columns, bool arrays = false)
    {
        var (select, unnest) = Parts(columns, arrays);
        return $"(select {select} from {unnest})";
    }

    /// <summary>The select list of a record's <paramref name="columns"/> (and the arrays, or the ordinal), and the unnest of the arrays they read.</summary>
    private static (string Select, string Unnest) Parts(IEnumerable<FlowColumn> columns, bool arrays)
    {
        var wanted = columns.Append(FlowColumn.Start).Distinct().OrderBy(c => c).ToList();
        var unnested = wanted.Select(ArrayOf).OfType<string>().Distinct().ToList();
        var select = wanted.Select(c => $"{ValueOf(c)} as {FlowColumns.Info(c).Sql}");
        if (arrays)
        {
            select = select.Concat(Arrays.Select(a => $"c.{a} as a_{a}")).Append("c.base as a_base").Append("c.line0 as a_line0").Append("u.ord::int as ord");
        }
        else if (wanted.Contains(FlowColumn.Line))
        {
            select = select.Append("u.ord::int as ord");
        }
        return (string.Join(", ", select),
            $"rows from ({string.Join(", ", unnested.Select(a => $"unnest(c.{a})"))}) with ordinality u({string.Join(", ", unnested)}, ord)");
    }

    /// <summary>
    /// A column's value in a row of <see cref="Rows"/> with arrays (alias <paramref name="row"/>), read by subscript.
    /// </summary>
    public static string Subscript(FlowColumn column, string row) => column switch
    {
        FlowColumn.ObjectId or FlowColumn.SourceId or FlowColumn.Start => $"{row}.{FlowColumns.Info(column).Sql}",
        FlowColumn.End => $"{row}.a_base + {row}.a_e[{row}.ord] * interval '1 second'",
        FlowColumn.Line => $"coalesce({row}.a_line[{row}.ord], {row}.a_line0 + {row}.ord - 1)",
        _ => $"{row}.a_{FlowColumns.Info(column).Name}[{row}.ord]",
    };
}
