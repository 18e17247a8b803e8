using System.Globalization;
using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;

namespace FlowLens.Core.Stats;

public enum StatsMetric { Bytes, Packets, Flows }

/// <summary>What ranks the sources of a scan report: how many distinct destination ports, or destination addresses, they hit.</summary>
public enum ScanBy { Ports, Hosts }

/// <summary>Which table answered: the raw flows, or one of the rollups.</summary>
public enum StatsPath { Raw, Rollup5m, RollupTop }

/// <summary>
/// A statement to run: SQL text, its <c>$n</c> parameters, and the table it reads. A top from the summaries
/// (<see cref="StatsPath.RollupTop"/>) also returns a last column, <c>max_error</c>: the bound of its error.
/// </summary>
public sealed record StatsStatement(string Sql, IReadOnlyList<object> Parameters, StatsPath Path);

/// <summary>
/// Builds the stats queries (summary, top, time series, scans) as parameterised SQL, from the rollups when they hold what
/// the query needs (the filter's fields, the grouping field, a time range aligned to their buckets), else from the
/// raw flows of the time range. Each source is first shaped alike — <c>t, action, log_status, protocol, records,
/// bytes, packets, key</c> — so the aggregates on top are the same SQL whichever table answers.
/// </summary>
public static class StatsSql
{
    /// <summary>The value of <c>by</c>/<c>groupBy</c> that groups by source and destination address together.</summary>
    public const string Pair = "pair";

    /// <summary>Between the values of a key of several fields: <c>pair</c>'s <c>10.0.0.5 -> 10.0.0.9</c>, and a list's.</summary>
    public const string KeySeparator = " -> ";

    /// <summary>The most fields one key of <see cref="Top(TimeRange, FilterNode?, IReadOnlyList{string}, StatsMetric, int, bool)"/> can join.</summary>
    public const int MaxGroupFields = 3;

    /// <summary>Fields that stats can group by: every filter field of one column, and <c>pair</c>.</summary>
    public static bool IsGroupField(string name) =>
        name.Equals(Pair, StringComparison.OrdinalIgnoreCase) || (FilterFields.TryFind(name, out var f) && f.Columns.Count == 1 && f.Kind != FilterKind.Context);

    public static IEnumerable<string> GroupFields => FilterFields.All.Where(f => f.Columns.Count == 1 && f.Kind != FilterKind.Context).Select(f => f.Name).Append(Pair);

    /// <summary>
    /// Context fields a top can group by, alone (<c>by=dst-country</c>): those of one column and one value per record
    /// (<c>src-</c>/<c>dst-</c> network, AWS service, country and ASN, and <c>instance-name</c>; not the either-side
    /// ones nor <c>security-group</c> nor the threat lists, which would count a record under several keys). The API labels the addresses or
    /// interfaces (Features/Stats/ContextTops); <see cref="Top(TimeRange, FilterNode?, IReadOnlyList{string}, StatsMetric, int, bool)"/>
    /// does not take them, nor do time series.
    /// </summary>
    public static bool IsContextGroupField(string name) =>
        FilterFields.TryFind(name, out var f) && f.Kind == FilterKind.Context && f.Columns.Count == 1 && f.Attribute is not (ContextAttribute.SecurityGroup or ContextAttribute.ThreatList);

    public static IEnumerable<string> ContextGroupFields => FilterFields.All.Where(f => IsContextGroupField(f.Name)).Select(f => f.Name);

    /// <summary>
    /// Reads <c>by</c> of top: one field <see cref="IsGroupField"/> accepts, or a comma-separated list of 2 to
    /// <see cref="MaxGroupFields"/> of them, each of one column (not <c>pair</c>: list <c>srcaddr,dstaddr</c>),
    /// none twice. The fields come back in lower case, in their order; <paramref name="error"/> says what is wrong.
    /// </summary>
    public static bool TryParseGroupBy(string text, out IReadOnlyList<string> fields, out string? error)
    {
        var names = text.Split(',', StringSplitOptions.TrimEntries);
        error = GroupByError(names);
        fields = error is null ? [.. names.Select(n => n.ToLowerInvariant())] : [];
        return error is null;
    }

