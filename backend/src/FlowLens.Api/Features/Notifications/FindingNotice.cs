using System.Text.Json;
using Hangfire;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.Notifications;

/// <summary>What a notification says about a finding: everything a channel sends, kept with each delivery for its retries.</summary>
/// <param name="Severity"><c>low</c>, <c>medium</c>, <c>high</c> or <c>critical</c>.</param>
/// <param name="GroupField">The field the rule groups by, e.g. <c>srcaddr</c>.</param>
/// <param name="GroupKey">The group's value, e.g. <c>203.0.113.9</c>.</param>
/// <param name="EvidenceFilter">A filter (docs/filters.md) that, over the evidence range, selects the flows behind the finding.</param>
public sealed record FindingNotice(
    long FindingId, string RuleName, string RuleKind, string Severity, string Title,
    string GroupField, string GroupKey, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    long Count, string EvidenceFilter, DateTimeOffset EvidenceFrom, DateTimeOffset EvidenceTo, IReadOnlyDictionary<string, string>? Details);

public static class NotificationEvents
{
    public const string FindingOpened = "finding.opened";
    public const string FindingReopened = "finding.reopened";
    public const string Test = "test";

    public static bool IsValid(string name) => name is FindingOpened or FindingReopened or Test;
}

/// <summary>
/// Queues a finding's notification to channels: one delivery per enabled channel, each sent by a <see cref="DeliveryJob"/>
/// (and retried by it). Detections call it when a finding opens or reopens.
/// </summary>
public sealed class Notifier(NpgsqlDataSource dataSource, IBackgroundJobClient jobs, TimeProvider clock)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task EnqueueAsync(FindingNotice notice, IReadOnlyCollection<long> channelIds, CancellationToken ct) =>
        EnqueueAsync(notice, channelIds, NotificationEvents.FindingOpened, ct);

    /// <param name="event"><see cref="NotificationEvents.FindingOpened"/> or <see cref="NotificationEvents.FindingReopened"/>.</param>
    /// <returns>The ids of the first attempts queued (disabled and unknown channels are skipped).</returns>
    public async Task<IReadOnlyList<long>> EnqueueAsync(FindingNotice notice, IReadOnlyCollection<long> channelIds, string @event, CancellationToken ct)
    {
        if (channelIds.Count == 0)
        {
            return [];
        }
        var now = clock.GetUtcNow();
        await using var command = dataSource.CreateCommand("""
            insert into deliveries (delivery, finding_id, channel_id, event, attempt, status, notice, created_at, next_attempt_at)
            select gen_random_uuid(), $1, c.id, $2, 1, 'pending', $3, $4, $4 from channels c where c.id = any($5) and c.enabled
            order by c.id
            returning id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = notice.FindingId });
        command.Parameters.Add(new NpgsqlParameter { Value = @event });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(notice, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = channelIds.ToArray() });
        var ids = new List<long>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        foreach (var id in ids)
        {
            jobs.Enqueue<DeliveryJob>(job => job.RunAsync(id, CancellationToken.None));
        }
        return ids;
    }
}
