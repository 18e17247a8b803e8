using FlowLens.Api.Data;
using FlowLens.Api.Features.Ingestion.CloudWatch;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// One run of a source: lists its store, records new object versions in the ledger, and enqueues one
/// <see cref="IngestObjectJob"/> per pending object, so that every FlowLens worker can take a share.
/// A scheduled run queues only objects not queued yet, or queued so long ago that their job was surely lost
/// (a crashed node); a run asked for through the API queues every pending object.
/// </summary>
public sealed class SyncJob(
    FlowLensDb db, NpgsqlDataSource dataSource, IBackgroundJobClient jobs, CloudWatchIngestion cloudWatch, Metrics.FlowLensMetrics metrics,
    TimeProvider clock, ILogger<SyncJob> logger, SourceClients clients)
{
    /// <summary>After this long, a queued object still pending is queued again by a scheduled run.</summary>
    public static readonly TimeSpan StaleQueue = TimeSpan.FromMinutes(30);

    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(long sourceId, bool requeueAll, CancellationToken ct) => metrics.TimeAsync("sync", () => SyncAsync(sourceId, requeueAll, ct));

    private async Task SyncAsync(long sourceId, bool requeueAll, CancellationToken ct)
    {
        var source = await db.Sources.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sourceId, ct);
        if (source is null || source.Kind == SourceKinds.Firehose)
        {
            return;
        }
        var now = clock.GetUtcNow();
        // A queue source's objects arrive through its queue (Queue/S3QueueListener); listing the last day is its optional
        // safety net. Its error comes from that listener (the queue, a message), which a run does not undo.
        var queue = source.S3?.Sqs;
        var fromQueue = queue is not null;
        await db.Sources.Where(s => s.Id == sourceId).ExecuteUpdateAsync(set => set
            .SetProperty(s => s.State, SourceStates.Running)
            .SetProperty(s => s.LastRunStartedAt, now)
            .SetProperty(s => s.LastError, s => fromQueue ? s.LastError : null), ct);
        try
        {
            if (source.Kind == SourceKinds.CloudWatch)
            {
                // A log group is read in this job itself: one paging sequence per run keeps within the service's rate.
                if (await cloudWatch.RunAsync(source, ct) > 0)
                {
                    jobs.Enqueue<Stats.RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
                }
                await db.Sources.Where(s => s.Id == sourceId).ExecuteUpdateAsync(set => set
                    .SetProperty(s => s.State, SourceStates.Idle)
                    .SetProperty(s => s.LastRunFinishedAt, clock.GetUtcNow()), ct);
                return;
            }
            IReadOnlyList<StoredObject> objects = [];
            var added = 0;
            if (queue is null || queue.ListLastDay)
            {
                using var store = ObjectStores.For(source, clients, logger);
                (objects, var checkpoint) = await store.ListAsync(queue is null ? source.Checkpoint : $"{now.UtcDateTime.AddDays(-1):yyyy-MM-dd}", ct);
                added = await SourceLedger.RecordAsync(dataSource, sourceId, objects, now, ct);
                if (queue is null)
                {
                    await db.Sources.Where(s => s.Id == sourceId).ExecuteUpdateAsync(set => set.SetProperty(s => s.Checkpoint, checkpoint), ct);
                }
            }

            var pending = await MarkQueuedAsync(sourceId, requeueAll, now, ct);
            foreach (var id in pending)
            {
                jobs.Enqueue<IngestObjectJob>(job => job.RunAsync(id, CancellationToken.None));
            }
            logger.LogInformation("Source {SourceId}: {Listed} objects listed, {Added} new, {Pending} to ingest",
                sourceId, objects.Count, added, pending.Count);
            if (pending.Count == 0)
            {
                // Nothing queued by this run: done now, unless jobs queued earlier are still going.
                await IngestObjectJob.FinishRunIfDoneAsync(db, sourceId, clock, ct);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var error = SourceErrors.Describe(e, logger, $"Source {sourceId}: the run");
            await db.Sources.Where(s => s.Id == sourceId).ExecuteUpdateAsync(set => set
                .SetProperty(s => s.State, SourceStates.Failed)
                .SetProperty(s => s.LastError, error)
                .SetProperty(s => s.LastRunFinishedAt, clock.GetUtcNow()), ct);
        }
    }

    /// <summary>Stamps the pending objects to queue now and returns them, oldest first.</summary>
    private async Task<List<long>> MarkQueuedAsync(long sourceId, bool requeueAll, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            update source_objects set queued_at = $2
            where source_id = $1 and state = 'pending' and ($4 or queued_at is null or queued_at < $3)
            returning id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = (now - StaleQueue).UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter { Value = requeueAll });
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }
        ids.Sort();
        return ids;
    }
}
