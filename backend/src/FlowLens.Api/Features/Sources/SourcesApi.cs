using System.Security.Claims;
using FlowLens.Api.Data;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Detections;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Ingestion.Inventory;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Hosting;
using FlowLens.Core.Stats;
using Hangfire;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Sources;

public static class SourcesApi
{
    public static void MapSources(this IEndpointRouteBuilder app)
    {
        var sources = app.MapGroup("/api/sources").WithTags("Sources");
        sources.MapGet("/", ListSources).RequireAuthorization(Policies.Viewer).WithSummary("All sources with their status.");
        sources.MapGet("/{id:long}", GetSource).RequireAuthorization(Policies.Viewer).WithSummary("One source with its status.");
        sources.MapPost("/", CreateSource).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin).WithSummary("Adds a source; its schedule starts at once.");
        sources.MapPut("/{id:long}", UpdateSource).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin).WithSummary("Replaces a source's settings.");
        sources.MapDelete("/{id:long}", DeleteSource).RequireAuthorization(Policies.Admin).WithSummary("Removes a source, its ledger and its flows.");
        sources.MapPost("/{id:long}/sync", SyncSource).ProducesProblem(StatusCodes.Status409Conflict).RequireAuthorization(Policies.Admin).WithSummary("Runs an ingestion now (after the one running, if any).");
        sources.MapGet("/{id:long}/objects", ListObjects).WithName("listSourceObjects").RequireAuthorization(Policies.Viewer).WithSummary("The ledger of objects found, newest first.");
        sources.MapPost("/{id:long}/objects/retry", RetryFailed).ProducesProblem(StatusCodes.Status409Conflict).WithName("retryFailedObjects").RequireAuthorization(Policies.Admin).WithSummary("Queues the failed objects again.");
        sources.MapPost("/{id:long}/inventory/refresh", RefreshInventory).RequireAuthorization(Policies.Admin).WithSummary("Reads the source account's AWS inventory now.");
    }

    /// <summary>How a source's ingestion is going. Counts are cumulative over all runs.</summary>
    /// <param name="Inventory">How the source account's AWS inventory (names and context of addresses) is going.</param>
    public sealed record SourceStatus(
        string State, DateTimeOffset? LastRunStartedAt, DateTimeOffset? LastRunFinishedAt, string? LastError,
        long ObjectsIngested, long ObjectsFailed, long RecordsIngested, long RecordsRejected, DateTimeOffset? NewestRecordAt,
        InventoryStatus Inventory);

    /// <param name="Inventory">The AWS inventory option (off for directory and firehose sources).</param>
    /// <param name="Firehose">A firehose source's settings: its access key only in the response that made it.</param>
    public sealed record SourceResponse(
        long Id, string Name, string Kind, bool Enabled, string Schedule, S3Settings? S3, DirectorySettings? Directory,
        CloudWatchSettings? CloudWatch, InventorySettings Inventory, DateTimeOffset CreatedAt, SourceStatus Status, FirehoseSettings? Firehose);

    public sealed record ObjectResponse(
        long Id, string Key, string ETag, long Size, string State, long Records, long RejectedLines, string? Error,
        int Attempts, DateTimeOffset DiscoveredAt, DateTimeOffset? IngestedAt, List<BadLine> SampleErrors);

    public sealed record ObjectPage(List<ObjectResponse> Items, string? NextCursor);

    public sealed record Accepted(string Message, int Objects);

    internal static async Task<Ok<List<SourceResponse>>> ListSources(
        FlowLensDb db, InventoryStore inventory, ClaimsPrincipal user, IAuthorizationService auth, CancellationToken ct) =>
        TypedResults.Ok(await ResponsesAsync(db, inventory, InScope(db, user).OrderBy(s => s.Id), await IsAdminAsync(user, auth), ct));

    internal static async Task<Results<Ok<SourceResponse>, ProblemHttpResult>> GetSource(
        long id, FlowLensDb db, InventoryStore inventory, ClaimsPrincipal user, IAuthorizationService auth, CancellationToken ct) =>
        (await ResponsesAsync(db, inventory, InScope(db, user).Where(s => s.Id == id), await IsAdminAsync(user, auth), ct)).SingleOrDefault() is { } source
            ? TypedResults.Ok(source)
            : Problems.NotFound("source", id);

    /// <summary>
    /// The sources the caller may see: a source holds the flows of any accounts it is given (an organisation's bucket),
    /// so a scoped caller sees none, nor their ledgers; the condition is a parameter of the SQL, not a filter after it.
    /// </summary>
    private static IQueryable<Source> InScope(FlowLensDb db, ClaimsPrincipal user)
    {
        var everything = CallerScope.SeesAll(user);
        return db.Sources.Where(s => everything);
    }

    private static async Task<bool> IsAdminAsync(ClaimsPrincipal user, IAuthorizationService auth) =>
        (await auth.AuthorizeAsync(user, Policies.Admin)).Succeeded;

    internal static async Task<Results<Created<SourceResponse>, ValidationProblem, ProblemHttpResult>> CreateSource(
        SourceRequest request, FlowLensDb db, InventoryStore inventory, SourceSchedules schedules, IOptions<SourcesOptions> options, SourceEndpoints endpoints, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var errors = SourceValidation.Validate(request, options.Value, endpoints);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (await db.Sources.AnyAsync(s => s.Name == request.Name, ct))
        {
            return NameTaken(request.Name!);
        }
        var now = clock.GetUtcNow();
        var source = new Source { Name = request.Name!, Kind = request.Kind!, CreatedAt = now, UpdatedAt = now };
        var madeKey = Assign(source, request);
        if (await KeyTakenAsync(db, source, ct) is { } taken)
        {
            return taken;
        }
        db.Sources.Add(source);
        await db.SaveChangesAsync(ct);
        await SaveInventoryAsync(inventory, source, request, ct);
        schedules.Apply(source);
        await audit.RecordAsync(AuditActions.SourceCreated, Target(source), source.Kind, ct);
        var response = (await ResponsesAsync(db, inventory, db.Sources.Where(s => s.Id == source.Id), admin: true, ct)).Single();
        return TypedResults.Created($"/api/sources/{source.Id}", WithKey(response, madeKey));
    }

    internal static async Task<Results<Ok<SourceResponse>, ValidationProblem, ProblemHttpResult>> UpdateSource(
        long id, SourceRequest request, FlowLensDb db, InventoryStore inventory, SourceSchedules schedules, IOptions<SourcesOptions> options, SourceEndpoints endpoints, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var errors = SourceValidation.Validate(request, options.Value, endpoints);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var source = await db.Sources.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (source is null)
        {
            return Problems.NotFound("source", id);
        }
        if (await db.Sources.AnyAsync(s => s.Name == request.Name && s.Id != id, ct))
        {
            return NameTaken(request.Name!);
        }
        var where = (source.Kind, source.S3, source.Directory, source.CloudWatch);
        var madeKey = Assign(source, request);
        if (await KeyTakenAsync(db, source, ct) is { } taken)
        {
            return taken;
        }
        if (where != (source.Kind, source.S3, source.Directory, source.CloudWatch))
        {
            source.Checkpoint = null; // a new place to read from: list it from the start
        }
        source.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(ct);
        await SaveInventoryAsync(inventory, source, request, ct);
        schedules.Apply(source);
        await audit.RecordAsync(AuditActions.SourceUpdated, Target(source), source.Kind, ct);
        return TypedResults.Ok(WithKey((await ResponsesAsync(db, inventory, db.Sources.Where(s => s.Id == id), admin: true, ct)).Single(), madeKey));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteSource(
        long id, FlowLensDb db, NpgsqlDataSource dataSource, FlowStrings strings, SourceSchedules schedules, AuditLog audit, CancellationToken ct)
    {
        var source = await db.Sources.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (source is null)
        {
            return Problems.NotFound("source", id);
        }
        schedules.Remove(id);
        // One transaction: the source's flows and their sums in the rollups go with it (its ledger by cascade).
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var rollups = new RollupAccumulator();
        await RollupWriter.DeleteFlowsAsync(connection, "source_id = $1", "source_id = $1", rollups, ct, id);
        await RollupWriter.WriteTotalsAsync(connection, strings.IdOf, rollups, ct);
        await DigestWriter.DeleteAsync(connection, "source_id = $1", ct, id);
        await using (var delete = new NpgsqlCommand("delete from sources where id = $1", connection))
        {
            delete.Parameters.Add(new NpgsqlParameter { Value = id });
            await delete.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        await audit.RecordAsync(AuditActions.SourceDeleted, Target(source), source.Kind, ct);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Accepted<Accepted>, ProblemHttpResult>> SyncSource(
        long id, FlowLensDb db, IBackgroundJobClient jobs, AuditLog audit, CancellationToken ct)
    {
        var source = await db.Sources.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (source is null)
        {
            return Problems.NotFound("source", id);
        }
        if (source.Kind == SourceKinds.Firehose)
        {
            return Conflict("Firehose sends a firehose source its records; there is nothing to fetch.");
        }
        await audit.RecordAsync(AuditActions.SourceSync, Target(source), null, ct);
        // Always queued: a sync asked for lists again and queues every pending object (this also picks up objects
        // a crashed node left half-done); ingesting an object twice is a no-op.
        jobs.Enqueue<SyncJob>(job => job.RunAsync(id, true, CancellationToken.None));
        return TypedResults.Accepted($"/api/sources/{id}", new Accepted(
            source.State == SourceStates.Running ? "A run is going; this sync follows it and picks up what is pending." : "A run was queued.", 0));
    }

    internal static async Task<Results<Accepted<Accepted>, ProblemHttpResult>> RefreshInventory(
        long id, FlowLensDb db, InventoryStore inventory, IBackgroundJobClient jobs, AuditLog audit, CancellationToken ct)
    {
        var source = await db.Sources.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (source is null)
        {
            return Problems.NotFound("source", id);
        }
        await audit.RecordAsync(AuditActions.SourceInventory, Target(source), null, ct);
        jobs.Enqueue<InventoryJob>(job => job.RunAsync(id, CancellationToken.None));
        var active = InventoryStore.Target(source, await inventory.SettingsAsync(id, ct)) is not null;
        return TypedResults.Accepted($"/api/sources/{id}", new Accepted(
            active ? "An inventory run was queued." : "This source has no inventory (turned off, a folder, or a non-AWS endpoint without inventory.serviceUrl); the run records that.", 0));
    }

    internal static async Task<Results<Ok<ObjectPage>, ValidationProblem, ProblemHttpResult>> ListObjects(
        long id, FlowLensDb db, ClaimsPrincipal user, CancellationToken ct, string? state = null, int limit = 100, string? cursor = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (state is not (null or ObjectStates.Pending or ObjectStates.Ingested or ObjectStates.Failed or ObjectStates.Replaced))
        {
            errors["state"] = ["The state must be pending, ingested, failed or replaced."];
        }
        if (limit is < 1 or > 1000)
        {
            errors["limit"] = ["The limit must be 1 to 1000."];
        }
        long? after = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, out var c))
            {
                after = c;
            }
            else
            {
                errors["cursor"] = ["The cursor is not one this API gave."];
            }
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (!await InScope(db, user).AnyAsync(s => s.Id == id, ct))
        {
            return Problems.NotFound("source", id);
        }
        var query = db.SourceObjects.AsNoTracking().Where(o => o.SourceId == id);
        if (state is not null)
        {
            query = query.Where(o => o.State == state);
        }
        if (after is { } before)
        {
            query = query.Where(o => o.Id < before);
        }
        var items = await query.OrderByDescending(o => o.Id).Take(limit)
            .Select(o => new ObjectResponse(o.Id, o.Key, o.ETag, o.Size, o.State, o.Records, o.RejectedLines, o.Error,
                o.Attempts, o.DiscoveredAt, o.IngestedAt, o.SampleErrors))
            .ToListAsync(ct);
        return TypedResults.Ok(new ObjectPage(items, items.Count == limit ? items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }

    internal static async Task<Results<Accepted<Accepted>, ProblemHttpResult>> RetryFailed(
        long id, FlowLensDb db, IBackgroundJobClient jobs, AuditLog audit, TimeProvider clock, CancellationToken ct)
    {
        var source = await db.Sources.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (source is null)
        {
            return Problems.NotFound("source", id);
        }
        if (source.Kind == SourceKinds.Firehose)
        {
            return Conflict("FlowLens keeps no copy of a refused Firehose request: Firehose retries it, then keeps it in the stream's S3 backup bucket.");
        }
        var failed = await db.SourceObjects.Where(o => o.SourceId == id && o.State == ObjectStates.Failed).Select(o => o.Id).ToListAsync(ct);
        await db.SourceObjects.Where(o => failed.Contains(o.Id)).ExecuteUpdateAsync(set => set
            .SetProperty(o => o.State, ObjectStates.Pending).SetProperty(o => o.Attempts, 0).SetProperty(o => o.Error, (string?)null)
            .SetProperty(o => o.QueuedAt, clock.GetUtcNow()), ct);
        if (failed.Count > 0)
        {
            await db.Sources.Where(s => s.Id == id).ExecuteUpdateAsync(set => set
                .SetProperty(s => s.State, SourceStates.Running).SetProperty(s => s.LastRunStartedAt, clock.GetUtcNow()), ct);
        }
        foreach (var objectId in failed)
        {
            jobs.Enqueue<IngestObjectJob>(job => job.RunAsync(objectId, CancellationToken.None));
        }
        await audit.RecordAsync(AuditActions.SourceRetry, Target(source), $"{failed.Count} objects", ct);
        return TypedResults.Accepted($"/api/sources/{id}/objects?state=pending", new Accepted($"{failed.Count} failed objects queued again.", failed.Count));
    }

    private static string Target(Source source) => $"source:{source.Name} (#{source.Id})";

    /// <summary>A folder or a Firehose stream gives FlowLens no AWS access: its inventory is off whatever the request says.</summary>
    private static Task SaveInventoryAsync(InventoryStore inventory, Source source, SourceRequest request, CancellationToken ct)
    {
        var settings = !HasAwsAccess(source) ? new InventorySettings { Enabled = false } : request.Inventory ?? new InventorySettings();
        return inventory.SaveSettingsAsync(source.Id, settings, InventoryStore.Target(source, settings) is not null, ct);
    }

    private static bool HasAwsAccess(Source source) => source.Kind is not (SourceKinds.Directory or SourceKinds.Firehose);

    /// <summary>Sets the source from the request; returns the firehose access key FlowLens made, to show once.</summary>
    private static string? Assign(Source source, SourceRequest request)
    {
        source.Name = request.Name!;
        source.Kind = request.Kind!;
        source.Enabled = request.Enabled ?? true;
        source.Schedule = request.Schedule ?? SourceKinds.DefaultSchedule;
        source.S3 = request.Kind == SourceKinds.S3 ? request.S3 : null;
        source.Directory = request.Kind == SourceKinds.Directory ? request.Directory : null;
        source.CloudWatch = request.Kind == SourceKinds.CloudWatch ? request.CloudWatch : null;
        if (request.Kind != SourceKinds.Firehose)
        {
            (source.Firehose, source.FirehoseKeyHash) = (null, null);
            return null;
        }
        // Only the key's hash is kept; an update without a key keeps the one the source has.
        var key = request.Firehose!.AccessKey;
        var made = key is null && source.FirehoseKeyHash is null ? Ingestion.Firehose.FirehoseApi.NewAccessKey() : null;
        key ??= made;
        var prefix = key is null ? source.Firehose?.AccessKeyPrefix : key[..ApiKey.PrefixLength];
        source.FirehoseKeyHash = key is null ? source.FirehoseKeyHash : ApiKey.HashOf(key);
        source.Firehose = request.Firehose with { AccessKey = null, AccessKeyPrefix = prefix };
        return made;
    }

    /// <summary>A key names one source: another source's is refused.</summary>
    private static async Task<ProblemHttpResult?> KeyTakenAsync(FlowLensDb db, Source source, CancellationToken ct) =>
        source.FirehoseKeyHash is { } hash && await db.Sources.AnyAsync(s => s.FirehoseKeyHash == hash && s.Id != source.Id, ct)
            ? Conflict("Another source has this Firehose access key.")
            : null;

    private static SourceResponse WithKey(SourceResponse response, string? madeKey) =>
        madeKey is null ? response : response with { Firehose = response.Firehose! with { AccessKey = madeKey } };

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);

    /// <summary>The sources with their status; a viewer gets neither the external ids nor the endpoints.</summary>
    private static async Task<List<SourceResponse>> ResponsesAsync(FlowLensDb db, InventoryStore inventory, IQueryable<Source> sources, bool admin, CancellationToken ct)
    {
        var list = await sources.AsNoTracking().ToListAsync(ct);
        var ids = list.Select(s => s.Id).ToList();
        var inventories = await inventory.ReadAsync(ids, ct);
        var totals = await db.SourceObjects.Where(o => ids.Contains(o.SourceId)).GroupBy(o => o.SourceId)
            .Select(g => new
            {
                SourceId = g.Key,
                Ingested = g.LongCount(o => o.State == ObjectStates.Ingested),
                Failed = g.LongCount(o => o.State == ObjectStates.Failed),
                Records = g.Where(o => o.State == ObjectStates.Ingested).Sum(o => o.Records),
                Rejected = g.Where(o => o.State == ObjectStates.Ingested).Sum(o => o.RejectedLines),
                Newest = g.Where(o => o.State == ObjectStates.Ingested).Max(o => o.NewestRecordAt),
            })
            .ToDictionaryAsync(t => t.SourceId, ct);
        return [.. list.Select(s =>
        {
            var t = totals.GetValueOrDefault(s.Id);
            var (settings, status) = inventories.TryGetValue(s.Id, out var found) ? found : Unrun(s);
            if (!admin)
            {
                settings = settings with { ServiceUrl = null };
            }
            var (s3, cloudWatch) = admin ? (s.S3, s.CloudWatch)
                : (s.S3 is null ? null : s.S3 with { ExternalId = null, ServiceUrl = null, Sqs = s.S3.Sqs is null ? null : s.S3.Sqs with { ExternalId = null, ServiceUrl = null } },
                    s.CloudWatch is null ? null : s.CloudWatch with { ExternalId = null, ServiceUrl = null });
            return new SourceResponse(s.Id, s.Name, s.Kind, s.Enabled, s.Schedule, s3, s.Directory, cloudWatch, settings, s.CreatedAt,
                new SourceStatus(s.State, s.LastRunStartedAt, s.LastRunFinishedAt, s.LastError,
                    t?.Ingested ?? 0, t?.Failed ?? 0, t?.Records ?? 0, t?.Rejected ?? 0, t?.Newest, status), s.Firehose);
        })];
    }

    /// <summary>A source saved before the inventory existed: the default option, never run.</summary>
    private static (InventorySettings, InventoryStatus) Unrun(Source source)
    {
        var settings = new InventorySettings { Enabled = HasAwsAccess(source) };
        var state = InventoryStore.Target(source, settings) is null ? InventoryStates.Disabled : InventoryStates.Pending;
        return (settings, new InventoryStatus(state, null, null, new InventoryCounts(0, 0, 0)));
    }

    private static ProblemHttpResult NameTaken(string name) => Conflict($"A source named '{name}' exists already.");
}
