using FlowLens.Api.Data;
using FlowLens.Api.Features.Detections;
using FlowLens.Api.Features.Metrics;
using FlowLens.Api.Features.Stats;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Stats;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// Loads one object: its flow rows and its ledger entry commit in one transaction, after locking the ledger row,
/// so a re-run, a crash or a second worker never stores an object twice or in part.
/// </summary>
public sealed class IngestObjectJob(
    FlowLensDb db, NpgsqlDataSource dataSource, FlowStrings strings, IBackgroundJobClient jobs, FlowLensMetrics metrics, TimeProvider clock,
    IOptions<IngestionOptions> options, IOptions<RollupOptions> rollupOptions, ILogger<IngestObjectJob> logger, SourceClients clients, DigestRules digestRules)
{
    public const int MaxAttempts = 4;

    // Transient failures (network, throttling, a database restart) are retried by Hangfire with its backoff;
    // the last attempt marks the object failed so the run can finish.
    [AutomaticRetry(Attempts = MaxAttempts - 1, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public Task RunAsync(long objectId, CancellationToken ct) => metrics.TimeAsync("ingest-object", () => IngestAsync(objectId, ct));

    private async Task IngestAsync(long objectId, CancellationToken ct)
    {
        var item = await db.SourceObjects.AsNoTracking().SingleOrDefaultAsync(o => o.Id == objectId, ct);
        var source = item is null ? null : await db.Sources.AsNoTracking().SingleOrDefaultAsync(s => s.Id == item.SourceId, ct);
        if (item is null || source is null || item.State != ObjectStates.Pending)
        {
            return;
        }
        try
        {
            if (await LoadAsync(source, item, ct) is { } failure)
            {
                // The object itself is unreadable: retrying will not help until someone asks.
                await MarkAsync(objectId, ObjectStates.Failed, failure, ct);
                metrics.Failed(source.Id);
                logger.LogWarning("Object {Key} of source {SourceId} failed: {Reason}", item.Key, source.Id, failure);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var giveUp = item.Attempts + 1 >= MaxAttempts;
            var error = SourceErrors.Describe(e, logger, $"Object {item.Key} of source {source.Id}");
            await MarkAsync(objectId, giveUp ? ObjectStates.Failed : ObjectStates.Pending,
                giveUp ? $"gave up after {MaxAttempts} attempts: {error}" : error, ct);
            if (!giveUp)
            {
                throw; // Hangfire retries later, with its backoff
            }
            metrics.Failed(source.Id);
            logger.LogWarning(e, "Object {Key} of source {SourceId} failed after {Attempts} attempts", item.Key, source.Id, MaxAttempts);
        }
        if (await FinishRunIfDoneAsync(db, source.Id, clock, ct))
        {
            jobs.Enqueue<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        }
    }

    /// <summary>Stores the object's rows and marks it ingested; returns why the object is unreadable, if it is.</summary>
    private async Task<string?> LoadAsync(Source source, SourceObject item, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (!await LockPendingAsync(connection, item.Id, ct))
        {
            return null; // another worker finished it while we waited
        }
        var rollups = new RollupAccumulator();
        await ReplaceOlderVersionsAsync(connection, item, rollups, ct);

        if (item.Size > options.Value.MaxObjectBytes)
        {
            // Before downloading it (a Parquet object goes to a temporary file whole).
            return $"the object is {item.Size} bytes, more than {options.Value.MaxObjectBytes} (limit MaxObjectBytes)";
        }
        using var store = ObjectStores.For(source, clients, logger);
        var stream = await store.OpenAsync(item.Key, seekable: FlowLogFiles.IsParquet(item.Key), ct);
        await using var reader = FlowLogFiles.Open(stream, item.Key, limits: options.Value.Limits);
        var counts = new LedgerCounts(item.Id);
        await using (var sink = await FlowSink.BeginAsync(connection, strings, source.Id, rollups, rollupOptions.Value.TopKeys,
            await digestRules.CurrentAsync(ct), ct))
        {
            if (await sink.AddAllAsync(reader, counts, ct) is { } unreadable)
            {
                return unreadable; // disposing the sink and the transaction stores nothing
            }
            await sink.CompleteAsync([counts], clock.GetUtcNow(), ct);
        }

        await using (var done = new NpgsqlCommand(
            "update source_objects set state = 'ingested', error = null, attempts = attempts + 1 where id = $1", connection, transaction))
        {
            done.Parameters.Add(new NpgsqlParameter { Value = item.Id });
            await done.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        metrics.Stored(source.Id, counts.Records, counts.Rejected);
        metrics.Ingested(source.Id);
        logger.LogInformation("Ingested {Key} of source {SourceId}: {Records} records, {Rejected} malformed lines skipped",
            item.Key, source.Id, counts.Records, counts.Rejected);
        return null;
    }

    /// <summary>Locks the ledger row for this transaction; false when it is no longer pending.</summary>
    private static async Task<bool> LockPendingAsync(NpgsqlConnection connection, long id, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select state from source_objects where id = $1 for update", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await command.ExecuteScalarAsync(ct) as string == ObjectStates.Pending;
    }

    /// <summary>
    /// An object rewritten in place (new etag): the old version's rows go, in the same transaction, and their sums
    /// are taken out of the rollups.
    /// </summary>
    private static async Task ReplaceOlderVersionsAsync(NpgsqlConnection connection, SourceObject item, RollupAccumulator rollups, CancellationToken ct)
    {
        var older = new List<(long Id, DateTime? Oldest, DateTime? Newest)>();
        await using (var replace = new NpgsqlCommand("""
            update source_objects set state = 'replaced'
            where source_id = $1 and key = $2 and id <> $3 and state = 'ingested'
            returning id, oldest_record_at, newest_record_at
            """, connection))
        {
            replace.Parameters.Add(new NpgsqlParameter { Value = item.SourceId });
            replace.Parameters.Add(new NpgsqlParameter { Value = item.Key });
            replace.Parameters.Add(new NpgsqlParameter { Value = item.Id });
            await using var reader = await replace.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                older.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetDateTime(1), reader.IsDBNull(2) ? null : reader.GetDateTime(2)));
            }
        }
        foreach (var (id, oldest, newest) in older)
        {
            // The time range as constants lets PostgreSQL visit only the partitions the old rows are in.
            await RollupWriter.DeleteFlowsAsync(connection, "object_id = $1 and (start_min is null or start_min between $2 and $3)", "object_id = $1", rollups, ct,
                id, DateTime.SpecifyKind(oldest ?? DateTime.MinValue, DateTimeKind.Utc), DateTime.SpecifyKind(newest ?? DateTime.MinValue, DateTimeKind.Utc));
            await DigestWriter.DeleteAsync(connection, "object_id = $1", ct, id);
        }
    }

    /// <summary>Records a failed attempt: the object stays pending (to be retried) or is failed.</summary>
    private Task MarkAsync(long id, string state, string error, CancellationToken ct) =>
        db.SourceObjects.Where(o => o.Id == id && o.State == ObjectStates.Pending).ExecuteUpdateAsync(set => set
            .SetProperty(o => o.State, state)
            .SetProperty(o => o.Error, error)
            .SetProperty(o => o.Attempts, o => o.Attempts + 1), ct);

    /// <summary>A run is finished when none of the source's objects is pending any more; true when this call finished it.</summary>
    public static async Task<bool> FinishRunIfDoneAsync(FlowLensDb db, long sourceId, TimeProvider clock, CancellationToken ct)
    {
        if (await db.SourceObjects.AnyAsync(o => o.SourceId == sourceId && o.State == ObjectStates.Pending, ct))
        {
            return false;
        }
        return await db.Sources.Where(s => s.Id == sourceId && s.State == SourceStates.Running).ExecuteUpdateAsync(set => set
            .SetProperty(s => s.State, SourceStates.Idle)
            .SetProperty(s => s.LastRunFinishedAt, clock.GetUtcNow()), ct) > 0;
    }
}
