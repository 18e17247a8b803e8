using System.Globalization;
using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;
using FlowLens.Core.Stats;

namespace FlowLens.Core.Detections;

/// <summary>A statement of the detections: SQL text and its <c>$n</c> parameters.</summary>
public sealed record DetectionStatement(string Sql, IReadOnlyList<object> Parameters);

/// <summary>A threshold rule as one window's statement reads it: its filter (context resolved), group field, metric and threshold.</summary>
public sealed record ThresholdQuery(FilterNode? Filter, string GroupBy, string Metric, long Threshold);

/// <summary>The built-in detectors one pass judges, each with its parameters (null: not in this pass).</summary>
public sealed record BuiltInQuery(IReadOnlyDictionary<string, double>? PortScan, IReadOnlyDictionary<string, double>? HostSweep, IReadOnlyDictionary<string, double>? BruteForce);

/// <summary>
/// The SQL of the detections, over the same rows the stats and searches read (<see cref="FlowChunks.Rows"/>, filters
/// by <see cref="FilterSql"/>): one pass over a window's flows for all its threshold rules, one for the built-in
/// detectors, and the windows' fingerprints from the exact 5-minute totals.
/// </summary>
public static class DetectionSql
{
    /// <summary>
    /// The groups over threshold of every rule in <paramref name="rules"/> in the window $1..$2, in one pass: each flow
    /// goes to each rule whose filter it matches, under that rule's key. Columns: rule (index in the list), key, value,
    /// first and last start.
    /// </summary>
    public static DetectionStatement Thresholds(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<ThresholdQuery> rules)
    {
        if (rules.Count == 0)
        {
            throw new ArgumentException("no rules", nameof(rules));
        }
        var parameters = new List<object> { from, to };
        var columns = new HashSet<string> { "log_status", "bytes", "packets", "dstport", "dstaddr" };
        var branches = new List<string>();
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            var condition = "true";
            if (rule.Filter is not null)
            {
                (condition, var filterValues) = FilterSql.Build(rule.Filter, parameters.Count + 1);
                parameters.AddRange(filterValues);
                columns.UnionWith(FilterSql.Columns(rule.Filter));
            }
            if (!FilterFields.TryFind(rule.GroupBy, out var field) || field.Columns.Count != 1 || field.Kind == FilterKind.Context)
            {
                throw new ArgumentException($"'{rule.GroupBy}' is not a field to group by", nameof(rules));
            }
            columns.Add(field.Columns[0]);
            var (sum, distinct) = MetricInputs(rule.Metric);
            branches.Add($"select {i.ToString(CultureInfo.InvariantCulture)} as rule, {KeyOf(field)} as key, {sum} as v, {distinct} as d where {condition}");
        }
        parameters.Add(rules.Select(r => r.Threshold).ToArray());
        var thresholds = "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
        // Each flow goes to each rule it matches, under that rule's key, with what the rule's metric adds (v) or counts
        // once (d): one sum and one hashed distinct for every rule, not every aggregate for every group.
        return new DetectionStatement($"""
            with g as materialized (
                select g.rule, g.key, g.v, g.d, f.start
                from {FlowChunks.Rows(columns.Select(FlowColumns.Named), "$1", "$2")} f
                cross join lateral ({string.Join(" union all ", branches)}) g
                where g.key is not null),
            sums as (
                select rule, key, coalesce(sum(v), 0)::bigint as value, min(start) as first_seen, max(start) as last_seen from g group by rule, key),
            counts as (
                select rule, key, count(*)::bigint as value from (select distinct rule, key, d from g where d is not null) x group by rule, key)
            select s.rule, s.key, coalesce(c.value, s.value) as value, s.first_seen, s.last_seen
            from sums s left join counts c on c.rule = s.rule and c.key = s.key
            where coalesce(c.value, s.value) > ({thresholds}::bigint[])[s.rule + 1]
            order by s.rule, s.key collate "C"
            """, parameters);
    }

    /// <summary>What one flow adds to a metric (<c>v</c>, summed) or counts once (<c>d</c>, distinct values), as SQL on the flow's columns.</summary>
    private static (string Sum, string Distinct) MetricInputs(string metric) => metric switch
    {
        "records" => ("1::bigint", "null::text"),
        "flows" => ("(log_status = 1)::int::bigint", "null::text"),
        "bytes" => ("coalesce(bytes, 0)::bigint", "null::text"),
        "packets" => ("coalesce(packets, 0)::bigint", "null::text"),
        "distinct-dstport" => ("null::bigint", "dstport::text"),
        "distinct-dstaddr" => ("null::bigint", "host(dstaddr)"),
        _ => throw new ArgumentException($"'{metric}' is not a metric", nameof(metric)),
    };

    /// <summary>Whether a threshold rule may group by <paramref name="name"/>: a filter field of one stored column.</summary>
    public static bool IsGroupField(string name) => FilterFields.TryFind(name, out var f) && f.Columns.Count == 1 && f.Kind != FilterKind.Context;

    public static IEnumerable<string> GroupFields => FilterFields.All.Where(f => IsGroupField(f.Name)).Select(f => f.Name);

    /// <summary>
    /// The built-in detectors of one window ($1..$2) over its flows (log-status OK, with addresses and a destination
    /// port), in one pass: grouped by source and destination address (port scan: distinct ports of REJECTed flows) and by
    /// source address and destination port (host sweep: distinct hosts of REJECTed flows; brute force: distinct source
    /// ports of flows from outside to 22 or 3389), keeping the groups over a detector's thresholds. With
    /// <paramref name="sources"/>, only those source addresses' flows (checking what the digests left undecided).
    /// Columns: set (1: by address, 2: by port), srcaddr, dstaddr, dstport, ports, hosts, connections, flows, rejected,
    /// first and last start, samples of the ports and hosts (at most 20 each, in order), and each detector's verdict.
    /// </summary>
    public static DetectionStatement BuiltIns(DateTimeOffset from, DateTimeOffset to, BuiltInQuery query, IReadOnlyList<string>? sources = null)
    {
        var parameters = new List<object> { from, to };
        string Parameter(object value)
        {
            parameters.Add(value);
            return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
        }
        string scan = "false", sweep = "false", brute = "false";
        const string RejectedPorts = "count(distinct f.dstport) filter (where f.action = 2)";
        const string RejectedHosts = "count(distinct f.dstaddr) filter (where f.action = 2)";
        if (query.PortScan is { } scanning)
        {
            scan = $"(grouping(f.dstaddr, f.dstport) = 1 and {RejectedPorts} >= {Parameter((long)Math.Ceiling(scanning["minPorts"]))})";
        }
        if (query.HostSweep is { } sweeping)
        {
            sweep = $"(grouping(f.dstaddr, f.dstport) = 2 and {RejectedHosts} >= {Parameter((long)Math.Ceiling(sweeping["minHosts"]))})";
        }
        if (query.BruteForce is { } forcing)
        {
            brute = $"(grouping(f.dstaddr, f.dstport) = 2 and f.dstport = any({Parameter(Detectors.BruteForcePorts.ToArray())})"
                + $" and not (f.srcaddr <<= any({Parameter(Detectors.InsideRanges.ToArray())}::inet[]))"
                + $" and count(distinct f.srcport) >= {Parameter((long)Math.Ceiling(forcing["minConnections"]))})";
        }
        if (query.PortScan is null && query.HostSweep is null && query.BruteForce is null)
        {
            throw new ArgumentException("no detector", nameof(query));
        }
        var only = sources is null ? "" : $" and f.srcaddr = any({Parameter(sources.ToArray())}::inet[])";
        var columns = new[] { "srcaddr", "dstaddr", "dstport", "srcport", "action", "log_status" }.Select(FlowColumns.Named);
        return new DetectionStatement($"""
            select grouping(f.dstaddr, f.dstport) as set, host(f.srcaddr) as srcaddr, host(f.dstaddr) as dstaddr, f.dstport,
                {RejectedPorts}::bigint as ports, {RejectedHosts}::bigint as hosts,
                count(distinct f.srcport)::bigint as connections, count(*)::bigint as flows, count(*) filter (where f.action = 2)::bigint as rejected,
                min(f.start) as first_seen, max(f.start) as last_seen,
                (array_agg(distinct f.dstport) filter (where f.action = 2))[1:20] as port_sample,
                (array_agg(distinct host(f.dstaddr)) filter (where f.action = 2))[1:20] as host_sample,
                {scan} as port_scan, {sweep} as host_sweep, {brute} as brute_force
            from {FlowChunks.Rows(columns, "$1", "$2")} f
            where f.log_status = 1 and f.srcaddr is not null and f.dstaddr is not null and f.dstport is not null{only}
            group by grouping sets ((f.srcaddr, f.dstaddr), (f.srcaddr, f.dstport))
            having {scan} or {sweep} or {brute}
            order by 1, 2, 3, 4
            """, parameters);
    }

    /// <summary>
    /// The digests' groups of one window ($1..$2) and families ($3), merged over its batches and slices, with what bounds
    /// them (<see cref="DetectionDigest"/>): srcaddr, dstaddr, dstport, the distinct members listed (a lower bound; all of
    /// them when no slice left the group out), the floors of the window's slices that did not list it (what it may have
    /// on top), flows, first and last slice, samples of the members (at most 20, in order). Columns: family, srcaddr,
    /// dstaddr, dstport, members, unlisted, flows, first, last, port_sample, host_sample. Only groups whose upper bound
    /// reaches their family's threshold ($4, indexed by family) are returned.
    /// </summary>
    public static DetectionStatement Digests(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<short> families, long[] thresholds) => new("""
        with floors as (
            select f.family::smallint as family, sum(f.floor)::bigint as total
            from detection_slices s cross join unnest(s.floors) with ordinality f(floor, family)
            where s.slice >= $1 and s.slice < $2
            group by 1),
        listed as (
            select d.family, d.srcaddr, d.dstaddr, d.dstport, d.flows, d.ports, d.hosts, d.slice, s.floors[d.family] as floor
            from detection_digests d join detection_slices s on s.batch = d.batch and s.slice = d.slice
            where d.slice >= $1 and d.slice < $2 and d.family = any($3)),
        groups as (
            select family, srcaddr, dstaddr, dstport, sum(flows)::bigint as flows, sum(floor)::bigint as listed_floors,
                min(slice) as first, max(slice) as last
            from listed group by 1, 2, 3, 4),
        members as (
            select family, srcaddr, dstaddr, dstport,
                count(distinct p)::bigint as ports, (array_agg(distinct p order by p))[1:20] as port_sample
            from listed cross join unnest(ports) p group by 1, 2, 3, 4),
        hosts as (
            select family, srcaddr, dstaddr, dstport,
                count(distinct h)::bigint as hosts, (array_agg(distinct host(h) order by host(h)))[1:20] as host_sample
            from listed cross join unnest(hosts) h group by 1, 2, 3, 4)
        select g.family, host(g.srcaddr), host(g.dstaddr), g.dstport,
            coalesce(m.ports, h.hosts, 0) as members, coalesce(fl.total, 0) - g.listed_floors as unlisted,
            g.flows, g.first, g.last, m.port_sample, h.host_sample
        from groups g
        left join floors fl on fl.family = g.family
        left join members m on m.family = g.family and m.srcaddr = g.srcaddr and m.dstaddr is not distinct from g.dstaddr and m.dstport is not distinct from g.dstport
        left join hosts h on h.family = g.family and h.srcaddr = g.srcaddr and h.dstaddr is not distinct from g.dstaddr and h.dstport is not distinct from g.dstport
        where coalesce(m.ports, h.hosts, 0) + coalesce(fl.total, 0) - g.listed_floors >= ($4::bigint[])[g.family]
        order by 1, 2, 3, 4
        """, [from, to, families.ToArray(), thresholds]);

    /// <summary>
    /// The window's ($1..$2) records the digests cover, and per family the floors of all its slices (what a group no
    /// slice listed may have): columns covered, floors (indexed by family).
    /// </summary>
    public static DetectionStatement DigestCoverage(DateTimeOffset from, DateTimeOffset to) => new("""
        select coalesce(sum(records), 0)::bigint,
            array[coalesce(sum(floors[1]), 0), coalesce(sum(floors[2]), 0), coalesce(sum(floors[3]), 0), coalesce(sum(floors[4]), 0), coalesce(sum(floors[5]), 0)]::bigint[]
        from detection_slices where slice >= $1 and slice < $2
        """, [from, to]);

    /// <summary>
    /// Each window's fingerprint in [$1, $2): its records in the exact 5-minute totals, for windows of $3 (aligned on
    /// <see cref="Rollups.Origin"/>, $4). A late object adding rows to a judged window changes it.
    /// </summary>
    public static DetectionStatement Fingerprints(DateTimeOffset from, DateTimeOffset to, TimeSpan size) => new("""
        select date_bin($3::interval, bucket, $4) as window_start, sum(records)::bigint as records
        from flow_rollups_5m
        where bucket >= $1 and bucket < $2
        group by 1
        """, [from, to, size, Rollups.Origin]);

    /// <summary>A field's value as text, as the filter language writes it (so the key goes back into a filter).</summary>
    private static string KeyOf(FilterField field)
    {
        var column = field.Columns[0];
        return field.Kind switch
        {
            FilterKind.Address => $"host({column})",
            FilterKind.Text => $"(select value from flow_strings where id = {column})",
            FilterKind.Enum => $"case {column} {string.Join(' ', field.Codes.Select(c => $"when {c.Value} then '{c.Key}'"))} end",
            _ => $"{column}::text",
        };
    }

    /// <summary>
    /// The filter that finds a group's flows: the rule's filter (in parentheses) and the key field equal to the key;
    /// text values quoted.
    /// </summary>
    public static string Evidence(string? filter, string field, string key) => And(filter, $"{field} = {Literal(field, key)}");

    /// <summary>
    /// The filter of the undecided groups of a rule: its filter (in parentheses) and the key field one of
    /// <paramref name="keys"/>, written as <see cref="Evidence"/> writes one.
    /// </summary>
    public static string EvidenceOf(string? filter, string field, IEnumerable<string> keys) =>
        And(filter, $"{field} in ({string.Join(", ", keys.Select(k => Literal(field, k)))})");

    /// <summary>A group key as the filter language writes a value of <paramref name="field"/>: text quoted.</summary>
    private static string Literal(string field, string key) =>
        (FilterFields.TryFind(field, out var f) ? f.Kind : FilterKind.Text) == FilterKind.Text ? $"'{key}'" : key;

    private static string And(string? filter, string comparison) => string.IsNullOrWhiteSpace(filter) ? comparison : $"({filter}) and {comparison}";
}
