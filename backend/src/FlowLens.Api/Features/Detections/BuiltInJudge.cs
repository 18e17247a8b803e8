using FlowLens.Core.Detections;
using Npgsql;

namespace FlowLens.Api.Features.Detections;

/// <summary>How one window's built-in detectors were judged: groups decided from the digests, checked on the flows, and families read whole from the flows.</summary>
public sealed record BuiltInPass(int FromDigests, int Checked, IReadOnlyList<string> RawFamilies);

/// <summary>
/// Judges the port-scan, host-sweep and brute-force detectors of one window from the digests ingestion wrote
/// (<see cref="DetectionDigest"/>, docs/detections.md "Digests"), exactly: a group whose listed members reach the
/// threshold fires; a group whose members plus what the slices that left it out may hold stay under it does not; the
/// few in between are counted again on their source's flows. A family is read from the flows whole when the digests
/// do not cover every record of the window (objects ingested before them) or when a group no slice listed could reach
/// the threshold (the window's floors add up to it).
/// </summary>
public static class BuiltInJudge
{
    public static async Task<(List<Fire> Fires, BuiltInPass Pass)> JudgeAsync(NpgsqlConnection connection, Rule? scan, Rule? sweep, Rule? brute,
        DateTimeOffset start, DateTimeOffset end, long records, CancellationToken ct)
    {
        var detectors = new (Rule? Rule, DigestFamily Family, string Parameter)[]
        {
            (scan, DigestFamily.Ports, "minPorts"), (sweep, DigestFamily.Hosts, "minHosts"), (brute, DigestFamily.Connections, "minConnections"),
        }.Where(d => d.Rule is not null).Select(d => (Rule: d.Rule!, d.Family, Threshold: (long)Math.Ceiling(d.Rule!.Parameters[d.Parameter]))).ToList();
        var fires = new List<Fire>();
        if (detectors.Count == 0)
        {
            return (fires, new BuiltInPass(0, 0, []));
        }

        var coverage = DetectionSql.DigestCoverage(start, end);
        long covered;
        long[] floors;
        await using (var command = DetectionJob.Command(connection, coverage.Sql, coverage.Parameters))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (covered, floors) = (reader.GetInt64(0), reader.GetFieldValue<long[]>(1));
        }
        // Families the digests cannot decide: read from the flows, whole.
        var raw = detectors.Where(d => covered != records || floors[(int)d.Family - 1] >= d.Threshold).ToList();
        var digested = detectors.Except(raw).ToList();

        var undecided = new HashSet<(DigestFamily, string)>();
        var sources = new HashSet<string>();
        var fromDigests = 0;
        if (digested.Count > 0)
        {
            var thresholds = new long[] { long.MaxValue, long.MaxValue, long.MaxValue };
            foreach (var d in digested)
            {
                thresholds[(int)d.Family - 1] = d.Threshold;
            }
            var statement = DetectionSql.Digests(start, end, [.. digested.Select(d => (short)d.Family)], thresholds);
            await using var command = DetectionJob.Command(connection, statement.Sql, statement.Parameters);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var family = (DigestFamily)reader.GetInt16(0);
                var detector = digested.First(d => d.Family == family);
                var (src, dst) = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
                int? port = reader.IsDBNull(3) ? null : reader.GetInt32(3);
                var members = reader.GetInt64(4);
                if (members < detector.Threshold)
                {
                    // Under the threshold on what was listed, over it with what the other slices may hold: count it again.
                    undecided.Add((family, Key(family, src, dst, port)));
                    sources.Add(src);
                    continue;
                }
                var flows = reader.GetInt64(6);
                var details = new Dictionary<string, object?>
                {
                    ["ports"] = family == DigestFamily.Ports ? members : null,
                    ["hosts"] = family == DigestFamily.Hosts ? members : null,
                    ["connections"] = family == DigestFamily.Connections ? members : null,
                    ["flows"] = flows,
                    ["rejectedFlows"] = family == DigestFamily.Connections ? null : flows,
                    ["portSample"] = reader.IsDBNull(9) ? null : reader.GetFieldValue<int[]>(9),
                    ["hostSample"] = reader.IsDBNull(10) ? null : reader.GetFieldValue<string[]>(10),
                    ["exact"] = reader.GetInt64(5) == 0,
                };
                var (first, last) = (reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8));
                fires.Add(Fire(detector.Rule, family, src, dst, port, first, last, details));
                fromDigests++;
            }
        }

        foreach (var (families, only) in new[] { (raw, (IReadOnlyList<string>?)null), (digested, sources.ToList()) })
        {
            if (families.Count == 0 || only is { Count: 0 })
            {
                continue;
            }
            Rule? Of(DigestFamily family) => families.FirstOrDefault(d => d.Family == family).Rule;
            var statement = DetectionSql.BuiltIns(start, end, new BuiltInQuery(Of(DigestFamily.Ports)?.Parameters, Of(DigestFamily.Hosts)?.Parameters,
                Of(DigestFamily.Connections)?.Parameters), only);
            await using var command = DetectionJob.Command(connection, statement.Sql, statement.Parameters);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var src = reader.GetString(1);
                var dst = reader.IsDBNull(2) ? null : reader.GetString(2);
                int? port = reader.IsDBNull(3) ? null : reader.GetInt32(3);
                var (first, last) = (reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10));
                Dictionary<string, object?> Details() => new()
                {
                    ["ports"] = reader.GetInt64(4), ["hosts"] = reader.GetInt64(5), ["connections"] = reader.GetInt64(6),
                    ["flows"] = reader.GetInt64(7), ["rejectedFlows"] = reader.GetInt64(8),
                    ["portSample"] = reader.GetFieldValue<int[]>(11), ["hostSample"] = reader.GetFieldValue<string[]>(12), ["exact"] = true,
                };
                foreach (var (family, column) in new[] { (DigestFamily.Ports, 13), (DigestFamily.Hosts, 14), (DigestFamily.Connections, 15) })
                {
                    // Checking the digests' undecided groups, the flows of their sources answer for those groups only.
                    if (!reader.GetBoolean(column) || only is not null && !undecided.Contains((family, Key(family, src, dst, port))))
                    {
                        continue;
                    }
                    fires.Add(Fire(Of(family)!, family, src, dst, port, first, last, Details()));
                }
            }
        }
        return (fires, new BuiltInPass(fromDigests, undecided.Count, [.. raw.Select(d => d.Rule.Kind)]));
    }

    /// <summary>A scan detector's group key, as findings name it: <c>S -> D</c> for a port scan, <c>S -> port P</c> otherwise.</summary>
    public static string Key(DigestFamily family, string src, string? dst, int? port) =>
        family == DigestFamily.Ports ? $"{src} -> {dst}" : $"{src} -> port {port}";

    private static Fire Fire(Rule rule, DigestFamily family, string src, string? dst, int? port, DateTimeOffset first, DateTimeOffset last, Dictionary<string, object?> details) =>
        new(rule, Key(family, src, dst, port), first, last,
            family == DigestFamily.Ports ? $"srcaddr = {src} and dstaddr = {dst}" : $"srcaddr = {src} and dstport = {port}", details);
}