    private static string? GroupByError(IReadOnlyList<string> names)
    {
        if (names.Count == 1)
        {
            return IsGroupField(names[0]) || IsContextGroupField(names[0]) ? null
                : $"'{names[0]}' is not a field to group by; use one of: {string.Join(", ", GroupFields.Concat(ContextGroupFields))}";
        }
        if (names.Count == 0 || names.Count > MaxGroupFields)
        {
            return $"list at most {MaxGroupFields} fields, not {names.Count}";
        }
        if (names.Any(n => n.Length == 0))
        {
            return "a field of the list is empty: list 2 or 3 fields separated by commas, like srcaddr,dstport,dstaddr";
        }
        if (names.FirstOrDefault(n => n.Equals(Pair, StringComparison.OrdinalIgnoreCase)) is { } pair)
        {
            return $"'{pair}' cannot be in a list; list srcaddr,dstaddr instead";
        }
        if (names.FirstOrDefault(IsContextGroupField) is { } context)
        {
            return $"'{context}' is a context field: a top groups by it alone (by={context.ToLowerInvariant()}), not in a list";
        }
        if (names.FirstOrDefault(n => !IsGroupField(n)) is { } unknown)
        {
            return $"'{unknown}' is not a field to group by; use one of: {string.Join(", ", GroupFields.Where(f => f != Pair))}";
        }
        return names.GroupBy(n => n, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } repeated
            ? $"'{repeated.Key}' is listed twice"
            : null;
    }

    public static StatsStatement Summary(TimeRange range, FilterNode? filter, bool useRollups)
    {
        var source = Source(range, filter, [], useRollups);
        return source with
        {
            Sql = $"""
                select coalesce(sum(records) filter (where log_status = 1), 0)::bigint as flows,
                    coalesce(sum(bytes), 0)::bigint as bytes,
                    coalesce(sum(packets), 0)::bigint as packets,
                    coalesce(sum(records) filter (where log_status = 1 and action = 1), 0)::bigint as accepted_flows,
                    coalesce(sum(records) filter (where log_status = 1 and action = 2), 0)::bigint as rejected_flows,
                    coalesce(sum(records) filter (where log_status = 2), 0)::bigint as no_data_records,
                    coalesce(sum(records) filter (where log_status = 3), 0)::bigint as skip_data_records
                from ({source.Sql}) r
                """,
        };
    }

    /// <summary>Top values of <paramref name="by"/>: key, flows, bytes, packets, rejected flows; by the metric, ties by key.</summary>
    public static StatsStatement Top(TimeRange range, FilterNode? filter, string by, StatsMetric metric, int limit, bool useRollups) =>
        Top(range, filter, [by], metric, limit, useRollups);

    /// <summary>
    /// Top values of one field, or of 2 or 3 fields together (<see cref="TryParseGroupBy"/>): their values joined by
    /// <see cref="KeySeparator"/>, <c>-</c> for each the record does not have; records with none of them are left
    /// out, as for one field. A list is answered from the raw flows: the top summaries keep one field per row.
    /// </summary>
    public static StatsStatement Top(TimeRange range, FilterNode? filter, IReadOnlyList<string> by, StatsMetric metric, int limit, bool useRollups)
    {
        if (GroupByError(by) is { } error)
        {
            throw new ArgumentException(error, nameof(by));
        }
        if (by.Any(IsContextGroupField))
        {
            throw new ArgumentException($"'{by[0]}' is a context field: the API labels its top (Features/Stats/ContextTops)", nameof(by));
        }
        if (useRollups && by.Count == 1 && Rollups.TopFields.TryGetValue(by[0], out var field) && Rollups.SummaryQueryFor(filter) is { } summaries
            && range.From < range.To && Rollups.IsAligned(range.From, Rollups.TopHourBucket) && Rollups.IsAligned(range.To, Rollups.TopHourBucket))
        {
            return TopFromSummaries(range, by[0], field, summaries, metric, limit);
        }
        var source = Source(range, filter, by, useRollups);
        var parameters = source.Parameters.ToList();
        parameters.Add((long)limit);
        return new StatsStatement($"""
            select key, {Sums}
            from ({source.Sql}) r
            where key <> '-'
            group by key
            order by {Metric(metric)} desc, key collate "C"
            limit ${parameters.Count}
            """, parameters, source.Path);
    }

