using System.Text.Json;
using FlowLens.Api.Hosting;
using Hangfire;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.Notifications;

public static class DeliveryStatus
{
    public const string Pending = "pending", Sending = "sending", Sent = "sent", Failed = "failed", GaveUp = "gave-up";
}

/// <summary>
/// Sends one attempt of a delivery. The attempt's row is claimed in SQL first, so two workers (or a job Hangfire runs
/// again) never send it twice; a failure writes the next attempt's row and schedules it after the next delay
/// (<see cref="NotificationsOptions.RetryDelays"/>), until the last, which gives up.
/// </summary>
public sealed class DeliveryJob(NpgsqlDataSource dataSource, ChannelStore channels, ChannelSender sender, IBackgroundJobClient jobs,
    IOptions<NotificationsOptions> options, TimeProvider clock, ILogger<DeliveryJob> log)
{
    /// <summary>A claim older than this is taken as its worker's death, and the attempt sent again.</summary>
    private static readonly TimeSpan StaleClaim = TimeSpan.FromMinutes(10);

    [AutomaticRetry(Attempts = 0)] // retries are this job's own, with their own delays and log rows
    public async Task RunAsync(long attemptId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var claim = dataSource.CreateCommand("""
            update deliveries set status = 'sending', attempted_at = $2
            where id = $1 and (status = 'pending' or (status = 'sending' and attempted_at < $3))
            returning delivery, finding_id, channel_id, event, attempt, notice::text
            """);
        claim.Parameters.Add(new NpgsqlParameter { Value = attemptId });
        claim.Parameters.Add(new NpgsqlParameter { Value = now });
        claim.Parameters.Add(new NpgsqlParameter { Value = now - StaleClaim });
        Guid delivery;
        long findingId, channelId;
        string @event, noticeJson;
        int attempt;
        await using (var reader = await claim.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return; // sent, being sent, or deleted with its channel
            }
            (delivery, findingId, channelId, @event, attempt, noticeJson) =
                (reader.GetGuid(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3), reader.GetInt32(4), reader.GetString(5));
        }
        var channel = await channels.GetAsync(channelId, ct);
        var notice = JsonSerializer.Deserialize<FindingNotice>(noticeJson, Notifier.Json)!;
        var outcome = channel switch
        {
            null => new SendOutcome(false, null, "The channel was deleted."),
            { Enabled: false } => new SendOutcome(false, null, "The channel is disabled."),
            _ => await sender.SendAsync(channel, notice, @event, delivery, ct),
        };
        var delays = options.Value.Delays;
        var retry = !outcome.Sent && channel is { Enabled: true } && attempt <= delays.Count;
        var status = outcome.Sent ? DeliveryStatus.Sent : retry ? DeliveryStatus.Failed : DeliveryStatus.GaveUp;
        var next = await DeliveryLog.FinishAsync(dataSource, attemptId, status, outcome, clock.GetUtcNow(), retry ? delays[attempt - 1] : null, ct);
        if (next is { } n)
        {
            jobs.Schedule<DeliveryJob>(job => job.RunAsync(n.Id, CancellationToken.None), n.Delay);
        }
        if (outcome.Sent)
        {
            log.LogInformation("Delivery {Delivery} of finding {FindingId} to channel {ChannelId} sent, attempt {Attempt}: {Reply}",
                delivery, findingId, channelId, attempt, outcome.Reply);
        }
        else
        {
            log.LogWarning("Delivery {Delivery} of finding {FindingId} to channel {ChannelId} failed, attempt {Attempt} ({Status}): {Reply} {Error}",
                delivery, findingId, channelId, attempt, status, outcome.Reply, outcome.Error);
        }
    }
}

/// <summary>The <c>deliveries</c> table: each attempt's row, and the log a finding's page shows.</summary>
public static class DeliveryLog
{
    public const int MaxError = 1000;

    /// <summary>Closes an attempt; with a <paramref name="retryAfter"/>, writes the next attempt's row (pending) in the same transaction.</summary>
    public static async Task<(long Id, TimeSpan Delay)?> FinishAsync(NpgsqlDataSource dataSource, long attemptId, string status, SendOutcome outcome,
        DateTimeOffset now, TimeSpan? retryAfter, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var finish = new NpgsqlCommand(
            "update deliveries set status = $2, finished_at = $3, reply = $4, error = $5 where id = $1", connection, transaction))
        {
            finish.Parameters.Add(new NpgsqlParameter { Value = attemptId });
            finish.Parameters.Add(new NpgsqlParameter { Value = status });
            finish.Parameters.Add(new NpgsqlParameter { Value = now });
            finish.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.Reply ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            finish.Parameters.Add(new NpgsqlParameter { Value = outcome.Error is null ? DBNull.Value : Problems.Clip(outcome.Error, MaxError), NpgsqlDbType = NpgsqlDbType.Text });
            await finish.ExecuteNonQueryAsync(ct);
        }
        (long, TimeSpan)? next = null;
        if (retryAfter is { } delay)
        {
            await using var insert = new NpgsqlCommand("""
                insert into deliveries (delivery, finding_id, channel_id, event, attempt, status, notice, created_at, next_attempt_at)
                select delivery, finding_id, channel_id, event, attempt + 1, 'pending', notice, $2, $3 from deliveries where id = $1
                returning id
                """, connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter { Value = attemptId });
            insert.Parameters.Add(new NpgsqlParameter { Value = now });
            insert.Parameters.Add(new NpgsqlParameter { Value = now + delay });
            next = ((long)(await insert.ExecuteScalarAsync(ct))!, delay);
        }
        await transaction.CommitAsync(ct);
        return next;
    }

    /// <summary>Writes a test attempt (finding 0, event <c>test</c>), claimed at once: it is sent now, not by a job.</summary>
    public static async Task<(long Id, Guid Delivery)> StartTestAsync(NpgsqlDataSource dataSource, long channelId, FindingNotice notice, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            insert into deliveries (delivery, finding_id, channel_id, event, attempt, status, notice, created_at, next_attempt_at, attempted_at)
            values (gen_random_uuid(), 0, $1, 'test', 1, 'sending', $2, $3, $3, $3)
            returning id, delivery
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = channelId });
        command.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(notice, Notifier.Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetGuid(1));
    }
}
