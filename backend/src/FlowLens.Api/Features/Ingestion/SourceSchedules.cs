using FlowLens.Api.Data;
using FlowLens.Api.Features.Stats;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>The one place recurring jobs are registered: a sync job per enabled source, partition upkeep, rollup compaction.</summary>
public sealed class SourceSchedules(IRecurringJobManager recurring)
{
    public static string JobId(long sourceId) => $"source-{sourceId}";

    public void Apply(Source source)
    {
        if (source.Enabled)
        {
            recurring.AddOrUpdate<SyncJob>(JobId(source.Id), job => job.RunAsync(source.Id, false, CancellationToken.None), source.Schedule);
        }
        else
        {
            recurring.RemoveIfExists(JobId(source.Id));
        }
    }

    public void Remove(long sourceId) => recurring.RemoveIfExists(JobId(sourceId));

    /// <summary>At start: every source's job in step with the database, the partition maintenance job and the rollup compaction.</summary>
    public async Task ApplyAllAsync(FlowLensDb db, CancellationToken ct)
    {
        recurring.AddOrUpdate<PartitionMaintenanceJob>(PartitionMaintenanceJob.Id, job => job.RunAsync(CancellationToken.None), PartitionMaintenanceJob.Schedule);
        recurring.AddOrUpdate<RollupCompactionJob>(RollupCompactionJob.Id, job => job.RunAsync(CancellationToken.None), RollupCompactionJob.Schedule);
        foreach (var source in await db.Sources.AsNoTracking().ToListAsync(ct))
        {
            Apply(source);
        }
    }
}
