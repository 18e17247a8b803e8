using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using FlowLens.Api.Data;
using Npgsql;

namespace FlowLens.Api.Features.Ingestion.Inventory;

/// <summary>A source's inventory option: on by default for s3 and cloudwatch sources.</summary>
public sealed record InventorySettings
{
    public bool Enabled { get; init; } = true;

    /// <summary>Another EC2 endpoint (LocalStack, a test server); the source's own <c>serviceUrl</c> names its S3 or CloudWatch Logs.</summary>
    public string? ServiceUrl { get; init; }
}

/// <summary>How the source's last inventory run went: <c>pending</c>, <c>ok</c>, <c>denied</c>, <c>failed</c> or <c>disabled</c>.</summary>
/// <param name="Error">Why context is missing: the Describe actions denied, or the failure.</param>
/// <param name="Counts">What is current now.</param>
public sealed record InventoryStatus(string State, DateTimeOffset? LastRunAt, string? Error, InventoryCounts Counts);

public sealed record InventoryCounts(int Interfaces, int Addresses, int Resources);

public static class InventoryStates
{
    public const string Pending = "pending";
    public const string Ok = "ok";
    public const string Denied = "denied";
    public const string Failed = "failed";
    public const string Disabled = "disabled";
}

/// <summary>The schedule of inventory runs (<c>FlowLens:Inventory</c>).</summary>
public sealed class InventoryOptions
{
    public const string Section = "FlowLens:Inventory";

    /// <summary>Cron expression (UTC) of each AWS source's inventory run; hourly by default.</summary>
    [Required]
    public string Schedule { get; set; } = "0 * * * *";
}

