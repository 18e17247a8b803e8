using System.Net.Http.Json;
using FlowLens.Api.Features.Flows;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;

namespace FlowLens.Api.Tests.Features.Flows;

/// <summary>
/// A search for an address reads only the chunks whose Bloom filter (<see cref="AddressBloom"/>, tested in SQL by
/// <c>flowlens_may_hold</c>) may hold it, in every partition alike. It must find every flow of the address, and nothing
/// else; a chunk without a filter (stored before there were any) is always read.
/// </summary>
public sealed class AddressSearchTests(PostgresFixture postgres) : IDisposable
{
    private const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
    private const string V4 = "203.0.113.7", V6 = "2001:db8::7";
    private readonly FlowLogFolder _folder = new();

    private static string Line(DateTimeOffset start, string src, string dst, int port) =>
        $"2 123456789010 eni-1 {src} {dst} {port} 443 6 1 60 {start.ToUnixTimeSeconds()} {start.ToUnixTimeSeconds() + 60} ACCEPT OK";

    // 5,000 records an object: three chunks each. The two addresses searched for are each source and destination of a
    // few records; every other address differs from them.
    private static IEnumerable<string> Records(DateTimeOffset start, int first) => Enumerable.Range(first, 5000).Select(i =>
        Line(start.AddSeconds(i % 600), i % 997 == 0 ? V4 : i % 983 == 2 ? V6 : i % 977 == 3 ? $"2001:db8::2:{i:x}" : $"198.51.{i / 250 % 250}.{i % 250}",
            i % 991 == 1 ? V4 : i % 977 == 3 ? V6 : i % 983 == 2 ? $"2001:db8::1:{i:x}" : "10.0.0.5", i));

    private static bool Has(string line, string address) => line.Split(' ') is var f && (f[3] == address || f[4] == address);

    [Fact]
    public async Task SearchesForAnAddress_FindEveryFlowOfIt_AndNoOther_InOldAndOpenPartitions_WithOrWithoutAFilter()
    {
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        var yesterday = new DateTimeOffset(now.UtcDateTime.Date.AddDays(-1).AddHours(1), TimeSpan.Zero);
        var recent = now.AddMinutes(-20);
        if (FlowChunks.PeriodOf(recent) != FlowChunks.PeriodOf(recent.AddMinutes(10)))
        {
            recent = FlowChunks.PeriodOf(recent.AddMinutes(10)); // its 10 minutes in one partition
        }
        var objects = new[] { Records(yesterday, 0), Records(recent, 0), Records(yesterday.AddHours(1), 10_000) };
        _folder.WriteGzip("a/yesterday.log.gz", string.Join('\n', [Header, .. objects[0]]));
        _folder.WriteGzip("b/recent.log.gz", string.Join('\n', [Header, .. objects[1]]));
        _folder.WriteGzip("c/late.log.gz", string.Join('\n', [Header, .. objects[2]]));
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var source = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(source);
        Assert.Equal(9L, await app.ScalarAsync<long>("select count(*) from flow_chunks where bloom is not null"));
        // 12 bits or more an address, a power of two, at most 4 KB, stored as it is.
        Assert.Equal(9L, await app.ScalarAsync<long>("""
            select count(*) from flow_chunks
            where length(bloom) in (2048, 4096) and length(bloom) * 8 >= 12 * n and pg_column_size(bloom) <= length(bloom) + 4
            """));

        var client = app.CreateClient(FlowLensApp.AdminKey);
        async Task<List<FlowItem>> SearchAsync(string q) => (await client.GetFromJsonAsync<FlowsApi.FlowPage>(
            $"/api/flows?{QueryData.Query(yesterday.AddDays(-1), now.AddMinutes(1), ("q", q), ("limit", "1000"))}", ct))!.Items;
        async Task AssertFoundAsync()
        {
            foreach (var address in new[] { V4, V6 })
            {
                var expected = objects.Select(lines => lines.Count(l => Has(l, address))).ToList();
                Assert.All(expected, e => Assert.InRange(e, 8, 20));
                var other = address == V4 ? "192.0.2.1" : "2001:db8::8";
                foreach (var q in new[] { $"addr = {address}", $"srcaddr in ({address}, {other}) or dstaddr = {address}", $"addr = {address} and dstport = 443" })
                {
                    var items = await SearchAsync(q);
                    Assert.All(items, i => Assert.True(i.SrcAddr == address || i.DstAddr == address, q));
                    Assert.Equal(expected.Sum(), items.Count);
                    Assert.Equal(expected[1], items.Count(i => i.Start >= recent.AddMinutes(-1))); // the open partition's
                    Assert.Contains(items, i => i.SrcAddr == address);
                    Assert.Contains(items, i => i.DstAddr == address);
                    Assert.Equal(items.OrderByDescending(i => i.Start).ThenByDescending(i => i.ObjectId).ThenByDescending(i => i.Line), items);
                }
            }
        }
        await AssertFoundAsync();

        // A chunk whose filter says no is not read: of 9 chunks, only those holding the address pass (every false
        // positive would be read for nothing), and about 0.1% for addresses they do not hold.
        const string Passing = """
            select count(*) from flow_chunks c, unnest($1::bigint[], $2::bigint[]) h(a, b) where flowlens_may_hold(c.bloom, array[a], array[b])
            """;
        foreach (var address in new[] { V4, V6 })
        {
            var holding = await app.ScalarAsync<long>("select count(*) from flow_chunks where $1::inet = any(srcaddr || dstaddr)", address);
            var (h1, h2) = Hashes(address);
            Assert.Equal(holding, await app.ScalarAsync<long>(Passing, new[] { h1 }, new[] { h2 }));
        }
        var absent = Enumerable.Range(0, 256).Select(i => $"192.0.2.{i}").Concat(Enumerable.Range(0, 256).Select(i => $"2001:db8:ffff::{i:x}")).Select(Hashes).ToList();
        var falsePositives = await app.ScalarAsync<long>(Passing, absent.Select(h => h.H1).ToArray(), absent.Select(h => h.H2).ToArray());
        Assert.InRange(falsePositives, 0, 9 * absent.Count / 100);

        // Chunks stored before there were filters have none: they are read, and their flows found.
        await app.ScalarAsync<int>("with u as (update flow_chunks set bloom = null where start_min < $1 or start_min >= $2 returning 1) select count(*)::int from u",
            yesterday.AddHours(1), recent.AddMinutes(-1));
        Assert.Equal(6L, await app.ScalarAsync<long>("select count(*) from flow_chunks where bloom is null"));
        await AssertFoundAsync();
    }

