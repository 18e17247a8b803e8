using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Demo;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Synthetic;
using Npgsql;
using static FlowLens.Api.Tests.Infrastructure.QueryData;

namespace FlowLens.Api.Tests.Features.Stats;

/// <summary>
/// A day of synthetic flows with every source of context: test .mmdb files (country, ASN), named networks, an
/// uploaded ip-ranges.json and inventory versions of some interfaces (one moving to another instance at noon, one
/// instance renamed at noon, one interface first seen at 20:00). The labels are also kept here, as plain lists, so
/// that the tests compute the expected tops record by record without FlowLens's lookups.
/// </summary>
public sealed class ContextTopsData(PostgresFixture postgres) : IAsyncLifetime
{
    public static readonly DateTimeOffset Day = new(DateTime.UtcNow.Date.AddDays(-1), TimeSpan.Zero);
    private static readonly DateTimeOffset Noon = Day.AddHours(12), Evening = Day.AddHours(20);

    private readonly FlowLogFolder _folder = new();
    private readonly string _geo = Directory.CreateTempSubdirectory("flowlens-context-tops-").FullName;

    public static readonly (string Cidr, string Country)[] Countries =
    [
        ("52.218.0.0/21", "IE"), ("52.218.8.0/21", "US"), ("198.51.100.0/24", "GB"), ("32.0.0.0/3", "CN"), ("64.0.0.0/2", "US"),
        ("64.0.0.0/8", "CA"), ("2a05:d031::/32", "IE"),
    ];

    public static readonly (string Cidr, string Asn)[] Asns =
    [
        ("52.218.0.0/20", "16509"), ("198.51.100.0/24", "64496"), ("32.0.0.0/3", "4134"), ("64.0.0.0/2", "7922"), ("2a05:d031::/32", "16509"),
    ];

    public static readonly (string Cidr, string Name)[] Networks =
    [
        ("10.0.0.0/16", "prod"), ("10.0.3.0/24", "prod-db"), ("10.0.12.0/24", "prod-db"), ("10.0.7.0/24", "web"), ("10.0.0.2/32", "dns"),
        ("2001:db8::/32", "lab"),
    ];

    public static readonly (string Cidr, string Service)[] AwsRanges =
    [
        ("52.218.0.0/17", "AMAZON"), ("52.218.0.0/22", "AMAZON"), ("52.218.0.0/22", "S3"), ("52.218.4.0/23", "DYNAMODB"),
        ("2a05:d031::/35", "EC2"), ("2a05:d031::/35", "AMAZON"),
    ];

    public static string Eni(string account, int n) => $"eni-{account[..4]}{n:x13}";

    /// <summary>Interface versions: the ENI, its resource, valid from.</summary>
    public static readonly (string Eni, string Resource, DateTimeOffset From)[] Interfaces =
    [
        .. Enumerable.Range(0, 8).Select(n => (Eni("111122223333", n), $"i-{n}", DateTimeOffset.MinValue)),
        (Eni("444455556666", 0), "i-0b", DateTimeOffset.MinValue),
        (Eni("111122223333", 8), "i-old", DateTimeOffset.MinValue), (Eni("111122223333", 8), "i-new", Noon),
        (Eni("111122223333", 9), "i-renamed", DateTimeOffset.MinValue),
        (Eni("111122223333", 10), "nat-1", DateTimeOffset.MinValue),
        (Eni("111122223333", 11), "i-unnamed", DateTimeOffset.MinValue),
        (Eni("111122223333", 12), "i-late", Evening),
    ];

    /// <summary>Resource versions: id, kind, Name tag, valid from.</summary>
    public static readonly (string Id, string Kind, string? Name, DateTimeOffset From)[] Resources =
    [
        .. Enumerable.Range(0, 8).Select(n => ($"i-{n}", "instance", (string?)$"web-{n % 3}", DateTimeOffset.MinValue)),
        ("i-0b", "instance", "web-0", DateTimeOffset.MinValue),
        ("i-old", "instance", "batch-old", DateTimeOffset.MinValue), ("i-new", "instance", "batch-new", DateTimeOffset.MinValue),
        ("i-renamed", "instance", "db-before", DateTimeOffset.MinValue), ("i-renamed", "instance", "db-after", Noon),
        ("nat-1", "nat-gateway", "nat-a", DateTimeOffset.MinValue),
        ("i-unnamed", "instance", null, DateTimeOffset.MinValue),
        ("i-late", "instance", "late", Evening),
    ];

