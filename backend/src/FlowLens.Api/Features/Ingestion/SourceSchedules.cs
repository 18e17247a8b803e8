using FlowLens.Api.Data;
using FlowLens.Api.Features.Ingestion.Inventory;
using FlowLens.Api.Features.Stats;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// The one place recurring jobs are registered: a sync job and an inventory job (AWS sources) per enabled source,
/// partition upkeep, rollup compaction.
/// </summary>
public sealed class SourceSchedules(IRecurringJobManager recurring, IOptions<InventoryOptions> inventory)
{
    public static string JobId(long sourceId) => $"source-{sourceId}";

    public static string InventoryJobId(long sourceId) => $"inventory-{sourceId}";

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
        // The job itself reads the source's inventory option (and records "disabled" when it is off).
        if (source.Enabled && source.Kind is SourceKinds.S3 or SourceKinds.CloudWatch)
        {
            recurring.AddOrUpdate<InventoryJob>(InventoryJobId(source.Id), job => job.RunAsync(source.Id, CancellationToken.None), inventory.Value.Schedule);
        }
        else
        {
            recurring.RemoveIfExists(InventoryJobId(source.Id));
        }
    }

    public void Remove(long sourceId)
    {
        recurring.RemoveIfExists(JobId(sourceId));
        recurring.RemoveIfExists(InventoryJobId(sourceId));
    }

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
