using System.Net.Http.Json;
using FlowLens.Api.Features.Flows;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Flows;

/// <summary>
/// A search for an address looks only in the chunks holding it: through the GIN index of closed partitions, and by
/// reading <c>addrs</c> in the open ones. Both must find every flow of the address, and nothing else.
/// </summary>
public sealed class AddressSearchTests(PostgresFixture postgres) : IDisposable
{
    private const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
    private readonly FlowLogFolder _folder = new();

    private static string Line(DateTimeOffset start, string src, string dst, int port) =>
        $"2 123456789010 eni-1 {src} {dst} {port} 443 6 1 60 {start.ToUnixTimeSeconds()} {start.ToUnixTimeSeconds() + 60} ACCEPT OK";

    // 5,000 records an object: three chunks each. 203.0.113.7 is in a few of them only.
    private static IEnumerable<string> Records(DateTimeOffset start, int first) => Enumerable.Range(first, 5000).Select(i =>
        Line(start.AddSeconds(i % 600), i % 997 == 0 ? "203.0.113.7" : $"198.51.{i / 250 % 250}.{i % 250}", "10.0.0.5", i));

    [Fact]
    public async Task ClosedPartitions_GetTheirAddressIndex_OnceQuiet_AndSearchesFindEveryFlowOfTheAddress_IndexedOrNot()
    {
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        var yesterday = new DateTimeOffset(now.UtcDateTime.Date.AddDays(-1).AddHours(1), TimeSpan.Zero);
        var recent = now.AddMinutes(-20);
        _folder.WriteGzip("a/yesterday.log.gz", string.Join('\n', [Header, .. Records(yesterday, 0)]));
        _folder.WriteGzip("b/recent.log.gz", string.Join('\n', [Header, .. Records(recent, 0)]));
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var source = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(source);
        var closed = $"flow_chunks_{yesterday:yyyyMMdd}_00";
        var open = $"flow_chunks_{FlowLens.Core.Queries.FlowChunks.PeriodOf(recent):yyyyMMdd_HH}";
        Assert.Equal(3L, await app.ScalarAsync<long>($"select count(*) from {closed}"));

        // Objects stored a moment ago may still have company: nothing is indexed yet.
        await app.RunJobAsync<PartitionMaintenanceJob>(job => job.RunAsync(CancellationToken.None));
        Assert.True(await app.ScalarAsync<bool>("select to_regclass($1) is null", closed + "_addrs"));
        await app.ScalarAsync<int>("update source_objects set ingested_at = ingested_at - interval '10 minutes'; select 1");
        await app.RunJobAsync<PartitionMaintenanceJob>(job => job.RunAsync(CancellationToken.None));
        Assert.True(await app.ScalarAsync<bool>("select to_regclass($1) is not null", closed + "_addrs"));
        Assert.True(await app.ScalarAsync<bool>("select to_regclass($1) is null", open + "_addrs"), "the open partition stays unindexed");

        // A late object for the closed period goes into its index.
        _folder.WriteGzip("c/late.log.gz", string.Join('\n', [Header, .. Records(yesterday.AddHours(1), 10_000)]));
        await app.IngestAsync(source);

        var expected = new[] { Records(yesterday, 0), Records(recent, 0), Records(yesterday.AddHours(1), 10_000) }
            .Sum(lines => lines.Count(l => l.Contains(" 203.0.113.7 ", StringComparison.Ordinal)));
        Assert.Equal(17, expected);
        Assert.Equal(expected, await app.ScalarAsync<long>("select count(*) from flows where srcaddr = '203.0.113.7'"));
        var client = app.CreateClient(FlowLensApp.AdminKey);
        foreach (var q in new[] { "addr = 203.0.113.7", "srcaddr in (203.0.113.7, 192.0.2.1) and dstport = 443", "srcaddr = 203.0.113.7 or srcport = 1" })
        {
            var page = await client.GetFromJsonAsync<FlowsApi.FlowPage>(
                $"/api/flows?{QueryData.Query(yesterday.AddDays(-1), now.AddMinutes(1), ("q", q), ("limit", "1000"))}", ct);
            Assert.Equal(expected, page!.Items.Count(i => i.SrcAddr == "203.0.113.7"));
            Assert.All(page.Items, i => Assert.True(i.SrcAddr == "203.0.113.7" || i.SrcPort == 1, q));
            Assert.Equal(page.Items.OrderByDescending(i => i.Start).ThenByDescending(i => i.ObjectId).ThenByDescending(i => i.Line), page.Items);
        }
    }

    public void Dispose() => _folder.Dispose();
}