    public FlowLensApp App { get; private set; } = null!;

    public List<FlowRecord> Records { get; } = [];

    public async ValueTask InitializeAsync()
    {
        var country = new MmdbWriter("GeoLite2-Country");
        foreach (var (cidr, iso) in Countries)
        {
            country.Add(cidr, new Dictionary<string, object> { ["country"] = new Dictionary<string, object> { ["iso_code"] = iso } });
        }
        var asn = new MmdbWriter("GeoLite2-ASN");
        foreach (var (cidr, number) in Asns)
        {
            asn.Add(cidr, new Dictionary<string, object> { ["autonomous_system_number"] = uint.Parse(number, CultureInfo.InvariantCulture), ["autonomous_system_organization"] = "AS" + number });
        }
        File.WriteAllBytes(Path.Combine(_geo, "country.mmdb"), country.Build());
        File.WriteAllBytes(Path.Combine(_geo, "asn.mmdb"), asn.Build());

        App = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Enrichment:GeoIpDatabase", Path.Combine(_geo, "country.mmdb"));
            b.UseSetting("FlowLens:Enrichment:AsnDatabase", Path.Combine(_geo, "asn.mmdb"));
            b.UseSetting("FlowLens:Enrichment:RefreshAwsIpRanges", "false");
        });
        var admin = App.CreateClient(FlowLensApp.AdminKey);
        foreach (var (cidr, name) in Networks)
        {
            (await admin.PostAsJsonAsync("/api/networks", new { cidr, name })).EnsureSuccessStatusCode();
        }
        var ranges = new
        {
            syncToken = "1",
            createDate = "2026-11-01-00-00-00",
            prefixes = AwsRanges.Where(r => !r.Cidr.Contains(':')).Select(r => new { ip_prefix = r.Cidr, region = "eu-west-1", service = r.Service }),
            ipv6_prefixes = AwsRanges.Where(r => r.Cidr.Contains(':')).Select(r => new { ipv6_prefix = r.Cidr, region = "eu-west-1", service = r.Service }),
        };
        (await admin.PostAsJsonAsync("/api/context/aws-ip-ranges", ranges)).EnsureSuccessStatusCode();

        var sourceId = await _folder.CreateSourceAsync(App);
        await InsertInventoryAsync(App.ConnectionString, sourceId);
        foreach (var key in SyntheticFlowLogFiles.WriteDay(_folder.Root, Day, files: 24, recordsPerFile: 300, seed: 22))
        {
            await using var reader = FlowLogFiles.Open(File.OpenRead(Path.Combine(_folder.Root, key)), key);
            while (await reader.ReadAsync() is var result && result != FlowReadResult.End)
            {
                Assert.Equal(FlowReadResult.Record, result);
                Records.Add(reader.Record.Clone());
            }
        }
        await App.IngestAsync(sourceId);
    }

    /// <summary>Writes <see cref="Interfaces"/> and <see cref="Resources"/> as the inventory would, each version closed by the next.</summary>
    public static async Task InsertInventoryAsync(string connectionString, long sourceId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        foreach (var (eni, resource, from) in Interfaces)
        {
            var to = Interfaces.Where(i => i.Eni == eni && i.From > from).Select(i => (DateTimeOffset?)i.From).Min();
            await ExecuteAsync(connection, """
                insert into inventory_interfaces (source_id, region, interface_id, kind, resource_id, valid_from, valid_to)
                values ($1, 'eu-west-1', $2, case when $3 like 'nat-%' then 'nat-gateway' else 'instance' end, $3,
                    coalesce($4::timestamptz, '-infinity'), coalesce($5::timestamptz, 'infinity'))
                """, sourceId, eni, resource, Time(from), Time(to));
        }
        foreach (var (id, kind, name, from) in Resources)
        {
            var to = Resources.Where(r => r.Id == id && r.From > from).Select(r => (DateTimeOffset?)r.From).Min();
            await ExecuteAsync(connection, """
                insert into inventory_resources (source_id, region, resource_id, kind, name, valid_from, valid_to)
                values ($1, 'eu-west-1', $2, $3, $4::text, coalesce($5::timestamptz, '-infinity'), coalesce($6::timestamptz, 'infinity'))
                """, sourceId, id, kind, (object?)name ?? DBNull.Value, Time(from), Time(to));
        }
    }

    private static object Time(DateTimeOffset? time) => time is { } t && t != DateTimeOffset.MinValue ? t.UtcDateTime : DBNull.Value;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        _folder.Dispose();
        Directory.Delete(_geo, recursive: true);
    }
}

