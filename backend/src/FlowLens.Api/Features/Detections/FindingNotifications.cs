using System.Text.Json.Nodes;
using FlowLens.Api.Features.Notifications;
using FlowLens.Core.Detections;
using Npgsql;

namespace FlowLens.Api.Features.Detections;

/// <summary>
/// Hands the findings an evaluation opened or reopened to their rule's channels (Features/Notifications), when their
/// severity is at least the rule's <c>minSeverity</c>. Each finding is claimed first (<c>notified_at</c> set where it was
/// null), so two runs or nodes never notify it twice; if the hand-over fails, the claim is undone and the next run tries again.
/// </summary>
public sealed class FindingNotifications(NpgsqlDataSource dataSource, Notifier notifier, ILogger<FindingNotifications> logger)
{
    /// <summary>Notifies each finding due; returns how many were handed to their channels.</summary>
    public async Task<int> SendAsync(IEnumerable<OpenedFinding> opened, CancellationToken ct)
    {
        var sent = 0;
        foreach (var finding in opened.Where(f => f.ChannelIds.Length > 0 && Detectors.SeverityRank(f.Severity) >= Detectors.SeverityRank(f.MinSeverity)))
        {
            // The notice is read as the claim is made: a finding already notified returns nothing.
            await using var claim = dataSource.CreateCommand("""
                update findings f set notified_at = now() from rules r
                where f.id = $1 and r.id = f.rule_id and f.notified_at is null
                returning r.name, r.kind, coalesce(r.group_by, case r.kind when 'source-silent' then 'source' else 'srcaddr' end),
                    f.severity, f.group_key, f.first_seen, f.last_seen, f.count, f.evidence_filter, f.evidence_from, f.evidence_to,
                    f.details::text, f.opened_at = f.created_at
                """);
            claim.Parameters.Add(new NpgsqlParameter { Value = finding.FindingId });
            FindingNotice notice;
            bool first;
            await using (var r = await claim.ExecuteReaderAsync(ct))
            {
                if (!await r.ReadAsync(ct))
                {
                    continue;
                }
                var (rule, key) = (r.GetString(0), r.GetString(4));
                notice = new FindingNotice(finding.FindingId, rule, r.GetString(1), r.GetString(3), $"{rule}: {key}", r.GetString(2), key,
                    r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<DateTimeOffset>(6), r.GetInt64(7), r.GetString(8),
                    r.GetFieldValue<DateTimeOffset>(9), r.GetFieldValue<DateTimeOffset>(10), Details(r.GetString(11)));
                first = r.GetBoolean(12);
            }
            try
            {
                await notifier.EnqueueAsync(notice, finding.ChannelIds, first ? NotificationEvents.FindingOpened : NotificationEvents.FindingReopened, ct);
                sent++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Finding {FindingId}: its notifications could not be queued; the next evaluation tries again", finding.FindingId);
                await using var undo = dataSource.CreateCommand("update findings set notified_at = null where id = $1");
                undo.Parameters.Add(new NpgsqlParameter { Value = finding.FindingId });
                await undo.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        return sent;
    }

    // The finding's details (ports seen, counts...) as text, as a notification shows them.
    private static Dictionary<string, string> Details(string json) =>
        (JsonNode.Parse(json) as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value is JsonValue v && v.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString() ?? "");
}
