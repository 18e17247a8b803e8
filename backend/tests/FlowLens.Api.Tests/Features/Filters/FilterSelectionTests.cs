using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Filters;
using Npgsql;

namespace FlowLens.Api.Tests.Features.Filters;

/// <summary>Seven flows, one of each kind, ingested once for all the filter tests.</summary>
public sealed class FilterSelectionData(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly FlowLogFolder _folder = new();

    public FlowLensApp? App { get; private set; }
    // Each record's id is its start, in seconds after this instant.
    public static readonly long Base = DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds();

    private static readonly string[] Records =
    [
        "2 eni-a 10.0.0.1 10.0.1.1 40001 22 6 5 500 {1} ACCEPT OK IPv4 - 1",
        "2 eni-a 10.0.0.2 8.8.8.8 40002 53 17 3 1500 {2} ACCEPT OK IPv4 S3 8",
        "2 eni-b 198.51.100.7 10.0.0.5 40003 3389 6 1 60 {3} REJECT OK IPv4 - -",
        "2 eni-b 192.168.1.10 10.0.0.5 40004 22 6 2 120 {4} REJECT OK IPv4 - -",
        "2 eni-c 2001:db8::1 2001:db8::2 40005 443 6 20 9000 {5} ACCEPT OK IPv6 AMAZON 8",
        "2 eni-c - - - - - - - {6} - NODATA - - -",
        "2 eni-d 172.16.5.5 10.0.0.9 0 0 1 1 84 {7} ACCEPT OK IPv4 - 1",
    ];

    public async ValueTask InitializeAsync()
    {
        var lines = Records.Select((r, i) => r.Replace($"{{{i + 1}}}", $"{Base + i + 1} {Base + i + 61}"));
        _folder.WriteGzip("f/flows.log.gz", "version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status type pkt-dst-aws-service traffic-path\n" +
            string.Join('\n', lines));
        App = await postgres.StartAppAsync(_folder.Allow);
        await App.IngestAsync(await _folder.CreateSourceAsync(App));
    }

    public async ValueTask DisposeAsync()
    {
        if (App is not null)
        {
            await App.DisposeAsync();
        }
        _folder.Dispose();
    }
}

/// <summary>Each operator and kind of field, run as SQL against real stored flows: exactly the right rows.</summary>
public sealed class FilterSelectionTests(FilterSelectionData data) : IClassFixture<FilterSelectionData>
{
    private static readonly long Base = FilterSelectionData.Base;

    [Theory]
    [InlineData("", "1,2,3,4,5,6,7")]
    [InlineData("action = REJECT and dstport = 22", "4")]
    [InlineData("not (srcaddr = 10.0.0.0/8) and dstport in (22, 3389)", "3,4")]
    [InlineData("pkt-dst-aws-service = S3 and traffic-path = 8", "2")]
    [InlineData("addr = 10.0.0.5", "3,4")]
    [InlineData("addr != 10.0.0.0/8", "5")]
    [InlineData("srcaddr = 2001:db8::/32", "5")]
    [InlineData("dstaddr in (10.0.0.0/8, 8.8.8.0/24)", "1,2,3,4,7")]
    [InlineData("dstaddr not in (10.0.0.0/8, 8.8.8.0/24)", "5")]
    [InlineData("not dstaddr in (10.0.0.0/8, 8.8.8.0/24)", "5,6")]
    [InlineData("protocol = udp", "2")]
    [InlineData("protocol = icmp or protocol = 17", "2,7")]
    [InlineData("protocol in (tcp, 1)", "1,3,4,5,7")]
    [InlineData("port = 53", "2")]
    [InlineData("port < 1", "7")]
    [InlineData("dstport != 22", "2,3,5,7")]
    [InlineData("not dstport = 22", "2,3,5,6,7")]
    [InlineData("dstport >= 443", "3,5")]
    [InlineData("dstport <= 22 and dstport > 0", "1,4")]
    [InlineData("bytes > 1000", "2,5")]
    [InlineData("type = IPv6", "5")]
    [InlineData("log-status = NODATA", "6")]
    [InlineData("action = accept", "1,2,5,7")]
    [InlineData("interface-id = eni-b", "3,4")]
    [InlineData("interface-id in ('eni-a', eni-c)", "1,2,5,6")]
    [InlineData("interface-id != eni-a", "3,4,5,6,7")]
    [InlineData("srcport != 40001", "2,3,4,5,7")]
    [InlineData("interface-id = eni-never-seen", "")]
    [InlineData("traffic-path = 1 or (action = reject and not addr = 192.168.0.0/16)", "1,3,7")]
    public async Task Filter_SelectsExactlyTheMatchingRows(string filter, string expected)
    {
        var (root, error) = FilterParser.Parse(filter);
        Assert.Null(error);
        var (sql, parameters) = root is null ? ("true", []) : FilterSql.Build(root);
        await using var connection = new NpgsqlConnection(data.App!.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(
            $"select coalesce(string_agg((extract(epoch from start)::bigint - {Base})::text, ',' order by start), '') from flows where {sql}", connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }
        Assert.Equal(expected, (string?)await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
    }
}
