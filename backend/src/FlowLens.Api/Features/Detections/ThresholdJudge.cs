using System.Globalization;
using FlowLens.Api.Features.Context;
using FlowLens.Core.Detections;
using FlowLens.Core.Filters;
using FlowLens.Core.Queries;
using Npgsql;

namespace FlowLens.Api.Features.Detections;

/// <summary>How one window's threshold queries were judged: parts decided from the digests, groups checked on the flows, parts read whole from the flows.</summary>
public sealed record ThresholdPass(int FromDigests, int Checked, int RawParts);

/// <summary>
/// Judges the threshold rules (and the detectors that are filters, <see cref="Detectors.ThresholdParts"/>) of one window
/// from the digests ingestion wrote (<see cref="RuleDigest"/>), exactly, as <see cref="BuiltInJudge"/> does: a group
/// whose listed value is over the threshold fires; a group whose value plus the floors of the slices that left it out
/// is not does not; the few in between are counted again on the flows, with the rule's filter and their keys. A part
/// is read from the flows whole when the digests do not cover every record of the window under the part's current
/// stamp (objects ingested before the rule, or before it changed) or when the window's floors could hide a group.
/// Everything read from the flows is one pass (<see cref="DetectionSql.Thresholds"/>).
/// </summary>
public static class ThresholdJudge
{
    public delegate Task<FilterNode?> Resolver(FilterNode? filter, TimeRange range, CancellationToken ct);

