using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.Flows;
using FlowLens.Api.Tests.Features.Context;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Filters;
using FlowLens.Core.Scopes;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Features.Filters;

/// <summary>
/// Flows with every kind of context: your networks nested three deep, AWS ranges (S3 inside AMAZON), countries and
/// ASNs from the test .mmdb files (a country inside another's network), IPv6, NODATA, and an inventory in which one
/// ENI moves from web-2 to db-2 in the middle of the flows, and threat lists (overlapping, IPv6, one disabled). Record i starts i minutes after <see cref="Base"/>.
/// </summary>
public sealed class ContextFilterData(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FlowLogFolder _folder = new();

    public static readonly DateTimeOffset Base = new(DateTime.UtcNow.Date.AddDays(-1).AddHours(6), TimeSpan.Zero);

    /// <summary>The moment eni-moved leaves web-2 for db-2 (between records 6 and 7).</summary>
    public static readonly DateTimeOffset Moved = Base.AddMinutes(6.5);

    private static readonly string[] Records =
    [
        "eni-web1 10.0.1.10 52.218.5.5 40001 443 6",          // 1 prod -> S3, IE, AS16509
        "eni-web1 198.51.100.7 10.0.1.10 40002 22 6",         // 2 office-vpn, GB, AS64496 -> prod
        "eni-db 10.0.2.20 10.0.9.9 40003 5432 6",             // 3 prod -> staging
        "eni-db 10.0.9.200 10.0.2.20 40004 5432 6",           // 4 prod (inside staging) -> prod
        "eni-web1 3.5.98.7 10.0.1.10 40005 443 6",            // 5 AMAZON, IE (inside US) -> prod
        "eni-moved 10.0.3.30 8.8.8.8 40006 53 17",            // 6 web-2 -> US, AS15169
        "eni-moved 10.0.3.30 8.8.8.8 40007 53 17",            // 7 db-2 -> US, AS15169
        "eni-v6 2a05:d031:8000::1 2001:db8::5 40008 443 6",   // 8 S3 (v6), IE -> nothing known
        "eni-unknown 192.0.2.1 10.0.1.10 40009 80 6",         // 9 nothing known -> prod
        "eni-web1 - - - - -",                                 // 10 NODATA
    ];

    /// <summary>Threat lists: two that overlap (8.8.8.8 is in both), one of IPv6, one disabled (matches nothing).</summary>
    public static readonly (string Name, string Text, bool Enabled)[] ThreatLists =
    [
        ("bad-actors", "# test list\n8.8.8.0/24\n198.51.100.7 ; office address, listed by mistake\n2001:db8::/64\nnot-an-address\n", true),
        ("cloud-scanners", "52.218.0.0/16\n3.5.98.7\n10.0.9.128/25\n8.8.8.8/32\n", true),
        ("ipv6-only", "2a05:d031:8000::/48\n", true),
        ("cloud-disabled", "10.0.0.0/8\n", false),
    ];

    public FlowLensApp App { get; private set; } = null!;

    public long SourceId { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var lines = Records.Select((r, i) =>
        {
            var start = Base.AddMinutes(i + 1).ToUnixTimeSeconds();
            var nodata = r.EndsWith("- - - - -", StringComparison.Ordinal);
            return $"2 123456789012 {r} {(nodata ? "- -" : "3 300")} {start} {start + 60} {(nodata ? "- NODATA" : "ACCEPT OK")}";
        });
        _folder.WriteGzip("f/flows.log.gz", string.Join('\n', lines));
        App = await postgres.StartAppAsync(builder =>
        {
            _folder.Allow(builder);
            builder.UseSetting("FlowLens:Enrichment:GeoIpDatabase", TestGeoDatabases.PathOf(TestGeoDatabases.CountryFile));
            builder.UseSetting("FlowLens:Enrichment:AsnDatabase", TestGeoDatabases.PathOf(TestGeoDatabases.AsnFile));
        });
        SourceId = await _folder.CreateSourceAsync(App);
        await App.IngestAsync(SourceId);

        var admin = App.CreateClient(FlowLensApp.AdminKey);
        foreach (var (cidr, name) in new[] { ("10.0.0.0/16", "prod"), ("10.0.9.0/24", "staging"), ("10.0.9.128/25", "prod"), ("198.51.100.0/24", "office-vpn") })
        {
            (await admin.PostAsJsonAsync("/api/networks", new { cidr, name })).EnsureSuccessStatusCode();
        }
        (await admin.PostAsync("/api/context/aws-ip-ranges", new StringContent("""
            {"syncToken": "1", "createDate": "2026-11-01-00-00-00",
             "prefixes": [
               {"ip_prefix": "52.218.0.0/17", "region": "eu-west-1", "service": "AMAZON", "network_border_group": "eu-west-1"},
               {"ip_prefix": "52.218.0.0/17", "region": "eu-west-1", "service": "S3", "network_border_group": "eu-west-1"},
               {"ip_prefix": "3.5.0.0/16", "region": "us-east-1", "service": "AMAZON", "network_border_group": "us-east-1"}],
             "ipv6_prefixes": [
               {"ipv6_prefix": "2a05:d031:8000::/40", "region": "eu-west-1", "service": "S3", "network_border_group": "eu-west-1"}]}
            """, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        foreach (var (name, text, enabled) in ThreatLists)
        {
            var created = await admin.PostAsJsonAsync("/api/threat-lists", new { name, enabled });
            created.EnsureSuccessStatusCode();
            var id = (await created.Content.ReadFromJsonAsync<FlowLens.Api.Features.ThreatLists.ThreatListResponse>())!.Id;
            (await admin.PostAsync($"/api/threat-lists/{id}/entries", new StringContent(text, Encoding.UTF8, "text/plain"))).EnsureSuccessStatusCode();
        }

        // The inventory as InventoryStore keeps it: versions with valid_from / valid_to.
        await App.ScalarAsync<int>($"""
            insert into inventory_resources (source_id, region, resource_id, kind, name, attributes, valid_from, valid_to) values
                ($1, 'eu-west-1', 'i-web1', 'instance', 'web-1', '{"{}"}', '-infinity', 'infinity'),
                ($1, 'eu-west-1', 'i-web2', 'instance', 'web-2', '{"{}"}', '-infinity', 'infinity'),
                ($1, 'eu-west-1', 'i-db', 'instance', 'db-1', '{"{}"}', '-infinity', 'infinity'),
                ($1, 'eu-west-1', 'i-db2', 'instance', 'DB-2', '{"{}"}', '-infinity', 'infinity'),
                ($1, 'eu-west-1', 'sg-web', 'security-group', 'web public', '{"{\"groupName\": \"web-sg\"}"}', '-infinity', 'infinity'),
                ($1, 'eu-west-1', 'sg-db', 'security-group', null, '{"{\"groupName\": \"db_sg\"}"}', '-infinity', 'infinity')
            returning 1
            """, SourceId);
        await App.ScalarAsync<int>($"""
            insert into inventory_interfaces (source_id, region, interface_id, kind, resource_id, instance_id, security_group_ids, valid_from, valid_to) values
                ($1, 'eu-west-1', 'eni-web1', 'instance', 'i-web1', 'i-web1', '{"{sg-web}"}', '-infinity', 'infinity'),
                ($1, 'eu-west-1', 'eni-db', 'instance', 'i-db', 'i-db', '{"{sg-db}"}', '-infinity', 'infinity'),
                ($1, 'eu-west-1', 'eni-moved', 'instance', 'i-web2', 'i-web2', '{"{sg-web}"}', '-infinity', $2),
                ($1, 'eu-west-1', 'eni-moved', 'instance', 'i-db2', 'i-db2', '{"{sg-db,sg-web}"}', $2, 'infinity')
            returning 1
            """, SourceId, Moved.UtcDateTime);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>
/// Every context field, each operator, run as SQL on the stored flows and checked row by row against an oracle that
/// describes each flow the way its item does (AddressContext.Lookup, InventoryLookup at the flow's start).
/// </summary>
public sealed class ContextFilterTests(ContextFilterData data) : IClassFixture<ContextFilterData>
{
    private static readonly DateTimeOffset Base = ContextFilterData.Base;

    [Theory]
    [InlineData("dst-aws-service = S3", "1")]
    [InlineData("src-aws-service = S3", "8")]
    [InlineData("src-aws-service = AMAZON", "5")]
    [InlineData("aws-service = s3", "1,8")]
    [InlineData("src-network = prod", "1,3,4,6,7")]
    [InlineData("dst-network = staging", "3")]
    [InlineData("dst-network != prod", "1,3,6,7,8")]
    [InlineData("network = office-*", "2")]
    [InlineData("src-country = IE", "5,8")]
    [InlineData("dst-country in (US, ie)", "1,6,7")]
    [InlineData("country = GB", "2")]
    [InlineData("dst-asn = 16509", "1")]
    [InlineData("src-asn = AS64496", "2")]
    [InlineData("asn not in (16509, 15169)", "2,3,4,9")]
    [InlineData("instance-name = web-*", "1,2,5,6,10")]
    [InlineData("instance-name = db-2", "7")]
    [InlineData("instance-name != web-1", "3,4,6,7,8,9")]
    [InlineData("security-group = sg-db", "3,4,7")]
    [InlineData("security-group = web-sg", "1,2,5,6,7,10")]
    [InlineData("security-group = 'web public'", "1,2,5,6,7,10")]
    [InlineData("security-group = db_*", "3,4,7")]
    [InlineData("dst-network = nothing-is-called-this", "")]
    [InlineData("dst-threat-list = bad-actors", "6,7,8")]
    [InlineData("src-threat-list = bad-actors", "2")]
    [InlineData("threat-list = cloud-*", "1,4,5,6,7")]
    [InlineData("threat-list in (ipv6-only, CLOUD-SCANNERS)", "1,4,5,6,7,8")]
    [InlineData("src-threat-list not in (ipv6-only, cloud-scanners)", "1,2,3,6,7,9")]
    [InlineData("dst-threat-list != bad-actors", "1,2,3,4,5,9")]
    [InlineData("threat-list = cloud-disabled", "")]
    [InlineData("threat-list = no-such-list", "")]
    [InlineData("src-network = prod and dst-country = US", "6,7")]
    [InlineData("not dst-aws-service = S3", "2,3,4,5,6,7,8,9,10")]
    public async Task ContextFilter_SelectsExactlyTheRightFlows(string filter, string expected)
    {
        Assert.Equal(expected, await SearchAsync(filter));
        Assert.Equal(expected, await OracleAsync(filter));
    }

    public static TheoryData<string> Comparisons()
    {
        var data = new TheoryData<string>();
        var values = new Dictionary<ContextAttribute, string[]>
        {
            [ContextAttribute.Network] = ["prod", "staging", "office-vpn", "*"],
            [ContextAttribute.AwsService] = ["S3", "AMAZON", "EC2"],
            [ContextAttribute.Country] = ["IE", "US", "GB", "CN"],
            [ContextAttribute.Asn] = ["16509", "15169", "64496"],
            [ContextAttribute.InstanceName] = ["web-1", "web-*", "db-2", "*"],
            [ContextAttribute.SecurityGroup] = ["sg-web", "sg-db", "web-sg", "*public"],
            [ContextAttribute.ThreatList] = ["bad-actors", "cloud-*", "ipv6-only", "*"],
        };
        foreach (var field in FilterFields.All.Where(f => f.Kind == FilterKind.Context))
        {
            var v = values[field.Attribute!.Value];
            data.Add($"{field.Name} = '{v[0]}'");
            data.Add($"{field.Name} != '{v[1]}'");
            data.Add($"{field.Name} in ('{v[1]}', '{v[2]}')");
            data.Add($"{field.Name} not in ('{v[0]}', '{v[^1]}')");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Comparisons))]
    public async Task EveryContextField_MatchesTheOracle(string filter) =>
        Assert.Equal(await OracleAsync(filter), await SearchAsync(filter));

    [Fact]
    public async Task Stats_WithAContextFilter_CountTheSameFlows()
    {
        var client = data.App.CreateClient(FlowLensApp.AdminKey);
        var response = await client.GetAsync($"/api/stats/summary?{Query("src-network = prod")}", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        Assert.Equal("raw", response.Headers.GetValues("X-FlowLens-Path").Single());
        var summary = await response.Content.ReadFromJsonAsync<FlowLens.Api.Features.Stats.StatsApi.Summary>(TestContext.Current.CancellationToken);
        Assert.Equal(5, summary!.Flows);
    }

    private static string Query(string filter) =>
        QueryData.Query(Base, Base.AddHours(1), ("q", filter), ("limit", "100"));

    private async Task<string> SearchAsync(string filter)
    {
        var client = data.App.CreateClient(FlowLensApp.AdminKey);
        var response = await client.GetAsync($"/api/flows?{Query(filter)}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadFromJsonAsync<FlowsApi.FlowPage>(TestContext.Current.CancellationToken);
        return string.Join(',', page!.Items.Select(i => (int)Math.Round((i.Start!.Value - Base).TotalMinutes)).Order());
    }

    /// <summary>The flows the filter selects, by describing each one (not by ranges or SQL).</summary>
    private async Task<string> OracleAsync(string filter)
    {
        var (root, error) = FilterParser.Parse(filter);
        Assert.Null(error);
        var services = data.App.Services;
        var context = services.GetRequiredService<AddressContext>();
        await context.RefreshAsync(force: true, TestContext.Current.CancellationToken);
        var inventory = services.GetRequiredService<InventoryLookup>();
        var flows = data.App.CreateClient(FlowLensApp.AdminKey);
        var page = await flows.GetFromJsonAsync<FlowsApi.FlowPage>($"/api/flows?{Query("")}", TestContext.Current.CancellationToken);
        var selected = new List<int>();
        foreach (var flow in page!.Items)
        {
            var start = flow.Start!.Value;
            var described = await inventory.DescribeAsync([new InventoryKey(flow.InterfaceId!, start)], AccessScope.Everything, TestContext.Current.CancellationToken);
            var resource = described.Values.SingleOrDefault();
            async Task<List<string?>?> ValuesAsync(FilterField field)
            {
                if (field.Attribute is ContextAttribute.InstanceName)
                {
                    return [resource?.ResourceName];
                }
                if (field.Attribute is ContextAttribute.SecurityGroup)
                {
                    return [.. (resource?.SecurityGroups ?? []).SelectMany(g => new[] { g.Id, g.GroupName, g.Name })];
                }
                var addresses = field.Columns.Select(c => c == "srcaddr" ? flow.SrcAddr : flow.DstAddr).ToList();
                if (addresses.Any(a => a is null))
                {
                    return null; // as SQL: a comparison on a missing address is never true, negated or not
                }
                if (field.Attribute is ContextAttribute.ThreatList)
                {
                    return [.. await ThreatListNamesAsync(data.App, addresses!)];
                }
                return [.. addresses.Select(a => context.Lookup(IPAddress.Parse(a!)) is var info ? field.Attribute switch
                {
                    ContextAttribute.Network => info.Network?.Name,
                    ContextAttribute.AwsService => info.Aws?.Service,
                    ContextAttribute.Country => info.Country,
                    _ => info.Asn?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                } : null)];
            }
            var fieldValues = new Dictionary<string, List<string?>?>();
            foreach (var comparison in root is null ? [] : FilterTree.Comparisons(root))
            {
                fieldValues[comparison.Field.Name] = await ValuesAsync(comparison.Field);
            }
            bool Holds(FilterNode node) => node switch
            {
                AndNode and => Holds(and.Left) && Holds(and.Right),
                OrNode or => Holds(or.Left) || Holds(or.Right),
                NotNode not => !Holds(not.Operand),
                ComparisonNode c => fieldValues[c.Field.Name] is { } values && (c.Operator is FilterOperator.NotEqual or FilterOperator.NotIn) != values.Any(v =>
                    c.Values.Any(p => p.Number is { } n ? v == n.ToString(System.Globalization.CultureInfo.InvariantCulture) : Glob.Matches(p.Text!, v))),
                _ => throw new InvalidOperationException(),
            };
            if (root is null || Holds(root))
            {
                selected.Add((int)Math.Round((start - Base).TotalMinutes));
            }
        }
        return string.Join(',', selected.Order());
    }

    /// <summary>The enabled threat lists holding any of the addresses, asked of PostgreSQL's own cidr containment (not the ranges filters use).</summary>
    internal static async Task<List<string>> ThreatListNamesAsync(FlowLensApp app, IEnumerable<string> addresses)
    {
        var names = new List<string>();
        foreach (var address in addresses)
        {
            names.AddRange(await app.ScalarAsync<string[]>("""
                select coalesce(array_agg(distinct l.name), '{}') from threat_lists l join threat_list_entries e on e.list_id = l.id
                where l.enabled and e.cidr >>= $1::inet
                """, address));
        }
        return names;
    }
}
