using FlowLens.Api.Data;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.Stats;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>The one place recurring jobs are registered: a sync job per enabled source, partition upkeep, rollup compaction, AWS's ip-ranges.json.</summary>
public sealed class SourceSchedules(IRecurringJobManager recurring, IOptions<EnrichmentOptions> enrichment)
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

    /// <summary>At start: every source's job in step with the database, the partition maintenance job, the rollup compaction and the ip-ranges.json refresh (when on).</summary>
    public async Task ApplyAllAsync(FlowLensDb db, CancellationToken ct)
    {
        recurring.AddOrUpdate<PartitionMaintenanceJob>(PartitionMaintenanceJob.Id, job => job.RunAsync(CancellationToken.None), PartitionMaintenanceJob.Schedule);
        recurring.AddOrUpdate<RollupCompactionJob>(RollupCompactionJob.Id, job => job.RunAsync(CancellationToken.None), RollupCompactionJob.Schedule);
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