    /// <summary>The records of a range from the exact 5-minute totals (its bounds on 5 minutes): how big a raw answer would be.</summary>
    public static StatsStatement RecordsIn(TimeRange range) => new("""
        select coalesce(sum(records), 0)::bigint from flow_rollups_5m where bucket >= $1 and bucket < $2
        """, [range.From, range.To], StatsPath.Rollup5m);

    /// <summary>
    /// A top from the bounded summaries (<see cref="TopSummary"/>): the day summaries of the range's whole days, the
    /// hourly ones of the hours at either end, and the rows ingestion appended that the compaction has not merged yet,
    /// summed by key. Hours marked dirty (a replaced object or a deleted source took sums out of their merged summary)
    /// are read from the raw flows, exactly, until the compaction rebuilds them, and the other hours of their day from
    /// their hourly summaries; so is a day whose summary the compaction has not written again yet (it deletes it when
    /// it merges into one of its hours, and writes it once per run). <c>max_error</c> is the sum of the floors of the ranked metric of every summary read.
    /// Summaries are kept per account (<c>account_id</c>): a top of some accounts reads theirs only.
    /// </summary>
    /// <remarks>
    /// In two phases, as a range reads some thirty summaries of thousands of keys: <c>top</c> ranks the keys on the ranked
    /// metric alone (and <c>records</c>: a REJECT top leaves out the keys listed for their other sums, with no rejected
    /// records), then <c>sums</c> adds up the other sums of those keys only; unnesting and summing every array of every
    /// key cost as much as the ranking. The arrays are unnested in the select list, which, unlike <c>from unnest(...)</c>,
    /// does not first copy each array's elements to a tuplestore.
    /// </remarks>
    private static StatsStatement TopFromSummaries(TimeRange range, string name, TopField field, SummaryQuery query, StatsMetric metric, int limit)
    {
        var sums = query.Sums;
        var prefix = sums == SummarySums.Rejected ? "rejected_" : "";
        var order = metric switch { StatsMetric.Bytes => "bytes", StatsMetric.Packets => "packets", _ => "flows" };
        var columns = "keys, " + string.Concat(new[] { "records", "flows", "bytes", "packets" }.Select(c => prefix.Length == 0 ? $"{c}, " : $"{prefix}{c} as {c}, "))
            + $"rejected_flows, floor_{prefix}{order} as floor";
        var fieldCode = ((short)field).ToString(CultureInfo.InvariantCulture);
        var days = new TimeRange(CeilingDay(range.From), Rollups.BucketOf(range.To, Rollups.TopDayBucket));
        if (days.From >= days.To)
        {
            days = new TimeRange(range.From, range.From);
        }
        var key = ValueOf(name);
        var join = FilterFields.TryFind(name, out var text) && text.Kind == FilterKind.Text ? $" left join flow_strings k on k.id = f.{text.Columns[0]}" : "";
        var rejected = sums == SummarySums.Rejected ? " and f.action = 2" : "";
        List<object> parameters = [range.From, range.To, days.From, days.To, (long)limit, .. query.Accounts is { } names ? [names] : Array.Empty<object>()];
        string InAccounts(string column) => query.Accounts is null ? "" : $" and {column} in (select id from flow_strings where value = any($6))";
        var accounts = InAccounts("account_id");
        return new StatsStatement($"""
            with dirty as (
                select bucket from flow_top_dirty where bucket >= $1 and bucket < $2),
            summaries as (
                select {columns} from flow_top_1d d
                where d.field = {fieldCode} and d.bucket >= $3 and d.bucket < $4{accounts}
                    and not exists (select from dirty where dirty.bucket >= d.bucket and dirty.bucket < d.bucket + interval '1 day')
                union all
                select {columns} from flow_top_1h h
                where h.field = {fieldCode} and h.bucket >= $1 and h.bucket < $2{accounts}
                    and (h.bucket < $3 or h.bucket >= $4
                        or exists (select from dirty where date_bin('1 day', dirty.bucket, '2000-01-01 00:00:00+00') = date_bin('1 day', h.bucket, '2000-01-01 00:00:00+00'))
                        or {Rollups.DayWithoutSummary})
                    and not exists (select from dirty where dirty.bucket = h.bucket)
                union all
                select {columns} from flow_top_appended a
                where a.field = {fieldCode} and a.bucket >= $1 and a.bucket < $2{accounts} and not exists (select from dirty where dirty.bucket = a.bucket)),
            raw as (
                select {key} as key, count(*) as records, count(*) filter (where f.log_status = 1) as flows, coalesce(sum(f.bytes), 0)::bigint as bytes,
                    coalesce(sum(f.packets), 0)::bigint as packets, count(*) filter (where f.log_status = 1 and f.action = 2) as rejected_flows
                from dirty d cross join lateral {Flows("d.bucket", "d.bucket + interval '1 hour'", [.. KeyColumns([name]), "log_status", "bytes", "packets", "action", .. query.Accounts is null ? Array.Empty<string>() : ["account_id"]])} f{join}
                where f.start >= $1 and f.start < $2 and {key} is not null{rejected}{InAccounts("f.account_id")}
                group by 1),
            top as (
                -- phase 1: the top keys, ranked on the metric's array alone
                select key
                from (
                    select unnest(keys) as key, unnest(records) as records, unnest({order}) as value from summaries
                    union all
                    select key, records, {order} from raw) v
                group by key
                having sum_bigint(records) > 0
                order by sum_bigint(value) desc, key collate "C"
                limit $5),
            sums as (
                -- phase 2: the other sums, of the top keys only
                select key, flows, bytes, packets, rejected_flows
                from (select unnest(keys) as key, unnest(flows) as flows, unnest(bytes) as bytes, unnest(packets) as packets, unnest(rejected_flows) as rejected_flows
                    from summaries) s
                where key in (select key from top)
                union all
                select key, flows, bytes, packets, rejected_flows from raw where key in (select key from top))
            select key, sum_bigint(flows) as flows, sum_bigint(bytes) as bytes, sum_bigint(packets) as packets,
                sum_bigint(rejected_flows) as rejected_flows, (select coalesce(sum_bigint(floor), 0) from summaries) as max_error
            from sums
            group by key
            order by {order} desc, key collate "C"
            """, parameters, StatsPath.RollupTop);
    }