    [Fact]
    public async Task TheBitsOfAFilter_AreThoseGetBitReads_AndFlowlensMayHold_AnswersAsTheFilter()
    {
        await using var app = await postgres.StartAppAsync();
        var random = new Random(5);
        var members = Enumerable.Range(0, 300).Select(i => FlowAddress.FromIPv4((uint)random.NextInt64(1L << 32))).ToList();
        var bloom = new AddressBloom();
        members.ForEach(bloom.Add);
        var bytes = bloom.ToBytes().ToArray();
        var bits = bytes.Length * 8;
        Assert.Equal(4096, bits);

        // Bit n: bit n & 7 of byte n >> 3.
        var expected = members.SelectMany(a => Probes(AddressBloom.Hashes(a), bits)).Distinct().Order().ToArray();
        Assert.Equal(expected, await app.ScalarAsync<int[]>(
            "select array_agg(n::int order by n) from generate_series(0, length($1) * 8 - 1) n where get_bit($1, n) = 1", bytes));

        // Members, and others as the filter answers them (a few false positives among them).
        var others = Enumerable.Range(0, 2000).Select(i => FlowAddress.FromIPv4((uint)random.NextInt64(1L << 32))).ToList();
        var probed = members.Concat(others).Select(a => (Address: a, Hashes: AddressBloom.Hashes(a))).ToList();
        var answers = await app.ScalarAsync<bool[]>(
            "select array_agg(flowlens_may_hold($1, array[a], array[b]) order by o) from unnest($2::bigint[], $3::bigint[]) with ordinality h(a, b, o)",
            bytes, probed.Select(p => (long)p.Hashes.H1).ToArray(), probed.Select(p => (long)p.Hashes.H2).ToArray());
        var set = expected.ToHashSet();
        Assert.Equal(probed.Select(p => Probes(p.Hashes, bits).All(set.Contains)), answers);
        Assert.All(answers.Take(members.Count), a => Assert.True(a));
        Assert.InRange(answers.Skip(members.Count).Count(a => a), 0, others.Count / 50);

        // Several addresses: any of them; no filter: any address.
        Assert.True(await app.ScalarAsync<bool>("select flowlens_may_hold($1, $2, $3)", bytes,
            new[] { (long)probed[^1].Hashes.H1, probed[0].Hashes.H1 }, new[] { (long)probed[^1].Hashes.H2, probed[0].Hashes.H2 }));
        Assert.True(await app.ScalarAsync<bool>("select flowlens_may_hold(null, $1, $2)", new[] { 1L }, new[] { 1L }));
    }

    [Fact]
    public async Task EveryPartition_StoresTheFilterPlain_EvenOneMadeForChunksThatWaitedInTheDefault()
    {
        await using var app = await postgres.StartAppAsync();
        var day = DateTime.UtcNow.Date.AddYears(3);
        await app.ScalarAsync<int>("""
            with i as (insert into flow_chunks (start_min, start_max, base, object_id, source_id, line0, n, bloom, t)
                values ($1, $1, $1, 1, 1, 1, 1, '\x00', '{0}') returning 1)
            select count(*)::int from i
            """, new DateTimeOffset(day.AddHours(7), TimeSpan.Zero));
        await app.ScalarAsync<int>("select 1 from flowlens_ensure_partition($1::date)", day);
        var partition = $"flow_chunks_{day:yyyyMMdd}_06";
        Assert.Equal(1L, await app.ScalarAsync<long>($"select count(*) from {partition}"));

        Assert.Equal(0L, await app.ScalarAsync<long>("""
            select count(*) from pg_attribute
            where attname = 'bloom' and attstorage <> 'p' and attrelid in (select inhrelid from pg_inherits where inhparent = 'flow_chunks'::regclass)
            """));
        Assert.True(await app.ScalarAsync<long>("select count(*) from pg_inherits where inhparent = 'flow_chunks'::regclass") > 4);
    }

    private static (long H1, long H2) Hashes(string text) =>
        FlowAddress.TryParse(text, out var address) ? AddressBloom.Hashes(address) : throw new ArgumentException(text);

    private static IEnumerable<int> Probes((uint H1, uint H2) hashes, int bits) =>
        Enumerable.Range(0, AddressBloom.Probes).Select(i => (int)((hashes.H1 + (uint)i * hashes.H2) & (uint)(bits - 1)));

    public void Dispose() => _folder.Dispose();
}
