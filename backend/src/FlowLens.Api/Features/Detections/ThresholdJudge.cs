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
    public static async Task<(List<Fire> Fires, ThresholdPass Pass)> JudgeAsync(NpgsqlConnection connection, ContextFilters context, IReadOnlyList<Rule> rules,
        DateTimeOffset start, DateTimeOffset end, long records, ILogger logger, CancellationToken ct)
    {
        var fires = new List<Fire>();
        var raw = new List<(Rule Rule, Detectors.ThresholdPart Part, ThresholdQuery Query, HashSet<string>? Only)>();
        var fromDigests = 0;
        var checkedGroups = 0;
        foreach (var rule in rules)
        {
            var parts = DigestRules.Parts(rule);
            for (var i = 0; i < parts.Count; i++)
            {
                var part = parts[i];
                var (filter, error) = FilterParser.Parse(part.Filter);
                if (error is not null || !DetectionSql.IsGroupField(part.GroupBy))
                {
                    logger.LogWarning("Detections: rule {Rule} has a bad filter or group field ({Error}); skipped", rule.Id, error?.ToString() ?? part.GroupBy);
                    continue;
                }
                var resolved = await context.ResolveAsync(filter, new TimeRange(start, end), ct);
                var stamp = DigestRules.Stamp(part, resolved);
                var (covered, floors) = await CoverageAsync(connection, rule.Id, (short)i, stamp, start, end, ct);
                if (covered != records || floors > part.Threshold)
                {
                    raw.Add((rule, part, new ThresholdQuery(resolved, part.GroupBy, part.Metric, part.Threshold), null));
                    continue;
                }
                var undecided = new List<string>();
                foreach (var group in await GroupsAsync(connection, rule.Id, (short)i, stamp, start, end, floors, part.Threshold, ct))
                {
                    if (group.Value <= part.Threshold)
                    {
                        undecided.Add(group.Key);
                        continue;
                    }
                    fires.Add(Fire(rule, part, group.Key, group.First, group.Last, group.Value, exact: group.Unlisted == 0));
                    fromDigests++;
                }
                if (undecided.Count > 0)
                {
                    // The undecided groups only: the rule's filter and the group field equal to one of their keys.
                    var (only, _) = FilterParser.Parse(In(part.Filter, part.GroupBy, undecided));
                    raw.Add((rule, part, new ThresholdQuery(await context.ResolveAsync(only, new TimeRange(start, end), ct), part.GroupBy, part.Metric, part.Threshold),
                        [.. undecided]));
                    checkedGroups += undecided.Count;
                }
            }
        }
        if (raw.Count > 0)
        {
            var statement = DetectionSql.Thresholds(start, end, [.. raw.Select(r => r.Query)]);
            await using var command = DetectionJob.Command(connection, statement.Sql, statement.Parameters);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var (rule, part, _, _) = raw[reader.GetInt32(0)];
                fires.Add(Fire(rule, part, reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4),
                    reader.GetInt64(2), exact: true));
            }
        }
        return (fires, new ThresholdPass(fromDigests, checkedGroups, raw.Count(r => r.Only is null)));
    }

    private static Fire Fire(Rule rule, Detectors.ThresholdPart part, string key, DateTimeOffset first, DateTimeOffset last, long value, bool exact) =>
        new(rule, string.Format(CultureInfo.InvariantCulture, part.KeyFormat, key), first, last, DetectionSql.Evidence(part.Filter, part.GroupBy, key),
            new() { ["metric"] = part.Metric, ["value"] = value, ["threshold"] = part.Threshold, ["exact"] = exact });

    /// <summary>A filter: <paramref name="filter"/> (in parentheses) and <paramref name="field"/> one of <paramref name="keys"/>, quoted as <see cref="DetectionSql.Evidence"/> quotes them.</summary>
    private static string In(string? filter, string field, IReadOnlyList<string> keys)
    {
        var quote = FilterFields.TryFind(field, out var f) && f.Kind == FilterKind.Text;
        var list = $"{field} in ({string.Join(", ", keys.Select(k => quote ? $"'{k}'" : k))})";
        return string.IsNullOrWhiteSpace(filter) ? list : $"({filter}) and {list}";
    }

    /// <summary>The window's records the part's digests cover under <paramref name="stamp"/>, and the sum of their slices' floors.</summary>
    private static async Task<(long Covered, long Floors)> CoverageAsync(NpgsqlConnection connection, long rule, short part, long stamp,
        DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        await using var command = DetectionJob.Command(connection, """
            select coalesce(sum(records), 0)::bigint, coalesce(sum(floor), 0)::bigint
            from rule_slices where slice >= $1 and slice < $2 and rule_id = $3 and part = $4 and stamp = $5
            """, [start, end, rule, part, stamp]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private sealed record Group(string Key, long Value, long Unlisted, DateTimeOffset First, DateTimeOffset Last);

    /// <summary>
    /// The part's listed groups of the window whose upper bound (listed value, or distinct members, plus the floors of
    /// the slices that did not list them) is over the threshold; with their listed value and that unlisted rest.
    /// </summary>
    private static async Task<List<Group>> GroupsAsync(NpgsqlConnection connection, long rule, short part, long stamp, DateTimeOffset start, DateTimeOffset end,
        long floors, long threshold, CancellationToken ct)
    {
        var groups = new List<Group>();
        await using var command = DetectionJob.Command(connection, """
            with listed as (
                select d.key, d.value, d.first_start, d.last_start, d.ports, d.hosts, s.floor
                from rule_digests d
                join rule_slices s on s.batch = d.batch and s.slice = d.slice and s.rule_id = d.rule_id and s.part = d.part
                where d.slice >= $1 and d.slice < $2 and d.rule_id = $3 and d.part = $4 and s.stamp = $5),
            groups as (
                select key, sum(value)::bigint as value, sum(floor)::bigint as listed_floors, min(first_start) as first, max(last_start) as last
                from listed group by key),
            members as (
                select key, count(distinct p)::bigint as n from listed cross join unnest(ports) p group by key
                union all
                select key, count(distinct h)::bigint from listed cross join unnest(hosts) h group by key)
            select g.key, coalesce(m.n, g.value) as value, $6 - g.listed_floors as unlisted, g.first, g.last
            from groups g left join members m on m.key = g.key
            where coalesce(m.n, g.value) + $6 - g.listed_floors > $7
            order by g.key collate "C"
            """, [start, end, rule, part, stamp, floors, threshold]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            groups.Add(new Group(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return groups;
    }
}