    /// <summary>
    /// Points of a time series: <c>t, key, value</c>, one row per bucket and group that has flows (the caller fills
    /// the empty buckets). With <paramref name="groupBy"/>, the <paramref name="limit"/> largest groups keep their
    /// key and the rest sum into <c>other</c>; absent values group as <c>-</c>.
    /// </summary>
    public static StatsStatement TimeSeries(TimeRange range, FilterNode? filter, TimeSpan interval, string? groupBy, StatsMetric metric, int limit, bool useRollups)
    {
        // The totals' 5-minute buckets must nest in the interval's.
        var source = Source(range, filter, groupBy is null ? [] : [groupBy], useRollups && interval.Ticks % Rollups.TotalsBucket.Ticks == 0);
        var parameters = source.Parameters.ToList();
        parameters.Add(interval);
        var intervalParameter = $"${parameters.Count}";
        parameters.Add(Rollups.Origin);
        var originParameter = $"${parameters.Count}";
        if (groupBy is null)
        {
            return new StatsStatement($"""
                select date_bin({intervalParameter}::interval, t, {originParameter}) as t, 'total' as key, {Metric(metric)} as value
                from ({source.Sql}) r
                group by 1
                """, parameters, source.Path);
        }
        parameters.Add((long)limit);
        return new StatsStatement($"""
            with r as ({source.Sql}),
            top as (select key from r where key <> '-' group by key order by {Metric(metric)} desc, key collate "C" limit ${parameters.Count})
            select date_bin({intervalParameter}::interval, r.t, {originParameter}) as t,
                case when r.key = '-' or top.key is not null then r.key else 'other' end as key,
                {Metric(metric, "r.")} as value
            from r left join top on top.key = r.key
            group by 1, 2
            """, parameters, source.Path);
    }

