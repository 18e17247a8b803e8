using FlowLens.Api.Data;
using FlowLens.Api.Features.Detections;
using FlowLens.Api.Features.Metrics;
using FlowLens.Api.Features.Stats;
using FlowLens.Core.Firehose;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Stats;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion.Firehose;

/// <summary>What became of one Firehose request.</summary>
public enum FirehoseOutcome { Stored, AlreadyStored, Unreadable, TooLarge }

public sealed record FirehoseResult(FirehoseOutcome Outcome, long Records, string? Error);

/// <summary>
/// Stores one Firehose request as the ledger stores an object: its ledger row (key: the request id, etag
/// <c>firehose</c>) is locked first, and its flow rows, sums and state commit in one transaction. So a retry of a
/// stored request (Firehose sends the same request id again) stores nothing, and two deliveries of one request at
/// once wait for each other. An unreadable request stores nothing and leaves its reason in the ledger.
/// </summary>
public sealed class FirehoseIngestion(
    NpgsqlDataSource dataSource, FlowStrings strings, FlowLensMetrics metrics, TimeProvider clock, CompactionQueue compaction, DigestRules digestRules,
    IOptions<IngestionOptions> options, IOptions<RollupOptions> rollupOptions, ILogger<FirehoseIngestion> logger)
{
    public const string ETag = "firehose";

    /// <param name="json">The request body, its Content-Encoding undone.</param>
    /// <param name="size">The body's length as sent, for the ledger (null: the JSON's).</param>
    public async Task<FirehoseResult> StoreAsync(Source source, string requestId, Stream json, long? size, CancellationToken ct)
    {
        var started = clock.GetUtcNow();
        var format = source.Firehose?.LogFormat is { } text ? FlowLogFormat.Parse(text) : FlowLogFormat.Default;
        var body = new FirehoseRecordStream(json, options.Value.FirehoseMaxRequestBytes);
        string? failure;
        var tooLarge = false;
        var counts = new LedgerCounts(0);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var (id, state) = await LockLedgerRowAsync(connection, source.Id, requestId, started, ct);
            if (state == ObjectStates.Ingested)
            {
                await transaction.CommitAsync(ct);
                logger.LogInformation("Firehose request {RequestId} of source {SourceId} was stored before: nothing to do", requestId, source.Id);
                return new FirehoseResult(FirehoseOutcome.AlreadyStored, 0, null);
            }
            counts = new LedgerCounts(id);
            await using var reader = new TextFlowLogReader(body, gzip: false, format, options.Value.Limits);
            await using (var sink = await FlowSink.BeginAsync(connection, strings, source.Id, new RollupAccumulator(), rollupOptions.Value.TopKeys,
                await digestRules.CurrentAsync(ct), ct))
            {
                failure = await sink.AddAllAsync(reader, counts, ct);
                if (failure is null && body.RequestId is { } inBody && inBody != requestId)
                {
                    failure = "the body's requestId is not the X-Amz-Firehose-Request-Id header's";
                }
                if (failure is null)
                {
                    await sink.CompleteAsync([counts], clock.GetUtcNow(), ct);
                }
            }
            if (failure is null)
            {
                await FinishAsync(connection, source.Id, id, size ?? body.BodyBytes, started, ct);
                await transaction.CommitAsync(ct);
            }
        }
        catch (FirehoseBodyTooLargeException e)
        {
            (failure, tooLarge) = ($"{e.Message} (limit FlowLens:Ingestion:FirehoseMaxRequestBytes); make the stream's buffer size smaller", true);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            (failure, tooLarge) = ($"the request body is more than {options.Value.FirehoseMaxRequestBytes} bytes (limit FlowLens:Ingestion:FirehoseMaxRequestBytes); make the stream's buffer size smaller", true);
        }
        if (failure is not null)
        {
            await RefuseAsync(source.Id, requestId, size ?? body.BodyBytes, failure);
            return new FirehoseResult(tooLarge ? FirehoseOutcome.TooLarge : FirehoseOutcome.Unreadable, 0, failure);
        }
        metrics.Stored(source.Id, counts.Records, counts.Rejected);
        metrics.Ingested(source.Id);
        logger.LogInformation("Stored Firehose request {RequestId} of source {SourceId}: {Records} records from {FirehoseRecords} Firehose records, {Rejected} malformed lines skipped",
            requestId, source.Id, counts.Records, body.Records, counts.Rejected);
        compaction.AfterLoad();
        return new FirehoseResult(FirehoseOutcome.Stored, counts.Records, null);
    }

    /// <summary>The request's ledger row (made when new), locked for this transaction: its id and state.</summary>
    private static async Task<(long Id, string State)> LockLedgerRowAsync(NpgsqlConnection connection, long sourceId, string requestId, DateTimeOffset now, CancellationToken ct)
    {
        // A second delivery of the same request waits here for the first one's transaction.
        await SqlCommands.ExecuteAsync(connection, $"""
            insert into source_objects (source_id, key, e_tag, size, state, records, rejected_lines, attempts, discovered_at, sample_errors)
            values ($1, $2, '{ETag}', 0, 'pending', 0, 0, 0, $3, '[]')
            on conflict (source_id, key, e_tag) do nothing
            """, ct, sourceId, requestId, now.UtcDateTime);
        await using var command = new NpgsqlCommand($"select id, state from source_objects where source_id = $1 and key = $2 and e_tag = '{ETag}' for update", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        command.Parameters.Add(new NpgsqlParameter { Value = requestId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(0), reader.GetString(1));
    }

    /// <summary>Marks the request stored, and the source as working (its last error, a failed request's, is over).</summary>
    private async Task FinishAsync(NpgsqlConnection connection, long sourceId, long id, long size, DateTimeOffset started, CancellationToken ct)
    {
        await SqlCommands.ExecuteAsync(connection, "update source_objects set state = 'ingested', error = null, size = $2, attempts = attempts + 1 where id = $1", ct, id, size);
        await SqlCommands.ExecuteAsync(connection, "update sources set last_error = null, last_run_started_at = $2, last_run_finished_at = $3 where id = $1", ct,
            sourceId, started.UtcDateTime, clock.GetUtcNow().UtcDateTime);
    }

    /// <summary>Records why a request was refused: in its ledger row (unless a retry stored it meanwhile) and on the source.</summary>
    public async Task RefuseAsync(long sourceId, string requestId, long size, string reason)
    {
        metrics.Failed(sourceId);
        logger.LogWarning("Firehose request {RequestId} of source {SourceId} failed: {Reason}", requestId, sourceId, reason);
        // The request's own cancellation must not keep its failure from being recorded.
        await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await SqlCommands.ExecuteAsync(connection, $"""
            insert into source_objects (source_id, key, e_tag, size, state, records, rejected_lines, attempts, discovered_at, sample_errors, error)
            values ($1, $2, '{ETag}', $3, 'failed', 0, 0, 1, $4, '[]', $5)
            on conflict (source_id, key, e_tag) do update set state = 'failed', error = excluded.error, size = excluded.size,
                attempts = source_objects.attempts + 1
            where source_objects.state <> 'ingested'
            """, CancellationToken.None, sourceId, requestId, size, clock.GetUtcNow().UtcDateTime, reason);
        await SqlCommands.ExecuteAsync(connection, "update sources set last_error = $2 where id = $1", CancellationToken.None, sourceId, $"Firehose request {requestId}: {reason}");
    }
}