public sealed class ContextTopsTests(ContextTopsData data) : IClassFixture<ContextTopsData>
{
    private static readonly DateTimeOffset Day = ContextTopsData.Day;

    /// <summary>The label of the most specific prefix holding the address, from a plain list (the oracle).</summary>
    private static string? Longest(IEnumerable<(string Cidr, string Label)> prefixes, FlowAddress? address)
    {
        if (address is null)
        {
            return null;
        }
        var ip = address.Value.ToIPAddress();
        return prefixes.Select(p => (Network: IPNetwork.Parse(p.Cidr), p.Label))
            .Where(p => p.Network.BaseAddress.AddressFamily == ip.AddressFamily && p.Network.Contains(ip))
            .OrderByDescending(p => p.Network.PrefixLength).ThenBy(p => p.Label == "AMAZON" ? 1 : 0)
            .Select(p => p.Label).FirstOrDefault() ?? "-";
    }

    /// <summary>The name of the resource the interface belonged to in its latest version begun before <paramref name="to"/>.</summary>
    private static string? InstanceName(string? eni, DateTimeOffset to)
    {
        if (eni is null)
        {
            return null;
        }
        var resource = ContextTopsData.Interfaces.Where(i => i.Eni == eni && i.From < to).OrderByDescending(i => i.From).Select(i => i.Resource).FirstOrDefault();
        return ContextTopsData.Resources.Where(r => r.Id == resource && r.From < to).OrderByDescending(r => r.From).Select(r => r.Name).FirstOrDefault() ?? "-";
    }

    private static Func<FlowRecord, string?> Label(string by, DateTimeOffset to) => by switch
    {
        "dst-country" => r => Longest(ContextTopsData.Countries, r.DstAddr),
        "src-country" => r => Longest(ContextTopsData.Countries, r.SrcAddr),
        "dst-asn" => r => Longest(ContextTopsData.Asns, r.DstAddr),
        "src-asn" => r => Longest(ContextTopsData.Asns, r.SrcAddr),
        "dst-network" => r => Longest(ContextTopsData.Networks, r.DstAddr),
        "src-network" => r => Longest(ContextTopsData.Networks, r.SrcAddr),
        "dst-aws-service" => r => Longest(ContextTopsData.AwsRanges, r.DstAddr),
        "src-aws-service" => r => Longest(ContextTopsData.AwsRanges, r.SrcAddr),
        _ => r => InstanceName(r.InterfaceId, to),
    };

    private static bool IsFlow(FlowRecord r) => r.LogStatus == LogStatus.Ok;