    /// <summary>
    /// The sources that hit the most distinct destination ports (or hosts): per <c>srcaddr</c>, the distinct
    /// <c>dstport</c>s and <c>dstaddr</c>s, flows, bytes, packets, rejected flows, first start and last end
    /// (or start, for records without an end); ranked by <paramref name="by"/>'s count, then flows, then address.
    /// Only records with log-status OK and a source address count. Always from the raw flows: distinct counts
    /// cannot be added up from the rollups' sums.
    /// </summary>
    public static StatsStatement Scans(TimeRange range, FilterNode? filter, ScanBy by, int limit)
    {
        var parameters = new List<object> { range.From, range.To };
        var condition = "true";
        if (filter is not null)
        {
            (condition, var values) = FilterSql.Build(filter, parameters.Count + 1);
            parameters.AddRange(values);
        }
        parameters.Add((long)limit);
        var rank = by == ScanBy.Hosts ? "hosts" : "ports";
        return new StatsStatement($"""
            select host(f.srcaddr) as srcaddr,
                count(distinct f.dstport)::bigint as ports,
                count(distinct f.dstaddr)::bigint as hosts,
                count(*)::bigint as flows,
                coalesce(sum(f.bytes), 0)::bigint as bytes,
                coalesce(sum(f.packets), 0)::bigint as packets,
                count(*) filter (where f.action = 2)::bigint as rejected_flows,
                min(f.start) as first_seen,
                max(coalesce(f."end", f.start)) as last_seen
            from {Flows("$1", "$2", ["srcaddr", "dstaddr", "dstport", "bytes", "packets", "action", "end", "log_status"], filter)} f
            where f.log_status = 1 and f.srcaddr is not null and {condition}
            group by 1
            order by {rank} desc, flows desc, host(f.srcaddr) collate "C"
            limit ${parameters.Count}
            """, parameters, StatsPath.Raw);
    }

    private const string Sums = """
        coalesce(sum(records) filter (where log_status = 1), 0)::bigint as flows,
            coalesce(sum(bytes), 0)::bigint as bytes,
            coalesce(sum(packets), 0)::bigint as packets,
            coalesce(sum(records) filter (where log_status = 1 and action = 2), 0)::bigint as rejected_flows
        """;

    private static string Metric(StatsMetric metric, string alias = "") => metric switch
    {
        StatsMetric.Bytes => $"coalesce(sum({alias}bytes), 0)::bigint",
        StatsMetric.Packets => $"coalesce(sum({alias}packets), 0)::bigint",
        _ => $"coalesce(sum({alias}records) filter (where {alias}log_status = 1), 0)::bigint",
    };

    /// <summary>
    /// The rows to aggregate, shaped alike whichever table they come from, keyed by <paramref name="keys"/> (none, one
    /// field, or a list, which only the raw flows hold): the exact 5-minute totals when <paramref name="useRollups"/>
    /// and they hold the filter's fields, the key and the range's bounds, else the raw flows.
    /// </summary>
    private static StatsStatement Source(TimeRange range, FilterNode? filter, IReadOnlyList<string> keys, bool useRollups)
    {
        var key = keys.Count == 1 ? keys[0] : null;
        var parameters = new List<object> { range.From, range.To };
        string Condition()
        {
            if (filter is null)
            {
                return "true";
            }
            var (sql, values) = FilterSql.Build(filter, parameters.Count + 1);
            parameters.AddRange(values);
            return sql;
        }

        if (useRollups && (keys.Count == 0 || key is not null && Rollups.FilterableFields.Contains(key)) && Rollups.CanFilter(filter)
            && Rollups.IsAligned(range.From, Rollups.TotalsBucket) && Rollups.IsAligned(range.To, Rollups.TotalsBucket))
        {
            // The account's text, when the key is account-id (the only text field the totals keep).
            var account = key is not null && FilterFields.TryFind(key, out var keyField) && keyField.Kind == FilterKind.Text
                ? " left join flow_strings k on k.id = r.account_id" : "";
            return new StatsStatement($"""
                select bucket as t, action, log_status, protocol, records, bytes, packets, {KeyOf(key)} as key
                from flow_rollups_5m r{account}
                where bucket >= $1 and bucket < $2 and {Condition()}
                """, parameters, StatsPath.Rollup5m);
        }

        // Each text field's value from flow_strings, under its own alias (k, or k1, k2... in a list).
        var joins = string.Concat(keys.Select((name, i) => FilterFields.TryFind(name, out var text) && text.Kind == FilterKind.Text
            ? $" left join flow_strings {TextAlias(keys, i)} on {TextAlias(keys, i)}.id = f.{text.Columns[0]}"
            : ""));
        return new StatsStatement($"""
            select f.start as t, f.action, f.log_status, f.protocol, 1::bigint as records, f.bytes, f.packets, {KeyOf(keys)} as key
            from {Flows("$1", "$2", [.. KeyColumns(keys), "action", "log_status", "protocol", "bytes", "packets"], filter)} f{joins}
            where {Condition()}
            """, parameters, StatsPath.Raw);
    }

