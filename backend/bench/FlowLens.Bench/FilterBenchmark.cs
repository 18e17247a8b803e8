using System.Diagnostics;
using System.Net.Http.Json;
using FlowLens.Api.Tests.Infrastructure;
using Npgsql;

namespace FlowLens.Bench;

/// <summary>
/// What a filter on context costs against the same call filtering by address (issue #22: at most 2×). Realistic
/// traffic over one day; then the context: the inside network 10.0.0.0/16 named <c>prod</c>, <c>--ranges</c> random
/// internet networks named <c>watchlist</c> (a country or an ASN is such a set of ranges, and their filters run the
/// same SQL: one multirange per comparison), and an inventory naming every inside interface's instance.
/// </summary>
internal static class FilterBenchmark
{
    private const int Runs = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var records = options.Count(2_000_000L);
        var ranges = options.Number("ranges", 5000);
        var traffic = new RealisticTraffic(options.Number("addresses", 200_000), options.Number("inside", 3000));
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var work = Directory.CreateTempSubdirectory("flowlens-filter-bench").FullName;
        Console.WriteLine($"FlowLens filter benchmark — {Environment.ProcessorCount} cores, {records:N0} records over yesterday (v2), " +
            $"{traffic.Addresses:N0} internet addresses, {traffic.Inside:N0} inside, {ranges:N0} watchlist ranges; {BenchArgs.Load()}");
        try
        {
            var logs = Path.Combine(work, "logs");
            TrafficFiles.Write(logs, traffic, TrafficFiles.Format("v2"), today.AddDays(-1), TimeSpan.FromDays(1), records);
            await using var server = await PostgresServer.StartAsync(durable: true);
            var database = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
            await using var node = await BenchNode.StartAsync(server, database, logs, ("FlowLens__Queries__TimeoutSeconds", "600"));
            var seconds = (await node.IngestAsync(logs)).Seconds;
            Console.WriteLine($"ingested in {seconds:F0} s; every summary current after {await BenchNode.WaitForCompactionAsync(database):F0} s more");
            await AddContextAsync(database, traffic, ranges);
            // The API's own write reloads this node's networks at once.
            (await node.Http.PostAsJsonAsync("/api/networks", new { cidr = "10.0.0.0/16", name = "prod" })).EnsureSuccessStatusCode();
            await BenchNode.VacuumAnalyzeAsync(database);

            var pairs = new (string Name, string Context, string Address)[]
            {
                ("inside network (1 range)", "dst-network = prod", "dstaddr = 10.0.0.0/16"),
                ($"watchlist ({ranges:N0} ranges)", "src-network = watchlist", "srcaddr = 0.0.0.0/1"),
                ("instance names app-1* (1,111 of 3,000 instances)", "instance-name = 'app-1*'", "dstaddr = 10.0.0.0/16"),
            };
            var query = $"from={Uri.EscapeDataString(today.AddDays(-1).ToString("O"))}&to={Uri.EscapeDataString(today.ToString("O"))}";
            Console.WriteLine();
            Console.WriteLine("| call | context filter | p50 | address filter | p50 | context / address |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var (name, context, address) in pairs)
            {
                foreach (var (call, path) in new[] { ("summary", "/api/stats/summary"), ("top dstport", "/api/stats/top?by=dstport&limit=10"), ("search, page of 100", "/api/flows?limit=100") })
                {
                    string Url(string filter) => $"{path}{(path.Contains('?') ? '&' : '?')}{query}&q={Uri.EscapeDataString(filter)}";
                    // Side by side, alternating, so that the machine's drift falls on both alike.
                    var (a, b) = (new List<double>(), new List<double>());
                    await TimeAsync(node.Http, Url(context));
                    await TimeAsync(node.Http, Url(address));
                    for (var i = 0; i < Runs; i++)
                    {
                        a.Add(await TimeAsync(node.Http, Url(context)));
                        b.Add(await TimeAsync(node.Http, Url(address)));
                    }
                    Console.WriteLine($"| {call}, {name} | `{context}` | {Median(a):F0} ms | `{address}` | {Median(b):F0} ms | {Median(a) / Median(b):F2} |");
                }
            }
            Console.WriteLine(BenchArgs.Load());
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The watchlist networks (random public /16 to /24) and an instance per inside interface, named app-N.</summary>
    private static async Task AddContextAsync(string database, RealisticTraffic traffic, int ranges)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var random = new Random(22);
        var cidrs = new HashSet<string>();
        while (cidrs.Count < ranges)
        {
            var length = random.Next(16, 25);
            var address = (uint)random.NextInt64(11L << 24, 223L << 24) & (uint.MaxValue << (32 - length));
            cidrs.Add($"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}/{length}");
        }
        await using (var insert = new NpgsqlCommand("""
            insert into networks (cidr, name, created_at, updated_at)
            select c::cidr, 'watchlist', now(), now() from unnest(@cidrs) c on conflict do nothing
            """, connection))
        {
            insert.Parameters.AddWithValue("cidrs", cidrs.ToArray());
            await insert.ExecuteNonQueryAsync();
        }
        var source = (long)(await new NpgsqlCommand("select min(id) from sources", connection).ExecuteScalarAsync())!;
        await using var inventory = new NpgsqlCommand("""
            insert into inventory_resources (source_id, region, resource_id, kind, name, valid_from)
            select @source, 'eu-west-1', 'i-0f' || lpad(to_hex(i), 15, '0'), 'instance', 'app-' || i, '-infinity' from generate_series(0, @inside - 1) i;
            insert into inventory_interfaces (source_id, region, interface_id, kind, resource_id, instance_id, valid_from)
            select @source, 'eu-west-1', 'eni-0a1b' || lpad(to_hex(i), 13, '0'), 'instance', 'i-0f' || lpad(to_hex(i), 15, '0'),
                'i-0f' || lpad(to_hex(i), 15, '0'), '-infinity' from generate_series(0, @inside - 1) i;
            """, connection);
        inventory.Parameters.AddWithValue("source", source);
        inventory.Parameters.AddWithValue("inside", traffic.Inside);
        await inventory.ExecuteNonQueryAsync();
    }

    private static async Task<double> TimeAsync(HttpClient http, string url)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(url);
        await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return clock.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