/// <summary>
/// The inventory tables: each source's option and last run (<c>inventory_sources</c>), and the versions of its ENIs,
/// addresses and resources. A run's snapshot is merged per source and region: rows that changed or vanished are closed
/// at the run time, new versions open at it (see docs/enrichment.md).
/// </summary>
public sealed class InventoryStore(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Where a source's inventory reads, or null when it has none: off, a folder, or a non-AWS store without an EC2 endpoint of its own.</summary>
    public static Ec2Settings? Target(Source source, InventorySettings settings)
    {
        if (!settings.Enabled)
        {
            return null;
        }
        return source switch
        {
            { Kind: SourceKinds.S3, S3: { } s3 } when s3.ServiceUrl is null || settings.ServiceUrl is not null =>
                new Ec2Settings(s3.Region ?? "us-east-1", s3.RoleArn, s3.ExternalId, settings.ServiceUrl),
            { Kind: SourceKinds.CloudWatch, CloudWatch: { } cw } when cw.ServiceUrl is null || settings.ServiceUrl is not null =>
                new Ec2Settings(cw.Region ?? "", cw.RoleArn, cw.ExternalId, settings.ServiceUrl),
            _ => null,
        };
    }

    public async Task<InventorySettings> SettingsAsync(long sourceId, CancellationToken ct) =>
        (await ReadAsync([sourceId], ct)).TryGetValue(sourceId, out var found) ? found.Settings : new InventorySettings();

    /// <summary>The option and status of each source that has a row; the others have the defaults and never ran.</summary>
    public async Task<Dictionary<long, (InventorySettings Settings, InventoryStatus Status)>> ReadAsync(IReadOnlyCollection<long> sourceIds, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            select source_id, enabled, service_url, state, last_run_at, error, interfaces, addresses, resources
            from inventory_sources where source_id = any($1)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = sourceIds.ToArray() });
        var result = new Dictionary<long, (InventorySettings, InventoryStatus)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            result[reader.GetInt64(0)] = (
                new InventorySettings { Enabled = reader.GetBoolean(1), ServiceUrl = reader.IsDBNull(2) ? null : reader.GetString(2) },
                new InventoryStatus(reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                    new InventoryCounts(reader.GetInt32(6), reader.GetInt32(7), reader.GetInt32(8))));
        }
        return result;
    }

    /// <summary>Saves a source's option; turning it off shows at once as <c>disabled</c>, turning it on as <c>pending</c> until the next run.</summary>
    public async Task SaveSettingsAsync(long sourceId, InventorySettings settings, bool active, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            insert into inventory_sources (source_id, enabled, service_url, state) values ($1, $2, $3, case when $4 then 'pending' else 'disabled' end)
            on conflict (source_id) do update set enabled = $2, service_url = $3,
                state = case when not $4 then 'disabled' when inventory_sources.state = 'disabled' then 'pending' else inventory_sources.state end
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        command.Parameters.Add(new NpgsqlParameter { Value = settings.Enabled });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = settings.ServiceUrl, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = active });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Records a run that read nothing: disabled, or failed with its reason.</summary>
    public async Task RecordAsync(long sourceId, string state, string? error, DateTimeOffset at, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            insert into inventory_sources (source_id, state, error, last_run_at) values ($1, $2, $3, $4)
            on conflict (source_id) do update set state = $2, error = $3, last_run_at = $4
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        command.Parameters.Add(new NpgsqlParameter { Value = state });
        command.Parameters.Add(new NpgsqlParameter<string?> { TypedValue = error, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = at.UtcDateTime });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Merges what one run read into the source's rows of the region, in one transaction (runs of one source take
    /// turns on its <c>inventory_sources</c> row), and records the run: <c>denied</c> with the actions refused, or <c>ok</c>.
    /// </summary>
    public async Task MergeAsync(long sourceId, string region, InventorySnapshot snapshot, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Made if missing, and locked: runs of one source (the schedule's and a refresh) take turns.
        await SqlCommands.ExecuteAsync(connection, "insert into inventory_sources (source_id) values ($1) on conflict (source_id) do nothing", ct, sourceId);
        await SqlCommands.ExecuteAsync(connection, "select 1 from inventory_sources where source_id = $1 for update", ct, sourceId);
        // A source reads one region: what is current in another (its region was changed) is not any more.
        foreach (var table in (string[])["inventory_interfaces", "inventory_addresses", "inventory_resources"])
        {
            await SqlCommands.ExecuteAsync(connection, $"update {table} set valid_to = $3 where source_id = $1 and region <> $2 and valid_to = 'infinity'",
                ct, sourceId, region, at.UtcDateTime);
        }
        if (snapshot.InterfacesRead)
        {
            await SqlCommands.ExecuteAsync(connection, MergeInterfaces, ct, sourceId, region, Rows(snapshot.Interfaces), at.UtcDateTime);
            await SqlCommands.ExecuteAsync(connection, MergeAddresses, ct, sourceId, region, Rows(snapshot.Addresses), at.UtcDateTime);
        }
        if (snapshot.KindsRead.Count > 0)
        {
            await SqlCommands.ExecuteAsync(connection, MergeResources, ct, sourceId, region, Rows(snapshot.Resources), at.UtcDateTime, snapshot.KindsRead.ToArray());
        }
        var denied = snapshot.Denied.Count > 0;
        await SqlCommands.ExecuteAsync(connection, """
            update inventory_sources set state = $2, error = $3, last_run_at = $4,
                interfaces = (select count(*) from inventory_interfaces where source_id = $1 and valid_to = 'infinity'),
                addresses = (select count(*) from inventory_addresses where source_id = $1 and valid_to = 'infinity'),
                resources = (select count(*) from inventory_resources where source_id = $1 and valid_to = 'infinity')
            where source_id = $1
            """, ct, sourceId, denied ? InventoryStates.Denied : InventoryStates.Ok, denied ? string.Join("; ", snapshot.Denied) : DBNull.Value, at.UtcDateTime);
        await transaction.CommitAsync(ct);
    }

    private static string Rows<T>(List<T> rows) => JsonSerializer.Serialize(rows, Json);

    private static readonly string MergeInterfaces = Merge("inventory_interfaces", ["interface_id"], [
        ("interface_id", "text"), ("account_id", "text"), ("interface_type", "text"), ("kind", "text"), ("resource_id", "text"),
        ("description", "text"), ("requester_id", "text"), ("requester_managed", "boolean"), ("vpc_id", "text"), ("subnet_id", "text"),
        ("availability_zone", "text"), ("instance_id", "text"), ("security_group_ids", "text[]")], firstRunPerKind: false);

    private static readonly string MergeAddresses = Merge("inventory_addresses", ["address", "interface_id"], [
        ("address", "inet"), ("interface_id", "text"), ("kind", "text")], firstRunPerKind: false);

    private static readonly string MergeResources = Merge("inventory_resources", ["resource_id"], [
        ("resource_id", "text"), ("kind", "text"), ("account_id", "text"), ("name", "text"), ("type", "text"), ("vpc_id", "text"),
        ("attributes", "jsonb")], firstRunPerKind: true);

    /// <summary>
    /// One statement: $1 source, $2 region, $3 the rows read (a JSON array), $4 the run time, $5 the resource kinds read
    /// (resources only: the kinds whose Describe call was refused keep their rows).
    /// Current rows with no equal row read are closed at $4; rows read with no equal current row open at $4, or, on the
    /// first run of the source and region (per kind for resources), at AWS's own time for them or else -infinity.
    /// </summary>
    private static string Merge(string table, string[] keys, (string Name, string Type)[] columns, bool firstRunPerKind)
    {
        var names = string.Join(", ", columns.Select(c => c.Name));
        string Cols(string alias) => string.Join(", ", columns.Select(c => $"{alias}.{c.Name}"));
        string Keys(string a, string b) => string.Join(" and ", keys.Select(k => $"{a}.{k} = {b}.{k}"));
        var kinds = firstRunPerKind ? "and c.kind = any($5)" : "";
        var firstRun = firstRunPerKind ? "and o.kind = s.kind" : "";
        return $"""
            with seen as (
                select distinct on ({string.Join(", ", keys)}) * from jsonb_to_recordset($3::jsonb)
                    as r({string.Join(", ", columns.Select(c => $"{c.Name} {c.Type}"))}, since timestamptz)
            ), closed as (
                update {table} c set valid_to = $4
                where c.source_id = $1 and c.region = $2 and c.valid_to = 'infinity' {kinds}
                    and not exists (select from seen s where {Keys("s", "c")} and ({Cols("s")}) is not distinct from ({Cols("c")}))
            )
            insert into {table} (source_id, region, {names}, valid_from)
            select $1, $2, {Cols("s")},
                case when exists (select from {table} o where o.source_id = $1 and o.region = $2 {firstRun}) then $4
                    when s.since is null then '-infinity' else least(s.since, $4) end
            from seen s
            where not exists (select from {table} c where c.source_id = $1 and c.region = $2 and c.valid_to = 'infinity'
                and {Keys("s", "c")} and ({Cols("s")}) is not distinct from ({Cols("c")}))
            """;
    }
}