    /// <summary>
    /// The SQL text of a grouping field's value, as the API shows it (<c>10.0.0.5</c>, <c>443</c>, <c>ACCEPT</c>), and
    /// <c>-</c> when the record does not have it.
    /// </summary>
    private static string KeyOf(string? name) => name is null ? "null::text" : $"coalesce({ValueOf(name)}, '-')";

    /// <summary>
    /// <see cref="KeyOf(string?)"/> of a list: each value or <c>-</c>, joined by <see cref="KeySeparator"/>
    /// (<c>10.0.0.5 -> - -> 10.0.0.9</c>), and <c>-</c> alone when the record has none of them.
    /// </summary>
    private static string KeyOf(IReadOnlyList<string> names)
    {
        if (names.Count <= 1)
        {
            return KeyOf(names.Count == 0 ? null : names[0]);
        }
        var values = names.Select((name, i) => ValueOf(name, TextAlias(names, i))).ToList();
        return $"case when num_nonnulls({string.Join(", ", values)}) = 0 then '-' else "
            + string.Join($" || '{KeySeparator}' || ", values.Select(v => $"coalesce({v}, '-')")) + " end";
    }

    private static string TextAlias(IReadOnlyList<string> names, int index) => names.Count == 1 ? "k" : $"k{index + 1}";

    private static string ValueOf(string name, string textAlias = "k")
    {
        if (name.Equals(Pair, StringComparison.OrdinalIgnoreCase))
        {
            return $"host(srcaddr) || '{KeySeparator}' || host(dstaddr)";
        }
        if (!FilterFields.TryFind(name, out var field) || field.Columns.Count != 1)
        {
            throw new ArgumentException($"'{name}' is not a field stats can group by", nameof(name));
        }
        var column = field.Columns[0];
        return field.Kind switch
        {
            FilterKind.Address => $"host({column})",
            FilterKind.Text => $"{textAlias}.value",
            FilterKind.Enum => $"case {column} {string.Join(' ', field.Codes.Select(c => $"when {c.Value} then '{c.Key}'"))} end",
            _ => $"{column}::text",
        };
    }

    /// <summary>
    /// The flows that start in [<paramref name="from"/>, <paramref name="to"/>) (SQL text), with the
    /// <paramref name="columns"/> and those <paramref name="filter"/> reads.
    /// </summary>
    private static string Flows(string from, string to, IEnumerable<string> columns, FilterNode? filter = null) =>
        FlowChunks.Rows(columns.Concat(filter is null ? [] : FilterSql.Columns(filter)).Select(FlowColumns.Named), from, to);

    /// <summary>The columns a grouping field's value is read from.</summary>
    private static IEnumerable<string> KeyColumns(IEnumerable<string> names) => names.SelectMany(name =>
        name.Equals(Pair, StringComparison.OrdinalIgnoreCase) ? ["srcaddr", "dstaddr"]
        : FilterFields.TryFind(name, out var field) ? field.Columns : []);

    private static DateTimeOffset CeilingDay(DateTimeOffset instant)
    {
        var floor = Rollups.BucketOf(instant, Rollups.TopDayBucket);
        return floor == instant.UtcDateTime ? instant : new DateTimeOffset(floor.AddDays(1));
    }
}
