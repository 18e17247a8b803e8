using System.Net;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.Demo;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Scopes;
using FlowLens.Core.Synthetic;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Features.Demo;

/// <summary>
/// The demo as run.sh configures it (FlowLens:Demo, the demo-geo files, the shipped ip-ranges.json), on real
/// PostgreSQL: the flows it writes are described by the inventory, the networks and the geo databases it ships.
/// </summary>
public sealed class DemoContextTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();
    private readonly string _geo = Directory.CreateTempSubdirectory("flowlens-demo-geo").FullName;

    private void Configure(IWebHostBuilder builder)
    {
        _folder.Allow(builder);
        builder.UseSetting("FlowLens:Demo:Source", "demo");
        builder.UseSetting("FlowLens:Demo:AwsIpRanges", Repository.PathOf("deploy/local/demo/ip-ranges.json"));
        builder.UseSetting("FlowLens:Enrichment:GeoIpDatabase", Path.Combine(_geo, DemoGeo.CountryFile));
        builder.UseSetting("FlowLens:Enrichment:AsnDatabase", Path.Combine(_geo, DemoGeo.AsnFile));
        builder.UseSetting("FlowLens:Enrichment:RefreshAwsIpRanges", "false");
    }

    [Fact]
    public async Task TheDemosFlows_AreDescribed_ByItsInventory_Networks_AndGeoDatabases()
    {
        var ct = TestContext.Current.CancellationToken;
        DemoGeo.Write(_geo);
        await using var app = await postgres.StartAppAsync(Configure);
        // As run.sh: the source comes after the start, through the API; the demo's inventory follows it.
        var sourceId = await _folder.CreateSourceAsync(app, "demo");
        await WaitAsync(() => app.ScalarAsync<bool>("select exists (select from inventory_sources where source_id = $1 and state = 'ok')", sourceId));
        var records = await DemoRecordsAsync();

        // Every flow's own address (the destination of what came in, the source of what went out) is its ENI's,
        // at the flow's time, and names what the ENI belongs to.
        var lookup = app.Services.GetRequiredService<InventoryLookup>();
        var local = records.Where(r => r.LogStatus == LogStatus.Ok)
            .Select(r => (Record: r, Address: (r.FlowDirection == FlowDirection.Ingress ? r.DstAddr : r.SrcAddr)!.Value))
            .Where(f => !Reserved(f.Address)).ToList();
        Assert.True(local.Count > 1500, $"{local.Count} flows");
        var byAddress = await lookup.DescribeAsync(local.Select(f => new InventoryKey(f.Address.ToString(), f.Record.Start!.Value)), AccessScope.Everything, ct);
        foreach (var (record, address) in local)
        {
            var context = byAddress[new InventoryKey(address.ToString(), record.Start!.Value)];
            Assert.Equal(record.InterfaceId, context.InterfaceId);
            Assert.Equal(record.AccountId, context.AccountId);
            Assert.Equal(record.InstanceId, context.InstanceId);
            Assert.Equal(record.SubnetId, context.SubnetId);
            Assert.NotNull(context.ResourceName ?? context.ResourceId ?? (context.Kind == "rds" ? "rds" : null));
        }
        // ENI 16 of each account is db-1's.
        var db1 = local.First(f => f.Record.InstanceId?.EndsWith("0000000000010", StringComparison.Ordinal) == true && f.Address.IsIPv4).Record;
        var account = SyntheticEstate.Accounts.Single(a => a.Id == db1.AccountId);
        var db1Address = db1.FlowDirection == FlowDirection.Ingress ? db1.DstAddr!.Value : db1.SrcAddr!.Value;
        var described = (await lookup.DescribeAsync([new InventoryKey(db1Address.ToString(), db1.Start!.Value), new InventoryKey(db1.InterfaceId!, db1.Start!.Value)], AccessScope.Everything, ct)).Values.ToList();
        Assert.Equal(2, described.Count);
        Assert.All(described, c =>
        {
            Assert.Equal(("instance", "db-1", "r6i.large", "running"), (c.Kind, c.ResourceName, c.ResourceType, c.ResourceState));
            Assert.Equal(account.Environment, c.VpcName);
            Assert.Equal($"{account.Environment}-data-c", c.SubnetName);
            Assert.Equal(new[] { "monitoring", "postgres" }, c.SecurityGroups.Select(g => g.GroupName!).Order());
        });

        // The planted attacks' own hosts (a partner API, a reports host) are instances of prod too.
        var planted = await lookup.DescribeAsync(SyntheticAttacks.PlantedHosts.Select(h => new InventoryKey(h.Address.ToString(), DateTimeOffset.UtcNow)), AccessScope.Everything, ct);
        Assert.Equal([("partner-api-1", "prod-public-a", SyntheticAttacks.PartnerInterface), ("reports-1", "prod-app-b", SyntheticAttacks.ReportsInterface)],
            planted.Values.Select(c => (c.ResourceName, c.SubnetName, c.InterfaceId)).OrderBy(c => c.ResourceName));

        // The networks: each VPC by its environment, the prod data subnet inside prod, an office VPN.
        var addresses = app.Services.GetRequiredService<AddressContext>();
        Assert.Equal(DemoContext.Networks.Count, await app.ScalarAsync<long>("select count(*) from networks"));
        Assert.Equal("prod-data", addresses.Lookup(IPAddress.Parse("10.0.16.10")).Network?.Name);
        Assert.Equal("prod", addresses.Lookup(IPAddress.Parse("10.0.2.10")).Network?.Name);
        Assert.Equal("staging", addresses.Lookup(IPAddress.Parse("10.1.2.10")).Network?.Name);
        Assert.Equal("dev", addresses.Lookup(IPAddress.Parse("2001:db8:0:201::2:a")).Network?.Name);
        Assert.Equal("office VPN", addresses.Lookup(IPAddress.Parse("203.0.113.5")).Network?.Name);

        // The threat list of the planted threat-list hit, uploaded.
        Assert.Equal("upload 2", await app.ScalarAsync<string>("select origin || ' ' || entry_count from threat_lists where name = $1", SyntheticAttacks.ThreatListName));

        // Every internet address of the flows has a country and an AS; AWS's are AWS's, with the service the flow says.
        var remote = records.Where(r => r.LogStatus == LogStatus.Ok)
            .Select(r => (Record: r, Address: (r.FlowDirection == FlowDirection.Ingress ? r.SrcAddr : r.DstAddr)!.Value))
            .Where(f => !IPNetwork.Parse("10.0.0.0/8").Contains(IPAddress.Parse(f.Address.ToString()))).ToList();
        Assert.True(remote.Count > 500, $"{remote.Count} flows with the internet");
        foreach (var (record, address) in remote)
        {
            var info = addresses.Lookup(IPAddress.Parse(address.ToString()));
            Assert.True(info.Country is not null && info.Asn is not null && info.AsOrganization is not null, $"{address}: no country or AS");
            if (record.PktDstAwsService is { } service)
            {
                Assert.Equal((16509L, "AMAZON-02"), (info.Asn, info.AsOrganization));
                Assert.StartsWith(service, info.Aws?.Service);
            }
        }
        var scanner = addresses.Lookup(IPAddress.Parse("198.51.100.7"));
        Assert.Equal(("RO", 64510L), (scanner.Country, scanner.Asn));
        var s3 = addresses.Lookup(IPAddress.Parse(SyntheticEstate.AwsIpv6Address));
        Assert.Equal(("IE", 16509L, "S3"), (s3.Country, s3.Asn, s3.Aws?.Service));

        // A restart (run.sh again) merges the same inventory: nothing new, nothing closed; the networks and ranges stay.
        var before = await CountsAsync(app);
        var lastRun = await app.ScalarAsync<DateTime>("select last_run_at from inventory_sources where source_id = $1", sourceId);
        await using (var again = new FlowLensApp(app.ConnectionString, Configure))
        {
            _ = again.Services;
            await WaitAsync(() => app.ScalarAsync<bool>("select last_run_at > $2 from inventory_sources where source_id = $1", sourceId, lastRun));
        }
        Assert.Equal(before, await CountsAsync(app));
    }

    /// <summary>The first four addresses of a subnet are AWS's (10.n.0.2 is the VPC's DNS): no ENI holds them.</summary>
    private static bool Reserved(FlowAddress address)
    {
        var bytes = IPAddress.Parse(address.ToString()).GetAddressBytes();
        return bytes.Length == 4 && bytes[2] % 8 == 0 && bytes[3] < 4;
    }

    /// <summary>Twelve objects of demo flow logs (demo-data's seed), read back from the files.</summary>
    private async Task<List<FlowRecord>> DemoRecordsAsync()
    {
        var records = new List<FlowRecord>();
        foreach (var key in _folder.WriteDay(files: 12, recordsPerFile: 500, seed: 2026))
        {
            await using var reader = FlowLogFiles.Open(File.OpenRead(Path.Combine(_folder.Root, key)), key);
            while (await reader.ReadAsync() is var result && result != FlowReadResult.End)
            {
                Assert.Equal(FlowReadResult.Record, result);
                records.Add(reader.Record.Clone());
            }
        }
        return records;
    }

    private static Task<string> CountsAsync(FlowLensApp app) => app.ScalarAsync<string>("""
        select concat_ws(' ', (select count(*) from inventory_interfaces), (select count(*) from inventory_addresses),
            (select count(*) from inventory_resources), (select count(*) from inventory_addresses where valid_to <> 'infinity'),
            (select count(*) from networks), (select count(*) from aws_ip_ranges_imports), (select count(*) from threat_lists))
        """);

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 300 && !await condition(); i++)
        {
            await Task.Delay(200);
        }
        Assert.True(await condition(), "The demo's context was not stored in time.");
    }

    public void Dispose()
    {
        _folder.Dispose();
        Directory.Delete(_geo, recursive: true);
    }
}
