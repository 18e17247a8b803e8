using System.Diagnostics;
using System.Text.Json;
using FlowLens.Api.Data;
using FlowLens.Api.Features.Context;
using FlowLens.Core.Detections;
using FlowLens.Core.Stats;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Detections;

/// <summary>A finding a run opened, or reopened: what notifications are sent for (never for one it only updated).</summary>
public sealed record OpenedFinding(long FindingId, long RuleId, string RuleName, string Severity, string MinSeverity, long[] ChannelIds, string Key);

/// <summary>
/// What one evaluation did: whether it ran (another node may hold the lock), how many windows it judged, what it opened;
/// and how the detectors read them: windows whose built-in detectors read the flows whole (digests incomplete or too
/// coarse), and groups the digests left undecided, counted again on the flows; the same for the threshold rules' queries.
/// </summary>
public sealed record DetectionRun(bool Ran, int Windows, IReadOnlyList<OpenedFinding> Opened, int RawPasses = 0, int CheckedGroups = 0,
    int RawThresholdParts = 0, int CheckedThresholdGroups = 0)
{
    public static readonly DetectionRun Skipped = new(false, 0, []);
}

/// <summary>One group a rule fired for in a window: its key, the data time it was seen, the filter of its flows, details.</summary>
public sealed record Fire(Rule Rule, string Key, DateTimeOffset FirstSeen, DateTimeOffset LastSeen, string EvidenceFilter, Dictionary<string, object?> Details);

