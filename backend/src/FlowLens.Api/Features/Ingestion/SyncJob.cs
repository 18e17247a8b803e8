using FlowLens.Api.Data;
using FlowLens.Api.Features.Sources;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// One run of a source: lists its store, records new object versions in the ledger, and enqueues one
/// <see cref="IngestObjectJob"/> per pending object, so that every FlowLens worker can take a share.
/// </summary>
public sealed class SyncJob(FlowLensDb db, NpgsqlDataSource dataSource, IBackgroundJobClient jobs, TimeProvider clock, ILogger<SyncJob> logger)
{
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(long sourceId, CancellationToken ct)
    {
        var source = await db.Sources.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sourceId, ct);
        if (source is null)
        {
            return;
        }
        var now = clock.GetUtcNow();
        await db.Sources.Where(s => s.Id == sourceId).ExecuteUpdateAsync(set => set
            .SetProperty(s => s.State, SourceStates.Running)
            .SetProperty(s => s.LastRunStartedAt, now)
            .SetProperty(s => s.LastError, (string?)null), ct);
        try
        {
            using var store = ObjectStores.For(source);
            var (objects, checkpoint) = await store.ListAsync(source.Checkpoint, ct);
            var added = await RecordAsync(sourceId, objects, now, ct);
            await db.Sources.Where(s => s.Id == sourceId).ExecuteUpdateAsync(set => set.SetProperty(s => s.Checkpoint, checkpoint), ct);

            var pending = await db.SourceObjects.Where(o => o.SourceId == sourceId && o.State == ObjectStates.Pending)
                .OrderBy(o => o.Id).Select(o => o.Id).ToListAsync(ct);
            foreach (var id in pending)
            {
                jobs.Enqueue<IngestObjectJob>(job => job.RunAsync(id, CancellationToken.None));
            }
            logger.LogInformation("Source {SourceId}: {Listed} objects listed, {Added} new, {Pending} to ingest",
                sourceId, objects.Count, added, pending.Count);
            if (pending.Count == 0)
            {
                await IngestObjectJob.FinishRunIfDoneAsync(db, sourceId, clock, ct);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Source {SourceId}: listing failed", sourceId);
            await db.Sources.Where(s => s.Id == sourceId).ExecuteUpdateAsync(set => set
                .SetProperty(s => s.State, SourceStates.Failed)
                .SetProperty(s => s.LastError, e.Message)
                .SetProperty(s => s.LastRunFinishedAt, clock.GetUtcNow()), ct);
        }
    }

    /// <summary>Adds the object versions the ledger does not have yet; returns how many were new.</summary>
    private async Task<int> RecordAsync(long sourceId, IReadOnlyList<StoredObject> objects, DateTimeOffset now, CancellationToken ct)
    {
        if (objects.Count == 0)
        {
            return 0;
        }
        // One statement for the whole listing; the unique (source, key, etag) makes a second lister a no-op.
        await using var command = dataSource.CreateCommand("""
            insert into source_objects (source_id, key, e_tag, size, last_modified, state, records, rejected_lines, attempts, discovered_at, sample_errors)
            select $1, o.key, o.etag, o.size, o.modified, 'pending', 0, 0, 0, $6, '[]'
            from unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[]) as o(key, etag, size, modified)
            on conflict (source_id, key, e_tag) do nothing
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        command.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.Key).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.ETag).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.Size).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.LastModified.UtcDateTime).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
        return await command.ExecuteNonQueryAsync(ct);
    }
}
