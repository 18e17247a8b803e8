using System.Net;
using FlowLens.Core.Context;
using Npgsql;

namespace FlowLens.Api.Features.Context;

/// <summary>A named network that holds an address.</summary>
public sealed record NetworkMatch(long Id, string Cidr, string Name, string? Role, string? Tenant);

/// <summary>The AWS service range that holds an address: its most specific prefix in ip-ranges.json.</summary>
public sealed record AwsServiceMatch(string Prefix, string Service, string Region, string? NetworkBorderGroup);

/// <summary>What FlowLens knows of an address.</summary>
/// <param name="Network">The most specific of your networks holding it.</param>
/// <param name="Aws">The most specific AWS prefix holding it (a named service before <c>AMAZON</c>).</param>
/// <param name="Country">ISO 3166 country code, from the country database.</param>
/// <param name="Asn">Autonomous system number, from the ASN database.</param>
/// <param name="AsOrganization">The autonomous system's organisation.</param>
/// <param name="Resource">What the AWS inventory says the address was at the time asked: its ENI, resource, names and security groups; null when it does not know.</param>
public sealed record AddressInfo(string Address, NetworkMatch? Network, AwsServiceMatch? Aws, string? Country, long? Asn, string? AsOrganization, InventoryContext? Resource);

/// <summary>
/// The one lookup of an address's context: your networks and AWS's ranges from in-memory prefix maps (loaded from
/// PostgreSQL, reloaded at once after a change on this node and every <see cref="EnrichmentOptions.ReloadInterval"/>
/// when another node changed them), country and ASN from the .mmdb readers.
/// </summary>
public sealed class AddressContext(NpgsqlDataSource dataSource, GeoDatabases geo, ILogger<AddressContext> log)
{
    private sealed record Loaded<T>(PrefixMap<T> Map, string Version);

    private volatile Loaded<NetworkMatch>? _networks;
    private volatile Loaded<AwsIpPrefix>? _awsRanges;
    private readonly SemaphoreSlim _loading = new(1, 1);

    /// <summary>Loads the maps if this node has not yet.</summary>
    public async Task LoadAsync(CancellationToken ct)
    {
        if (_networks is null || _awsRanges is null)
        {
            await RefreshAsync(force: false, ct);
        }
    }

    /// <summary>The context of an address from what is loaded (nothing of networks or ranges before the first load), without <see cref="AddressInfo.Resource"/>.</summary>
    public AddressInfo Lookup(IPAddress address)
    {
        var (asn, organization) = geo.Asn(address);
        return new AddressInfo(address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString() : address.ToString(),
            Network(address), Aws(address), geo.Country(address), asn, organization, null);
    }

    /// <summary>The most specific of your networks holding an address (what <see cref="Lookup"/> gives, without the rest).</summary>
    public NetworkMatch? Network(IPAddress address) => _networks?.Map.TryLookup(address, out var n) == true ? n : null;

    /// <summary>The most specific AWS prefix holding an address (what <see cref="Lookup"/> gives, without the rest).</summary>
    public AwsServiceMatch? Aws(IPAddress address) =>
        _awsRanges?.Map.TryLookup(address, out var a) == true ? new AwsServiceMatch(a.Prefix.ToString(), a.Service, a.Region, a.NetworkBorderGroup) : null;

    /// <summary>The addresses whose most specific network's name <paramref name="keep"/> accepts (for filters).</summary>
    public async Task<List<AddressRange>> NetworkRangesAsync(Func<NetworkMatch, bool> keep, CancellationToken ct)
    {
        await LoadAsync(ct);
        return _networks!.Map.RangesWhere(keep);
    }

    /// <summary>The addresses whose most specific AWS prefix <paramref name="keep"/> accepts (for filters).</summary>
    public async Task<List<AddressRange>> AwsRangesAsync(Func<AwsIpPrefix, bool> keep, CancellationToken ct)
    {
        await LoadAsync(ct);
        return _awsRanges!.Map.RangesWhere(keep);
    }

    /// <summary>How many networks and AWS prefixes this node has loaded.</summary>
    public (int Networks, int AwsPrefixes) Counts => (_networks?.Map.Count ?? 0, _awsRanges?.Map.Count ?? 0);

    /// <summary>
    /// Reloads the networks and ranges whose version in the database differs from the loaded one (all of them when
    /// <paramref name="force"/>): cheap when nothing changed, one aggregate query each.
    /// </summary>
    public async Task RefreshAsync(bool force, CancellationToken ct)
    {
        await _loading.WaitAsync(ct);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            var networksVersion = await ScalarAsync(connection, "select count(*) || ':' || coalesce(sum(id), 0) || ':' || coalesce(max(updated_at)::text, '') from networks", ct);
            if (force || _networks?.Version != networksVersion)
            {
                _networks = new(await LoadNetworksAsync(connection, ct), networksVersion);
                log.LogDebug("Loaded {Count} networks", _networks.Map.Count);
            }
            var rangesVersion = await ScalarAsync(connection, "select coalesce(max(id), 0)::text from aws_ip_ranges_imports where error is null", ct);
            if (force || _awsRanges?.Version != rangesVersion)
            {
                _awsRanges = new(await LoadAwsRangesAsync(connection, ct), rangesVersion);
                log.LogDebug("Loaded {Count} AWS prefixes", _awsRanges.Map.Count);
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    private static async Task<string> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    private static async Task<PrefixMap<NetworkMatch>> LoadNetworksAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var entries = new List<(IPNetwork, NetworkMatch)>();
        await using var command = new NpgsqlCommand("select id, cidr::text, name, role, tenant from networks", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (Cidr.TryParse(reader.GetString(1), clearHostBits: true, out var network, out _))
            {
                entries.Add((network, new NetworkMatch(reader.GetInt64(0), network.ToString(), reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4))));
            }
        }
        return PrefixMap<NetworkMatch>.Build(entries);
    }

    private static async Task<PrefixMap<AwsIpPrefix>> LoadAwsRangesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var entries = new List<(IPNetwork, AwsIpPrefix)>();
        // In the file's order, so that between two named services for one prefix the first listed stays.
        await using var command = new NpgsqlCommand("select prefix::text, service, region, network_border_group from aws_ip_ranges order by ordinal", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (Cidr.TryParse(reader.GetString(0), clearHostBits: true, out var prefix, out _))
            {
                entries.Add((prefix, new AwsIpPrefix(prefix, reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3))));
            }
        }
        return PrefixMap<AwsIpPrefix>.Build(entries, AwsIpPrefix.MoreSpecific);
    }
}

/// <summary>Every node: reloads the maps a minute after another node changed networks or imported ranges.</summary>
public sealed class AddressContextRefresher(AddressContext context, Microsoft.Extensions.Options.IOptions<EnrichmentOptions> options, ILogger<AddressContextRefresher> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await context.RefreshAsync(force: false, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Never ends the loop (an exception out of a hosted service stops the host): the next round tries again.
                log.LogWarning(e, "The networks and AWS ranges could not be reloaded; the loaded ones stay");
            }
            try
            {
                await Task.Delay(options.Value.ReloadInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
