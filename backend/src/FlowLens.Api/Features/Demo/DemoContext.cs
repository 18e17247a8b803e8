using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.Ingestion.Inventory;
using FlowLens.Api.Features.ThreatLists;
using FlowLens.Core.Synthetic;
using FlowLens.Core.ThreatLists;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Features.Demo;

/// <summary>
/// The demo's context (<c>FlowLens:Demo</c>), set by deploy/local/run.sh: with <see cref="Source"/> named, FlowLens
/// names the synthetic accounts' networks, imports <see cref="AwsIpRanges"/> when no ip-ranges.json was imported,
/// uploads the demo's threat list (the address of its planted threat-list hit), fits the baseline detectors to one day
/// of data, and gives that source the synthetic
/// accounts' inventory. The country and ASN databases are files
/// (<c>demo-geo</c>, <see cref="DemoGeo"/>) named by the usual <c>FlowLens:Enrichment</c> options.
/// </summary>
public sealed class DemoOptions
{
    public const string Section = "FlowLens:Demo";

    /// <summary>The source that reads the demo's flow logs (run.sh: <c>demo</c>); none: no demo context.</summary>
    public string? Source { get; set; }

    /// <summary>An ip-ranges.json imported (as an upload) when the table has none yet.</summary>
    public string? AwsIpRanges { get; set; }
}

/// <summary>Puts the demo's context in the database; every step is skipped when its part is there already.</summary>
public sealed class DemoContext(NpgsqlDataSource dataSource, InventoryStore inventory, AwsIpRangesStore awsIpRanges, AddressContext context,
    ThreatListStore threatLists, TimeProvider clock)
{
    /// <summary>The networks named for the demo: each VPC (IPv4 and IPv6), the prod data subnet, an office VPN.</summary>
    public static IReadOnlyList<(string Cidr, string Name, string? Role, string? Tenant)> Networks { get; } =
    [
        .. SyntheticEstate.Accounts.SelectMany(a => new (string, string, string?, string?)[]
        {
            (a.VpcCidr, a.Environment, "vpc", null),
            (a.VpcIpv6Cidr, a.Environment, "vpc", null),
        }),
        (SyntheticEstate.Accounts[0].SubnetCidr(2), "prod-data", "database", null),
        ("203.0.113.0/24", "office VPN", "vpn", "it"),
    ];

    /// <summary>Adds the demo networks whose block is not named yet; an admin's own name for a block stays. Returns how many were added.</summary>
    public async Task<int> SeedNetworksAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            insert into networks (cidr, name, role, tenant, created_at, updated_at)
            select n.cidr::cidr, n.name, n.role, n.tenant, $5, $5
            from unnest($1::text[], $2::text[], $3::text[], $4::text[]) as n(cidr, name, role, tenant)
            on conflict (cidr) do nothing
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = Networks.Select(n => n.Cidr).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = Networks.Select(n => n.Name).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. Networks.Select(n => n.Role)], NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. Networks.Select(n => n.Tenant)], NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        var added = await command.ExecuteNonQueryAsync(ct);
        await context.RefreshAsync(force: false, ct);
        return added;
    }

    /// <summary>Imports the file as an admin's upload would, unless ranges were imported already (by the daily refresh or an admin). Null: nothing done.</summary>
    public async Task<AwsIpRangesImportRecord?> SeedAwsIpRangesAsync(string path, CancellationToken ct)
    {
        if ((await awsIpRanges.LatestAsync(ct)).Current is not null)
        {
            return null;
        }
        await using var file = File.OpenRead(path);
        return await awsIpRanges.ImportAsync(file, AwsIpRangesStore.OriginUpload, null, ct);
    }

    /// <summary>Creates the demo's threat list (<see cref="SyntheticAttacks.ThreatListName"/>) with its entries, unless a list has that name. False: kept.</summary>
    public async Task<bool> SeedThreatListAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            insert into threat_lists (name, description, origin, enabled, created_at, updated_at)
            values ($1, 'The demo''s planted threat-list hit', $2, true, $3, $3)
            on conflict (name) do nothing
            returning id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = SyntheticAttacks.ThreatListName });
        command.Parameters.Add(new NpgsqlParameter { Value = ThreatListStore.OriginUpload });
        command.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        if (await command.ExecuteScalarAsync(ct) is not long id)
        {
            return false;
        }
        await threatLists.ReplaceEntriesAsync(id, ThreatListParser.Parse(SyntheticAttacks.ThreatListText, ThreatListLimits.Default), ct);
        return true;
    }

    /// <summary>
    /// Fits the baseline detectors to a demo of one day, unless someone changed them: a new port counts after 12 hours of
    /// watching (not 168), bytes out against 24 hours of history (not 168) from 50 MB in an hour (not 100 MB). Returns
    /// the rules changed.
    /// </summary>
    public async Task<int> SeedRulesAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            update rules set parameters = parameters || case kind
                when 'new-port' then '{"baselineHours": 12}'::jsonb
                else '{"baselineHours": 24, "minBytes": 50000000}'::jsonb end, updated_at = $1
            where built_in and kind in ('new-port', 'exfiltration') and updated_at = created_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = clock.GetUtcNow() });
        return await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The id of the source named <paramref name="name"/>, if there is one.</summary>
    public async Task<long?> FindSourceAsync(string name, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("select id from sources where name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return await command.ExecuteScalarAsync(ct) as long?;
    }

    /// <summary>Merges the synthetic accounts' inventory into the source's, through the inventory's own merge: unchanged, it writes nothing.</summary>
    public Task SeedInventoryAsync(long sourceId, CancellationToken ct) =>
        inventory.MergeAsync(sourceId, SyntheticEstate.Region, DemoInventory.Snapshot(), clock.GetUtcNow(), ct);
}

