using FlowLens.Api.Data;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.Detections;
using FlowLens.Api.Features.Ingestion.Inventory;
using FlowLens.Api.Features.Stats;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// The one place recurring jobs are registered: a sync job and an inventory job (AWS sources) per enabled source,
/// partition upkeep, rollup compaction, the detections, AWS's ip-ranges.json.
/// </summary>
public sealed class SourceSchedules(IRecurringJobManager recurring, IOptions<InventoryOptions> inventory, IOptions<EnrichmentOptions> enrichment,
    IOptions<DetectionOptions> detections)
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

    /// <summary>At start: every source's job in step with the database, the partition maintenance job, the rollup compaction and the ip-ranges.json refresh (when on).</summary>
    public async Task ApplyAllAsync(FlowLensDb db, CancellationToken ct)
    {
        recurring.AddOrUpdate<PartitionMaintenanceJob>(PartitionMaintenanceJob.Id, job => job.RunAsync(CancellationToken.None), PartitionMaintenanceJob.Schedule);
        recurring.AddOrUpdate<RollupCompactionJob>(RollupCompactionJob.Id, job => job.RunAsync(CancellationToken.None), RollupCompactionJob.Schedule);
        recurring.AddOrUpdate<DetectionJob>(DetectionJob.Id, job => job.RunAsync(CancellationToken.None), detections.Value.Interval);
        if (enrichment.Value.RefreshAwsIpRanges)
        {
            recurring.AddOrUpdate<AwsIpRangesJob>(AwsIpRangesJob.Id, job => job.RunAsync(CancellationToken.None), AwsIpRangesJob.Schedule);
        }
        else
        {
            recurring.RemoveIfExists(AwsIpRangesJob.Id);
        }
        foreach (var source in await db.Sources.AsNoTracking().ToListAsync(ct))
        {
            Apply(source);
        }
    }
}