    [Theory]
    [InlineData("dst-country", 3)]
    [InlineData("src-country", 4)]
    [InlineData("dst-asn", 2)]
    [InlineData("src-asn", 4)]
    [InlineData("dst-network", 4)]
    [InlineData("src-network", 5)]
    [InlineData("dst-aws-service", 4)]
    [InlineData("src-aws-service", 1)]
    [InlineData("instance-name", 7)]
    public async Task TopByContext_EqualsTheRecordsLabelledOneByOne(string by, int atLeastKeys)
    {
        var ct = TestContext.Current.CancellationToken;
        // The whole day, a morning ending before noon's changes, and an unaligned range across them.
        foreach (var (from, to) in new[] { (Day, Day.AddDays(1)), (Day.AddHours(3), Day.AddHours(11.5)), (Day.AddMinutes(307), Day.AddMinutes(20 * 60 + 1)) })
        {
            var label = Label(by, to);
            foreach (var metric in new[] { "bytes", "packets", "flows" })
            {
                foreach (var filter in new[] { "", "action = REJECT", "protocol = tcp" })
                {
                    var records = data.Records.Where(r => r.Start >= from && r.Start < to && filter switch
                    {
                        "" => true,
                        "action = REJECT" => r.Action == FlowAction.Reject,
                        _ => r.Protocol == 6,
                    });
                    var expected = records.Where(r => label(r) is not null).GroupBy(r => label(r)!)
                        .Select(g => new StatsApi.TopItem(g.Key, g.Count(IsFlow), g.Sum(r => r.Bytes ?? 0), g.Sum(r => r.Packets ?? 0),
                            g.Count(r => IsFlow(r) && r.Action == FlowAction.Reject)))
                        .OrderByDescending(i => metric switch { "bytes" => i.Bytes, "packets" => i.Packets, _ => i.Flows }).ThenBy(i => i.Key, StringComparer.Ordinal)
                        .ToList();
                    if (filter == "" && from == Day)
                    {
                        Assert.True(expected.Count >= atLeastKeys, $"{by}: {string.Join(", ", expected.Select(i => i.Key))}");
                        Assert.Contains(expected, i => i.Key == "-");
                    }
                    foreach (var limit in new[] { 1000, 3 })
                    {
                        var response = await data.App.CreateClient(FlowLensApp.AdminKey).GetAsync(
                            $"/api/stats/top?{Query(from, to, ("by", by), ("metric", metric), ("limit", limit.ToString(CultureInfo.InvariantCulture)), ("q", filter))}", ct);
                        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                        Assert.Equal("raw", response.Headers.GetValues(StatsApi.PathHeader).Single());
                        var top = await response.Content.ReadFromJsonAsync<StatsApi.TopResponse>(ct);
                        Assert.Equal((false, 0L), (top!.Approximate, top.MaxError));
                        Assert.Equal(expected.Take(limit), top.Items);
                    }
                }
            }
        }
    }

    [Fact]
    public async Task TopByInstanceName_NamesEachInterface_AsOfTheRangesEnd()
    {
        var ct = TestContext.Current.CancellationToken;
        async Task<List<string>> KeysAsync(DateTimeOffset to) => [.. (await data.App.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<StatsApi.TopResponse>(
            $"/api/stats/top?{Query(Day, to, ("by", "instance-name"), ("limit", "1000"))}", ct))!.Items.Select(i => i.Key)];
        var morning = await KeysAsync(Day.AddHours(11));
        Assert.Contains("batch-old", morning);
        Assert.Contains("db-before", morning);
        Assert.DoesNotContain("batch-new", morning);
        Assert.DoesNotContain("late", morning);
        var day = await KeysAsync(Day.AddDays(1));
        Assert.Contains("batch-new", day);
        Assert.Contains("db-after", day);
        Assert.Contains("nat-a", day);
        Assert.Contains("late", day); // its flows before 20:00 too: one name per interface, the range's last
        Assert.DoesNotContain("batch-old", day);
    }

    [Theory]
    [InlineData("/api/stats/top?by=dst-country,dstport")]
    [InlineData("/api/stats/top?by=srcaddr,instance-name")]
    [InlineData("/api/stats/top?by=country")]
    [InlineData("/api/stats/top?by=network")]
    [InlineData("/api/stats/top?by=security-group")]
    [InlineData("/api/stats/timeseries?groupBy=dst-country")]
    [InlineData("/api/stats/timeseries?groupBy=instance-name")]
    public async Task ContextFields_OutsideATopOfOneField_Answer400(string url)
    {
        var response = await data.App.CreateClient(FlowLensApp.AdminKey).GetAsync(url, TestContext.Current.CancellationToken);
        await ProblemAssert.IsBadParameterAsync(response, url.Contains("groupBy") ? "groupBy" : "by");
    }

    [Fact]
    public async Task TheRefusals_SayWhy()
    {
        var client = data.App.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        Assert.Contains("a top groups by it alone (by=dst-country)", await (await client.GetAsync("/api/stats/top?by=dst-country,dstport", ct)).Content.ReadAsStringAsync(ct));
        Assert.Contains("a time series cannot", await (await client.GetAsync("/api/stats/timeseries?groupBy=dst-asn", ct)).Content.ReadAsStringAsync(ct));
        var unknown = await (await client.GetAsync("/api/stats/top?by=country", ct)).Content.ReadAsStringAsync(ct);
        Assert.Contains("dst-country", unknown); // the list offered names the context fields a top takes
        Assert.DoesNotContain("security-group", unknown);
    }
}