/// <summary>
/// With <c>FlowLens:Demo:Source</c> set: at start, the demo's networks and AWS ranges, then, once the source exists
/// (run.sh creates it through the API after the start), its inventory. Failures are logged; FlowLens runs on without.
/// </summary>
public sealed class DemoContextSeeder(DemoContext demo, IOptions<DemoOptions> options, ILogger<DemoContextSeeder> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var (name, ranges) = (options.Value.Source!, options.Value.AwsIpRanges);
        try
        {
            var networks = await demo.SeedNetworksAsync(stoppingToken);
            var import = string.IsNullOrWhiteSpace(ranges) ? null : await demo.SeedAwsIpRangesAsync(ranges, stoppingToken);
            var threatList = await demo.SeedThreatListAsync(stoppingToken);
            var rules = await demo.SeedRulesAsync(stoppingToken);
            log.LogInformation("Demo: {Networks} networks added, AWS ranges {Import}, threat list {ThreatList}, {Rules} baseline detectors fitted to one day", networks,
                import is null ? "kept" : import.Error ?? $"imported ({import.Ipv4Prefixes} IPv4, {import.Ipv6Prefixes} IPv6 prefixes)",
                threatList ? "uploaded" : "kept", rules);
            long? sourceId;
            while ((sourceId = await demo.FindSourceAsync(name, stoppingToken)) is null)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
            await demo.SeedInventoryAsync(sourceId.Value, stoppingToken);
            log.LogInformation("Demo: the synthetic accounts' inventory merged into source {SourceId} ({Name})", sourceId.Value, name);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            log.LogError(e, "Demo: the demo's context could not be stored");
        }
    }
}

public static class DemoSetup
{
    public static void AddFlowLensDemo(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section)
            .Validate(o => string.IsNullOrWhiteSpace(o.AwsIpRanges) || File.Exists(o.AwsIpRanges), "FlowLens:Demo:AwsIpRanges names a file that exists.")
            .ValidateOnStart();
        builder.Services.AddSingleton<DemoContext>();
        if (!string.IsNullOrWhiteSpace(builder.Configuration[$"{DemoOptions.Section}:Source"]))
        {
            builder.Services.AddHostedService<DemoContextSeeder>();
        }
    }
}