/// <summary>
/// Evaluates the enabled rules on data time (docs/detections.md): the windows the sources' newest records have passed
/// (plus the grace) and that the rule has not judged yet, oldest first and a bounded number per run, and the judged
/// windows whose records changed since (a late object). One pass over a window's flows answers all its threshold rules,
/// one more all its built-in detectors. One run at a time across nodes: a PostgreSQL advisory lock.
/// </summary>
public sealed class DetectionJob(
    NpgsqlDataSource dataSource, ContextFilters context, FindingNotifications notifications, IOptions<DetectionOptions> options, TimeProvider clock, ILogger<DetectionJob> logger)
{
    public const string Id = "detections";

    /// <summary>The advisory lock one evaluation holds ("FLDETECT" as a number).</summary>
    private const long LockKey = 0x464C444554454354;

    public async Task RunAsync(CancellationToken ct)
    {
        var run = await EvaluateAsync(ct);
        await notifications.SendAsync(run.Opened, ct);
    }

    /// <summary>Judges what is due and returns the findings it opened or reopened; skipped when another evaluation runs.</summary>
    public async Task<DetectionRun> EvaluateAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        if (!await ScalarAsync<bool>(connection, "select pg_try_advisory_lock($1)", ct, LockKey))
        {
            logger.LogDebug("Detections: another evaluation holds the lock");
            return DetectionRun.Skipped;
        }
        try
        {
            return await EvaluateLockedAsync(connection, ct);
        }
        finally
        {
            await ScalarAsync<bool>(connection, "select pg_advisory_unlock($1)", CancellationToken.None, LockKey);
        }
    }

    private async Task<DetectionRun> EvaluateLockedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var o = options.Value;
        var now = clock.GetUtcNow();
        var rules = new List<Rule>();
        await using (var command = new NpgsqlCommand($"select {Rule.Columns} from rules where enabled order by id", connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                rules.Add(Rule.Read(reader));
            }
        }
        var opened = new List<OpenedFinding>();
        if (rules.FirstOrDefault(r => r.Kind == Detectors.SourceSilent) is { } silent)
        {
            await SilentSourcesAsync(connection, silent, now, opened, ct);
            rules.Remove(silent);
        }
        var watermark = DetectionWindows.Watermark(await ProgressAsync(connection, ct), now, TimeSpan.FromMinutes(o.SourceIdleMinutes));
        if (rules.Count == 0 || DetectionWindows.JudgedUntil(watermark, TimeSpan.FromMinutes(o.GraceMinutes)) is not { } until)
        {
            return new DetectionRun(true, 0, opened);
        }
        var earliest = now - TimeSpan.FromHours(o.LookbackHours);

        var fingerprints = new Dictionary<TimeSpan, Dictionary<DateTimeOffset, long>>();
        foreach (var size in rules.Where(r => Detectors.IsWindowed(r.Kind)).Select(r => r.Size).Distinct())
        {
            fingerprints[size] = await FingerprintsAsync(connection, DetectionWindows.Floor(earliest, size), until, size, ct);
        }
        var judged = await JudgedAsync(connection, DetectionWindows.Floor(earliest, TimeSpan.FromDays(1)), ct);

        var tasks = new List<(Rule Rule, DateTimeOffset Start, bool New)>();
        foreach (var rule in rules)
        {
            if (!Detectors.IsWindowed(rule.Kind))
            {
                continue;
            }
            var prints = fingerprints[rule.Size];
            tasks.AddRange(DetectionWindows.NewWindows(rule.EvaluatedTo, earliest, until, rule.Size, o.MaxWindowsPerRun).Select(start => (rule, start, true)));
            // Judged windows whose records changed since: a late object (or a replaced one) touched them.
            tasks.AddRange(judged.Where(j => j.Key.Rule == rule.Id && j.Key.Start >= earliest - rule.Size && j.Key.Start + rule.Size <= until
                    && prints.GetValueOrDefault(j.Key.Start) != j.Value)
                .Select(j => j.Key.Start).Order().Take(o.MaxWindowsPerRun).Select(start => (rule, start, false)));
        }

        var (windows, rawPasses, checkedGroups, rawParts, checkedThresholds) = (0, 0, 0, 0, 0);
        foreach (var group in tasks.GroupBy(t => (t.Rule.Size, t.Start)).OrderBy(g => g.Key.Start).ThenBy(g => g.Key.Size))
        {
            var (size, start) = group.Key;
            var end = start + size;
            var fingerprint = fingerprints[size].GetValueOrDefault(start);
            var watch = Stopwatch.StartNew();
            // One transaction for what the window is judged on, the findings and the window's state (the interfaces'
            // history included). A window without records fires nothing: no pass over flows.
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var (fires, pass, thresholds) = fingerprint == 0 ? ([], null, null) : await JudgeAsync(connection, [.. group.Select(t => t.Rule)], start, end, fingerprint, ct);
            (rawPasses, checkedGroups) = (rawPasses + (pass?.RawFamilies.Count > 0 ? 1 : 0), checkedGroups + (pass?.Checked ?? 0));
            (rawParts, checkedThresholds) = (rawParts + (thresholds?.RawParts ?? 0), checkedThresholds + (thresholds?.Checked ?? 0));
            foreach (var fire in fires)
            {
                if (await ApplyAsync(connection, fire, start, end, now, ct) is { } finding)
                {
                    opened.Add(finding);
                }
            }
            foreach (var (rule, _, isNew) in group)
            {
                await SqlCommands.ExecuteAsync(connection, """
                    insert into detection_windows (rule_id, window_start, judged_at, fingerprint) values ($1, $2, $3, $4)
                    on conflict (rule_id, window_start) do update set judged_at = excluded.judged_at, fingerprint = excluded.fingerprint
                    """, ct, rule.Id, start, now, fingerprint);
                if (isNew)
                {
                    await SqlCommands.ExecuteAsync(connection, "update rules set evaluated_to = greatest(evaluated_to, $2) where id = $1", ct, rule.Id, end);
                }
            }
            await transaction.CommitAsync(ct);
            windows++;
            logger.LogDebug("Detections: window {Start:o} of {Size} ({Records} records, {Rules} rules) judged in {Elapsed} ms: {Fires} groups fired",
                start, size, fingerprint, group.Count(), watch.ElapsedMilliseconds, fires.Count);
        }
        await SqlCommands.ExecuteAsync(connection, "delete from detection_windows where window_start < $1", ct, earliest - TimeSpan.FromDays(1));
        // Digests of windows no rule judges any more (a window judged anew after late data is at most a lookback old).
        await DigestWriter.DeleteAsync(connection, "slice < $1", ct, earliest - TimeSpan.FromDays(1));
        // The interfaces' history: as long as the longest baseline a detector takes (90 days).
        await SqlCommands.ExecuteAsync(connection, "delete from interface_bytes where hour < $1", ct, now - TimeSpan.FromDays(90));
        await SqlCommands.ExecuteAsync(connection, "delete from interface_ports where last_seen < $1", ct, now - TimeSpan.FromDays(90));
        if (windows > 0)
        {
            logger.LogInformation("Detections: {Windows} windows judged up to {Until:o}, {Opened} findings opened", windows, until, opened.Count);
        }
        return new DetectionRun(true, windows, opened, rawPasses, checkedGroups, rawParts, checkedThresholds);
    }

    /// <summary>
    /// The source-silent detector, on the clock: each enabled source that ingested records before but none for the
    /// rule's minutes. Its silence is one episode, keyed by its last ingestion: it fires once, and again (reopening)
    /// only after the source delivered and went silent anew.
    /// </summary>
    private static async Task SilentSourcesAsync(NpgsqlConnection connection, Rule rule, DateTimeOffset now, List<OpenedFinding> opened, CancellationToken ct)
    {
        var fires = new List<(Fire Fire, DateTimeOffset Episode)>();
        await using (var command = Command(connection, """
            select s.id, s.name, max(o.newest_record_at), max(o.ingested_at)
            from sources s join source_objects o on o.source_id = s.id
            where s.enabled and o.records > 0 and o.ingested_at is not null and o.newest_record_at is not null
            group by s.id, s.name
            having max(o.ingested_at) < $1
            order by s.id
            """, [now - TimeSpan.FromMinutes(rule.Parameters["minutes"])]))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var (newest, ingested) = (reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3));
                fires.Add((new Fire(rule, $"source {reader.GetString(1)}", newest, newest, "", new()
                {
                    ["sourceId"] = reader.GetInt64(0), ["source"] = reader.GetString(1), ["lastIngestedAt"] = ingested, ["newestRecordAt"] = newest,
                }), ingested));
            }
        }
        foreach (var (fire, episode) in fires)
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            if (await ApplyAsync(connection, fire, episode, fire.LastSeen.AddHours(-1), fire.LastSeen.AddSeconds(1), now, ct) is { } finding)
            {
                opened.Add(finding);
            }
            await transaction.CommitAsync(ct);
        }
    }

    /// <summary>Each source's newest record and last ingestion with records.</summary>
    private static async Task<List<SourceProgress>> ProgressAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        const string Sql = """
            select max(newest_record_at), max(ingested_at) from source_objects
            where newest_record_at is not null and ingested_at is not null
            group by source_id
            """;
        var list = new List<SourceProgress>();
        await using var command = new NpgsqlCommand(Sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new SourceProgress(reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<DateTimeOffset>(1)));
        }
        return list;
    }

    private static async Task<Dictionary<DateTimeOffset, long>> FingerprintsAsync(NpgsqlConnection connection, DateTimeOffset from, DateTimeOffset to, TimeSpan size, CancellationToken ct)
    {
        var statement = DetectionSql.Fingerprints(from, to, size);
        var prints = new Dictionary<DateTimeOffset, long>();
        await using var command = Command(connection, statement.Sql, statement.Parameters);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            prints[reader.GetFieldValue<DateTimeOffset>(0)] = reader.GetInt64(1);
        }
        return prints;
    }

    private static async Task<Dictionary<(long Rule, DateTimeOffset Start), long>> JudgedAsync(NpgsqlConnection connection, DateTimeOffset from, CancellationToken ct)
    {
        var judged = new Dictionary<(long, DateTimeOffset), long>();
        await using var command = Command(connection, "select rule_id, window_start, fingerprint from detection_windows where window_start >= $1", [from]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            judged[(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1))] = reader.GetInt64(2);
        }
        return judged;
    }

    /// <summary>The groups the rules fire for in one window: its threshold rules (<see cref="ThresholdJudge"/>) and built-in detectors (<see cref="BuiltInJudge"/>), from the digests.</summary>
    private async Task<(List<Fire> Fires, BuiltInPass Pass, ThresholdPass Thresholds)> JudgeAsync(NpgsqlConnection connection, List<Rule> rules, DateTimeOffset start, DateTimeOffset end, long records, CancellationToken ct)
    {
        var (fires, thresholds) = await ThresholdJudge.JudgeAsync(connection, context.ResolveAsync, [.. rules.Where(r => DigestRules.Parts(r).Count > 0)], start, end, records, logger, ct);
        if (thresholds.RawParts > 0)
        {
            logger.LogDebug("Detections: window {Start:o}: {Parts} threshold queries read from the flows (digests incomplete, stale or too coarse)", start, thresholds.RawParts);
        }

        Rule? Detector(string kind) => rules.FirstOrDefault(r => r.Kind == kind);
        var (builtIns, pass) = await BuiltInJudge.JudgeAsync(connection, Detector(Detectors.PortScan), Detector(Detectors.HostSweep), Detector(Detectors.BruteForce),
            start, end, records, ct);
        fires.AddRange(builtIns);
        fires.AddRange(await InterfaceJudge.JudgeAsync(connection, Detector(Detectors.NewPort), Detector(Detectors.Exfiltration), start, end, ct));
        if (pass.RawFamilies.Count > 0)
        {
            logger.LogDebug("Detections: window {Start:o}: {Detectors} read from the flows (digests incomplete or too coarse)", start, string.Join(", ", pass.RawFamilies));
        }
        return (fires, pass, thresholds);
    }

    /// <summary>
    /// Records that <paramref name="fire"/>'s group fired in the window: a new finding (opened); or, for the rule's
    /// finding of that key, this window counted once (a window judged again after late data only refreshes the
    /// details), and a resolved finding (or one muted until a time now past) reopened. Null unless opened or reopened.
    /// Its evidence is the window, from the start of what was judged when that began before it (a span across the window's start).
    /// </summary>
    private static Task<OpenedFinding?> ApplyAsync(NpgsqlConnection connection, Fire fire, DateTimeOffset start, DateTimeOffset end, DateTimeOffset now, CancellationToken ct) =>
        ApplyAsync(connection, fire, start, fire.FirstSeen < start ? DetectionWindows.Floor(fire.FirstSeen, Rollups.TotalsBucket) : start, end, now, ct);

    /// <param name="window">What the fire counts once under (a window's start; a silence's episode).</param>
    private static async Task<OpenedFinding?> ApplyAsync(NpgsqlConnection connection, Fire fire, DateTimeOffset window, DateTimeOffset start, DateTimeOffset end,
        DateTimeOffset now, CancellationToken ct)
    {
        var rule = fire.Rule;
        var details = JsonSerializer.Serialize(fire.Details);
        long id;
        string status;
        DateTimeOffset? mutedUntil;
        bool counted;
        await using (var command = Command(connection, """
            select f.id, f.status, f.muted_until, exists (select from finding_windows w where w.finding_id = f.id and w.window_start = $3)
            from findings f where f.rule_id = $1 and f.group_key = $2 for update
            """, [rule.Id, fire.Key, window]))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                await reader.DisposeAsync();
                id = await ScalarAsync<long>(connection, """
                    insert into findings (rule_id, group_key, severity, status, first_seen, last_seen, count, evidence_filter, evidence_from, evidence_to,
                        details, opened_at, created_at, updated_at)
                    values ($1, $2, $3, 'open', $4, $5, 1, $6, $7, $8, $9::jsonb, $10, $10, $10)
                    returning id
                    """, ct, rule.Id, fire.Key, rule.Severity, fire.FirstSeen, fire.LastSeen, fire.EvidenceFilter, start, end, details, now);
                await SqlCommands.ExecuteAsync(connection, "insert into finding_windows (finding_id, window_start) values ($1, $2)", ct, id, window);
                return new OpenedFinding(id, rule.Id, rule.Name, rule.Severity, rule.MinSeverity, rule.ChannelIds, fire.Key);
            }
            (id, status, mutedUntil, counted) = (reader.GetInt64(0), reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.GetBoolean(3));
        }
        if (counted)
        {
            await SqlCommands.ExecuteAsync(connection, """
                update findings set details = $2::jsonb, first_seen = least(first_seen, $3), last_seen = greatest(last_seen, $4), updated_at = $5
                where id = $1 and (details <> $2::jsonb or first_seen > $3 or last_seen < $4)
                """, ct, id, details, fire.FirstSeen, fire.LastSeen, now);
            return null;
        }
        var reopen = status == "resolved" || status == "muted" && mutedUntil <= now;
        await SqlCommands.ExecuteAsync(connection, "insert into finding_windows (finding_id, window_start) values ($1, $2)", ct, id, window);
        await SqlCommands.ExecuteAsync(connection, """
            update findings set count = count + 1, severity = $2, first_seen = least(first_seen, $3), last_seen = greatest(last_seen, $4),
                evidence_filter = $5, evidence_from = case when $9 then $6 else least(evidence_from, $6) end,
                evidence_to = case when $9 then $7 else greatest(evidence_to, $7) end, details = $8::jsonb,
                status = case when $9 then 'open' else status end, muted_until = case when $9 then null else muted_until end,
                opened_at = case when $9 then $10 else opened_at end, notified_at = case when $9 then null else notified_at end, updated_at = $10
            where id = $1
            """, ct, id, rule.Severity, fire.FirstSeen, fire.LastSeen, fire.EvidenceFilter, start, end, details, reopen, now);
        return reopen ? new OpenedFinding(id, rule.Id, rule.Name, rule.Severity, rule.MinSeverity, rule.ChannelIds, fire.Key) : null;
    }

    /// <summary>A command with <paramref name="parameters"/> as $1, $2… (the detections' SQL is written with positional parameters).</summary>
    internal static NpgsqlCommand Command(NpgsqlConnection connection, string sql, IEnumerable<object> parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return (T)(await command.ExecuteScalarAsync(ct))!;
    }
}
