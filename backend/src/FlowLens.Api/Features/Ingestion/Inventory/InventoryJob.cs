using FlowLens.Api.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace FlowLens.Api.Features.Ingestion.Inventory;

/// <summary>
/// One inventory run of a source: reads its account's region through EC2 with the source's credentials and role, and
/// merges it into the inventory's history. Denied Describe actions leave their part as it was and say so in the
/// source's status; ingestion never waits for or depends on it.
/// </summary>
public sealed class InventoryJob(FlowLensDb db, InventoryStore store, SourceClients clients, TimeProvider clock, ILogger<InventoryJob> logger)
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
        if (InventoryStore.Target(source, await store.SettingsAsync(sourceId, ct)) is not { } target)
        {
            await store.RecordAsync(sourceId, InventoryStates.Disabled, null, now, ct);
            return;
        }
        try
        {
            var snapshot = await Ec2Inventory.ReadAsync(clients.Ec2(target), logger, ct);
            await store.MergeAsync(sourceId, target.Region, snapshot, now, ct);
            logger.LogInformation("Source {SourceId}: inventory of {Region} read, {Interfaces} interfaces, {Resources} resources{Denied}",
                sourceId, target.Region, snapshot.Interfaces.Count, snapshot.Resources.Count,
                snapshot.Denied.Count == 0 ? "" : "; " + string.Join("; ", snapshot.Denied));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await store.RecordAsync(sourceId, InventoryStates.Failed, SourceErrors.Describe(e, logger, $"Source {sourceId}: the inventory"), now, ct);
        }
    }
}
