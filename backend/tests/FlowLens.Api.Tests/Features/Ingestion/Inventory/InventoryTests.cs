using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Ingestion.Inventory;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Scopes;
using Microsoft.Extensions.DependencyInjection;
using static FlowLens.Api.Tests.Infrastructure.Ec2Xml;

namespace FlowLens.Api.Tests.Features.Ingestion.Inventory;

/// <summary>
/// The inventory job against the EC2 stand-in (signatures checked, pages of two, throttling), into real PostgreSQL,
/// and the lookup the flows use (InventoryDay is the account): an address or ENI is described as it was at the flow's time.
/// </summary>
public sealed class InventoryTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private Ec2Server _ec2 = null!;
    private InventoryDay _account = null!;

    public async ValueTask InitializeAsync()
    {
        _ec2 = await Ec2Server.StartAsync();
        _account = new InventoryDay(_ec2, Day);
    }

    public async ValueTask DisposeAsync() => await _ec2.DisposeAsync();

    private static async Task<IReadOnlyDictionary<InventoryKey, InventoryContext>> DescribeAsync(FlowLensApp app, params InventoryKey[] keys) =>
        await app.Services.GetRequiredService<InventoryLookup>().DescribeAsync(keys, AccessScope.Everything, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Lookup_DescribesAnAddressAndAnEni_AsTheyWereAtTheFlowsTime_AcrossAMiddayReassignment()
    {
        await using var app = await postgres.StartAppAsync();
        var id = await _account.MorningAndAfternoonAsync(app);

        var (nine, three) = (Day.AddHours(9), Day.AddHours(15));
        var keys = new InventoryKey[]
        {
            new("10.0.1.10", nine), new("10.0.1.10", three), new("eni-0c", nine), new("eni-0c", three),
            new("203.0.113.10", nine), new("2001:db8:0:1::20", three), new("10.0.1.5", three), new("10.0.1.6", nine), new("10.0.1.7", nine),
            new("10.0.1.11", nine), new("10.0.1.11", three), new("10.9.9.9", nine), new("eni-0nothere", nine),
        };
        var found = await DescribeAsync(app, keys);

        var before = found[new("10.0.1.10", nine)];
        Assert.Equal(("eni-0a", "private", "instance", "i-0a", "web-1", "t3.small", "running"),
            (before.InterfaceId, before.AddressKind, before.Kind, before.InstanceId, before.ResourceName, before.ResourceType, before.ResourceState));
        Assert.Equal([new SecurityGroupContext("sg-web", "web-public", "web")], before.SecurityGroups);
        Assert.Equal(("subnet-0a", "app-a", "vpc-0a", "prod", "eu-west-1a", "123456789012", Ec2Server.Region),
            (before.SubnetId, before.SubnetName, before.VpcId, before.VpcName, before.AvailabilityZone, before.AccountId, before.Region));
        var after = found[new("10.0.1.10", three)];
        Assert.Equal(("eni-0b", "i-0b", "worker-2", "m5.large"), (after.InterfaceId, after.InstanceId, after.ResourceName, after.ResourceType));
        Assert.Equal([new SecurityGroupContext("sg-worker", "workers", null)], after.SecurityGroups);

        // The second ENI moved with its attachment; an ENI is described by its own id too.
        Assert.Equal(("i-0a", "web-1", (string?)null), (found[new("eni-0c", nine)].InstanceId, found[new("eni-0c", nine)].ResourceName, found[new("eni-0c", nine)].AddressKind));
        Assert.Equal(("i-0b", "worker-2"), (found[new("eni-0c", three)].InstanceId, found[new("eni-0c", three)].ResourceName));
        Assert.Equal(("eni-0a", "public"), (found[new("203.0.113.10", nine)].InterfaceId, found[new("203.0.113.10", nine)].AddressKind));
        Assert.Equal(("eni-0b", "ipv6"), (found[new("2001:db8:0:1::20", three)].InterfaceId, found[new("2001:db8:0:1::20", three)].AddressKind));
        Assert.Equal(("nat-gateway", "nat-0a", "egress"), (found[new("10.0.1.5", three)].Kind, found[new("10.0.1.5", three)].ResourceId, found[new("10.0.1.5", three)].ResourceName));
        Assert.Equal(("vpc-endpoint", "vpce-0a", (string?)null), (found[new("10.0.1.6", nine)].Kind, found[new("10.0.1.6", nine)].ResourceId, found[new("10.0.1.6", nine)].InstanceId));
        Assert.Equal(("load-balancer", "app/web-alb/50dc6c495c0c9188"), (found[new("10.0.1.7", nine)].Kind, found[new("10.0.1.7", nine)].ResourceId));
        // 10.0.1.11 appeared at the 12:00 run: not known at 09:00. Unknown addresses and ENIs are left out.
        Assert.Equal("eni-0a", found[new("10.0.1.11", three)].InterfaceId);
        Assert.Equal(
            ["10.0.1.10@09", "10.0.1.10@15", "10.0.1.11@15", "10.0.1.5@15", "10.0.1.6@09", "10.0.1.7@09", "2001:db8:0:1::20@15", "203.0.113.10@09", "eni-0c@09", "eni-0c@15"],
            found.Keys.Select(k => $"{k.Value}@{k.At:HH}").Order(StringComparer.Ordinal));

        // The stand-in paged, throttled and found every signature right; every Describe action was read.
        Assert.Empty(_ec2.Failures);
        Assert.Empty(_ec2.SignatureFailures);
        Assert.True(_ec2.Throttled > 0, "the stand-in throttled no request");
        Assert.Equal(6, _ec2.Calls("DescribeNetworkInterfaces")); // 3 pages of 2, twice
        Assert.All(Ec2Server.Sets.Keys, action => Assert.True(_ec2.Calls(action) >= 2, $"{action} was not read on each run"));

        var status = (await app.GetSourceAsync(id)).Status.Inventory;
        Assert.Equal((InventoryStates.Ok, (string?)null, Day.AddHours(12)), (status.State, status.Error, status.LastRunAt));
        Assert.Equal(new InventoryCounts(6, 9, 13), status.Counts);
    }

    [Fact]
    public async Task History_ClosesWhatChanged_AtTheRunTime_DatesTheFirstRunByAws_AndAnUnchangedRunAddsNothing()
    {
        await using var app = await postgres.StartAppAsync();
        var id = await _account.MorningAndAfternoonAsync(app);
        var rows = await Sql.ColumnAsync<string>(app.ConnectionString, """
            select interface_id || ' ' || to_char(valid_from at time zone 'UTC', 'MM-DD HH24') || ' ' || coalesce(to_char(nullif(valid_to, 'infinity') at time zone 'UTC', 'MM-DD HH24'), 'now')
            from inventory_addresses where address = '10.0.1.10' order by valid_from
            """);
        // The first run dates what it finds by the ENI's attach time; the move closes one row and opens the next at 12:00.
        Assert.Equal(["eni-0a 11-29 00 12-01 12", "eni-0b 12-01 12 now"], rows);
        Assert.Equal("-infinity", await app.ScalarAsync<string>("select valid_from::text from inventory_interfaces where interface_id = 'eni-0n'"));

        var total = await app.ScalarAsync<long>("select (select count(*) from inventory_interfaces) + (select count(*) from inventory_addresses) + (select count(*) from inventory_resources)");
        await InventoryDay.RunAsync(app, id, Day.AddHours(13));
        Assert.Equal(total, await app.ScalarAsync<long>("select (select count(*) from inventory_interfaces) + (select count(*) from inventory_addresses) + (select count(*) from inventory_resources)"));

        // An instance gone closes its row; its last version still describes the morning.
        _ec2.Set("DescribeInstances", Instance("i-0b", "worker-2", "m5.large", "running", Day.AddDays(-1)));
        await InventoryDay.RunAsync(app, id, Day.AddHours(14));
        Assert.Equal("12-01 14", await app.ScalarAsync<string>("select to_char(valid_to at time zone 'UTC', 'MM-DD HH24') from inventory_resources where resource_id = 'i-0a'"));
        Assert.Equal("web-1", (await DescribeAsync(app, new InventoryKey("eni-0a", Day.AddHours(9))))[new("eni-0a", Day.AddHours(9))].ResourceName);
        Assert.Null((await DescribeAsync(app, new InventoryKey("eni-0a", Day.AddHours(15))))[new("eni-0a", Day.AddHours(15))].ResourceName);
    }

    [Fact]
    public async Task Inventory_IsOffWhenTurnedOff_AndForDirectorySources_AndRefreshIsForAdmins()
    {
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        var id = await _account.CreateSourceAsync(app, "prod");
        Assert.Equal(InventoryStates.Pending, (await app.GetSourceAsync(id)).Status.Inventory.State);

        var off = await admin.PutAsJsonAsync($"/api/sources/{id}", new
        {
            name = "prod", kind = "cloudwatch", enabled = false,
            cloudWatch = new { logGroupName = "/vpc/flow-logs", region = Ec2Server.Region, serviceUrl = _ec2.Url },
            inventory = new { enabled = false },
        }, ct);
        off.EnsureSuccessStatusCode();
        var source = await app.GetSourceAsync(id);
        Assert.Equal((false, InventoryStates.Disabled), (source.Inventory.Enabled, source.Status.Inventory.State));
        _account.Morning();
        await InventoryDay.RunAsync(app, id, Day.AddHours(8));
        Assert.Equal(0, _ec2.Calls("DescribeNetworkInterfaces"));
        Assert.Equal(InventoryStates.Disabled, (await app.GetSourceAsync(id)).Status.Inventory.State);

        var viewer = app.CreateClient(await app.CreateApiKeyAsync("viewer"));
        await ProblemAssert.IsProblemAsync(await viewer.PostAsync($"/api/sources/{id}/inventory/refresh", null, ct), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/sources/{id}/inventory/refresh", null, ct)).StatusCode);
        await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/sources/999999/inventory/refresh", null, ct), HttpStatusCode.NotFound);

        var bad = await admin.PostAsJsonAsync("/api/sources", new
        {
            name = "elsewhere", kind = "cloudwatch",
            cloudWatch = new { logGroupName = "/vpc/flow-logs", region = Ec2Server.Region },
            inventory = new { serviceUrl = "http://10.1.2.3:4566" },
        }, ct);
        await ProblemAssert.IsBadParameterAsync(bad, "inventory.serviceUrl");
    }

    [Slow] // a whole CloudWatch ingestion against its stand-in
    [Fact]
    public async Task DeniedDescribe_StillIngestsFlows_AndTheStatusSaysWhyContextIsMissing()
    {
        await using var logs = await CloudWatchLogsServer.StartAsync();
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        logs.Add("/vpc/flow-logs", "eni-0a-all", Enumerable.Range(0, 12).Select(i => (start.AddSeconds(i),
            $"2 123456789012 eni-0a 10.0.1.10 10.0.1.20 443 {40000 + i} 6 10 8400 {start.AddSeconds(i).ToUnixTimeSeconds()} {start.AddSeconds(i + 50).ToUnixTimeSeconds()} ACCEPT OK")));
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Sources:CloudWatchRequestsPerSecond", "500"));
        var id = await _account.CreateSourceAsync(app, "no-ec2", cloudWatchUrl: logs.Url);
        _account.Morning();
        _ec2.Denied.UnionWith(["DescribeNetworkInterfaces", "DescribeInstances"]);

        await InventoryDay.RunAsync(app, id, Day.AddHours(8));
        Assert.Empty(_ec2.Failures);
        await app.RunJobAsync<SyncJob>(job => job.RunAsync(id, true, CancellationToken.None));

        Assert.Equal(12L, await app.ScalarAsync<long>("select count(*) from flows where source_id = $1", (int)id));
        var status = (await app.GetSourceAsync(id)).Status;
        Assert.Equal((SourceStates.Idle, (string?)null, 12L), (status.State, status.LastError, status.RecordsIngested));
        Assert.Equal(InventoryStates.Denied, status.Inventory.State);
        Assert.Equal("ec2:DescribeNetworkInterfaces denied: AWS answered 403 UnauthorizedOperation; ec2:DescribeInstances denied: AWS answered 403 UnauthorizedOperation",
            status.Inventory.Error);
        // What could be read is kept: the subnets, VPCs and groups still name things; no ENI is known.
        Assert.Equal(new InventoryCounts(0, 0, 11), status.Inventory.Counts);
        Assert.Empty(await DescribeAsync(app, new InventoryKey("10.0.1.10", Day.AddHours(9))));
        Assert.Empty(_ec2.SignatureFailures);
    }
}