    /// <param name="resolve">Resolves a filter's context over a range (<see cref="ContextFilters.ResolveAsync"/>).</param>
    public static async Task<(List<Fire> Fires, ThresholdPass Pass)> JudgeAsync(NpgsqlConnection connection, Resolver resolve, IReadOnlyList<Rule> rules,
        DateTimeOffset start, DateTimeOffset end, long records, ILogger logger, CancellationToken ct)
    {
        var parts = new List<Part>();
        foreach (var rule in rules)
        {
            parts.AddRange((await DigestRules.ResolvePartsAsync(rule, resolve, new TimeRange(start, end), logger, ct))
                .Select(p => new Part(rule, p.Index, p.Query, p.Resolved, p.Stamp)));
        }
        var fires = new List<Fire>();
        if (parts.Count == 0)
        {
            return (fires, new ThresholdPass(0, 0, 0));
        }

        // Parts the digests cannot decide: not every record covered under their stamp, or floors that could hide a group.
        var coverage = await CoverageAsync(connection, parts, start, end, ct);
        var raw = new List<(Part Part, ThresholdQuery Query, bool Whole)>();
        var digested = new List<(Part Part, long Floors)>();
        foreach (var part in parts)
        {
            var (covered, floors) = coverage.GetValueOrDefault((part.Rule.Id, part.Index));
            if (covered != records || floors > part.Query.Threshold)
            {
                raw.Add((part, new ThresholdQuery(part.Resolved, part.Query.GroupBy, part.Query.Metric, part.Query.Threshold), true));
            }
            else
            {
                digested.Add((part, floors));
            }
        }
        var (fromDigests, checkedGroups) = (0, 0);
        if (digested.Count > 0)
        {
            var undecided = new Dictionary<int, List<string>>();
            foreach (var group in await GroupsAsync(connection, digested, start, end, ct))
            {
                var part = digested[group.Index].Part;
                if (group.Value <= part.Query.Threshold)
                {
                    (undecided.TryGetValue(group.Index, out var keys) ? keys : undecided[group.Index] = []).Add(group.Key);
                    continue;
                }
                fires.Add(Fire(part.Rule, part.Query, group.Key, group.First, group.Last, group.Value, group.Exact));
                fromDigests++;
            }
            foreach (var (index, keys) in undecided)
            {
                // The undecided groups only: the rule's filter and the group field equal to one of their keys.
                var part = digested[index].Part;
                var (only, error) = FilterParser.Parse(DetectionSql.EvidenceOf(part.Query.Filter, part.Query.GroupBy, keys));
                if (error is not null)
                {
                    // A key the filter language cannot write (a text with a quote): the whole rule from the flows.
                    raw.Add((part, new ThresholdQuery(part.Resolved, part.Query.GroupBy, part.Query.Metric, part.Query.Threshold), true));
                    continue;
                }
                raw.Add((part, new ThresholdQuery(await resolve(only, new TimeRange(start, end), ct), part.Query.GroupBy, part.Query.Metric, part.Query.Threshold), false));
                checkedGroups += keys.Count;
            }
        }
        if (raw.Count > 0)
        {
            var statement = DetectionSql.Thresholds(start, end, [.. raw.Select(r => r.Query)]);
            await using var command = DetectionJob.Command(connection, statement.Sql, statement.Parameters);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var part = raw[reader.GetInt32(0)].Part;
                fires.Add(Fire(part.Rule, part.Query, reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4),
                    reader.GetInt64(2), exact: true));
            }
        }
        return (fires, new ThresholdPass(fromDigests, checkedGroups, raw.Count(r => r.Whole)));
    }

    /// <summary>One threshold query of a rule (its index among the rule's parts), its filter resolved for the window, and its stamp.</summary>
    private sealed record Part(Rule Rule, short Index, Detectors.ThresholdPart Query, FilterNode? Resolved, long Stamp);

    private static Fire Fire(Rule rule, Detectors.ThresholdPart part, string key, DateTimeOffset first, DateTimeOffset last, long value, bool exact) =>
        new(rule, string.Format(CultureInfo.InvariantCulture, part.KeyFormat, key), first, last, DetectionSql.Evidence(part.Filter, part.GroupBy, key),
            new() { ["metric"] = part.Metric, ["value"] = value, ["threshold"] = part.Threshold, ["exact"] = exact });

    /// <summary>Per part, the window's records its digests cover under its stamp, and the sum of their slices' floors.</summary>
    private static async Task<Dictionary<(long Rule, short Part), (long Covered, long Floors)>> CoverageAsync(NpgsqlConnection connection, List<Part> parts,
        DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var coverage = new Dictionary<(long, short), (long, long)>();
        await using var command = DetectionJob.Command(connection, """
            select s.rule_id, s.part, sum(s.records)::bigint, sum(s.floor)::bigint
            from rule_slices s join unnest($3::bigint[], $4::smallint[], $5::bigint[]) p(rule_id, part, stamp)
                on p.rule_id = s.rule_id and p.part = s.part and p.stamp = s.stamp
            where s.slice >= $1 and s.slice < $2
            group by 1, 2
            """, [start, end, parts.Select(p => p.Rule.Id).ToArray(), parts.Select(p => p.Index).ToArray(), parts.Select(p => p.Stamp).ToArray()]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            coverage[(reader.GetInt64(0), reader.GetInt16(1))] = (reader.GetInt64(2), reader.GetInt64(3));
        }
        return coverage;
    }

    private sealed record Group(int Index, string Key, long Value, long Unlisted, DateTimeOffset First, DateTimeOffset Last, bool Exact);

    /// <summary>
    /// The listed groups of the window of every part (its index in <paramref name="parts"/>) whose upper bound is over
    /// its threshold: the value listed (or the distinct members: their union where several slices list the group, or the
    /// widest slice's when that alone is over the threshold) plus the floors of the slices that did not list it; exact
    /// when no slice left it out and its members were not bounded by the widest slice.
    /// </summary>
    private static async Task<List<Group>> GroupsAsync(NpgsqlConnection connection, List<(Part Part, long Floors)> parts, DateTimeOffset start, DateTimeOffset end,
        CancellationToken ct)
    {
        var groups = new List<Group>();
        await using var command = DetectionJob.Command(connection, """
            with parts as (
                select * from unnest($3::bigint[], $4::smallint[], $5::bigint[], $6::bigint[], $7::bigint[]) with ordinality p(rule_id, part, stamp, floors, threshold, index)),
            listed as materialized (
                select p.index, d.batch, d.slice, d.key, d.value, d.members, d.first_start, d.last_start, s.floor
                from parts p
                join rule_slices s on s.rule_id = p.rule_id and s.part = p.part and s.stamp = p.stamp and s.slice >= $1 and s.slice < $2
                join rule_digests d on d.batch = s.batch and d.slice = s.slice and d.rule_id = s.rule_id and d.part = s.part
                where d.slice >= $1 and d.slice < $2),
            groups as (
                select l.index, l.key, sum(l.value)::bigint as value, count(*) as slices, max(l.members) as widest, sum(l.members)::bigint as members,
                    p.floors - sum(l.floor)::bigint as unlisted, p.threshold, min(l.first_start) as first, max(l.last_start) as last
                from listed l join parts p on p.index = l.index
                group by l.index, l.key, p.floors, p.threshold),
            candidates as (
                select * from groups where coalesce(members, value) + unlisted > threshold),
            -- The members themselves (large arrays) are read only for groups several slices list whose widest slice alone
            -- does not decide them: over the threshold it fires, with that slice's members as a lower bound.
            unions as (
                select c.index, c.key, (count(distinct m.port) + count(distinct m.host))::bigint as members
                from candidates c
                join listed l on l.index = c.index and l.key = c.key
                join parts p on p.index = c.index
                join rule_digests d on d.batch = l.batch and d.slice = l.slice and d.rule_id = p.rule_id and d.part = p.part and d.key = l.key
                cross join lateral (select unnest(d.ports) as port, null::inet as host union all select null, unnest(d.hosts)) m
                where c.slices > 1 and c.members is not null and c.widest <= c.threshold and d.slice >= $1 and d.slice < $2
                group by 1, 2)
            select c.index, c.key, coalesce(u.members, c.widest, c.value) as value, c.unlisted, c.first, c.last,
                c.unlisted = 0 and (c.members is null or c.slices = 1 or u.members is not null) as exact
            from candidates c left join unions u on u.index = c.index and u.key = c.key
            where coalesce(u.members, c.widest, c.value) + c.unlisted > c.threshold
            order by c.index, c.key collate "C"
            """, [start, end, parts.Select(p => p.Part.Rule.Id).ToArray(), parts.Select(p => p.Part.Index).ToArray(), parts.Select(p => p.Part.Stamp).ToArray(),
                parts.Select(p => p.Floors).ToArray(), parts.Select(p => p.Part.Query.Threshold).ToArray()]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            groups.Add(new Group((int)reader.GetInt64(0) - 1, reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetBoolean(6)));
        }
        return groups;
    }
}
