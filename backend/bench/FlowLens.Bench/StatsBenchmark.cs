using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;
using Npgsql;

namespace FlowLens.Bench;

/// <summary>
/// The dashboard's calls against a week of realistic flows (<see cref="RealisticTraffic"/>, 200,000 distinct internet
/// addresses a day by default) over the 7 days before today, ingested by a real FlowLens process on PostgreSQL with
/// production settings (so the rollups are the ones ingestion writes), then, once every summary is current, each stats
/// call timed through the HTTP API from the rollups (p50/p95 of repeated runs) and, for the ratio, from the raw rows
/// (<c>rollups=false</c>: a plain SQL aggregate over the partitions of the range). Last, searches for one address over
/// the 7 days: a busy inside server, an internet address of middling frequency and a rare one.
/// </summary>
internal static class StatsBenchmark
{
    private const int Runs = 20;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var records = options.Count(20_000_000L);
        var traffic = new RealisticTraffic(options.Number("addresses", 200_000), options.Number("inside", 3000));
        var formatName = options.Text("format", "v5");
        var settleTimeout = TimeSpan.FromSeconds(options.Number("settle-timeout", 3600));
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var work = Directory.CreateTempSubdirectory("flowlens-stats-bench").FullName;
        Console.WriteLine($"FlowLens stats benchmark — {Environment.ProcessorCount} cores, {records:N0} records over 7 days ({formatName}), " +
            $"{traffic.Addresses:N0} internet addresses a day, {traffic.Inside:N0} inside; {BenchArgs.Load()}");
        try
        {
            var logs = Path.Combine(work, "logs");
            var clock = Stopwatch.StartNew();
            var distinct = TrafficFiles.Write(logs, traffic, TrafficFiles.Format(formatName), today.AddDays(-7), TimeSpan.FromDays(7), records);
            Console.WriteLine($"generated in {clock.Elapsed.TotalSeconds:F0} s; distinct internet addresses a day: {string.Join(", ", distinct.OrderBy(d => d.Key).Select(d => $"{d.Key:MM-dd} {d.Value:N0}"))}");

            await using var server = await PostgresServer.StartAsync(durable: true);
            var database = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
            // Raw aggregates over a week take longer than the API's default statement timeout: let them finish.
            await using var node = await BenchNode.StartAsync(server, database, logs, ("FlowLens__Queries__TimeoutSeconds", "600"));
            var (emptyBytes, _) = await BenchNode.SizeAsync(database);
            var seconds = (await node.IngestAsync(logs)).Seconds;
            var total = records / TrafficFiles.RecordsPerObject * TrafficFiles.RecordsPerObject;
            Console.WriteLine($"ingested {total:N0} records in {seconds:F0} s = {total / seconds:N0} records/s (PostgreSQL with production settings); {BenchArgs.Load()}");
            // The run's end queues the rollup compaction: the dashboard's figures come from its merged rows.
            var settle = await BenchNode.WaitForCompactionAsync(database, settleTimeout);
            Console.WriteLine(settle is { } s ? $"every summary current {s:F0} s after the load's end (settle / load {s / seconds:F2})"
                : $"summaries NOT current after {settleTimeout.TotalSeconds:F0} s: the figures below are from partly merged rollups");
            await BenchNode.VacuumAnalyzeAsync(database); // fresh planner statistics, as autovacuum would have them some minutes after a load
            Console.WriteLine($"bytes per record{(settle is null ? ", NOT settled" : "")}: {await BenchNode.BytesPerRecordAsync(database, emptyBytes)}");

            // The dashboard's ranges: the last 7 days and the last 24 hours, ending on an hour (here, noon today,
            // so the 24 hours span two days and are answered from hourly rows, the slower case).
            var ranges = new[] { ("7 days", today.AddDays(-6.5), today.AddHours(12)), ("24 hours", today.AddHours(-36), today.AddHours(-12)) };
            var calls = new List<(string Name, string Url)>();
            foreach (var (rangeName, from, to) in ranges)
            {
                foreach (var filter in new[] { "", "action = REJECT" })
                {
                    var query = $"from={Uri.EscapeDataString(from.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}&q={Uri.EscapeDataString(filter)}";
                    var label = $"{rangeName}{(filter == "" ? "" : ", " + filter)}";
                    calls.Add(($"summary, {label}", $"/api/stats/summary?{query}"));
                    foreach (var by in new[] { "srcaddr", "dstaddr", "dstport" })
                    {
                        calls.Add(($"top {by}, {label}", $"/api/stats/top?{query}&by={by}&metric=bytes&limit=10"));
                    }
                    calls.Add(($"timeseries by action, {label}", $"/api/stats/timeseries?{query}&groupBy=action"));
                }
            }

            Console.WriteLine();
            Console.WriteLine("| call | answered from | p50 | p95 | raw rows | raw / p50 |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            var all = new List<double>();
            foreach (var (name, url) in calls)
            {
                var (times, path) = await TimeAsync(node.Http, url, Runs);
                all.AddRange(times);
                var (raw, _) = await TimeAsync(node.Http, url + "&rollups=false", 1);
                Console.WriteLine($"| {name} | {path} | {Percentile(times, 50):F0} ms | {Percentile(times, 95):F0} ms | {raw[0]:F0} ms | {raw[0] / Percentile(times, 50):F0}x |");
            }
            Console.WriteLine($"all stats calls: p50 {Percentile(all, 50):F0} ms, p95 {Percentile(all, 95):F0} ms");

            // #25: the same calls by a viewer scoped to one of the three accounts, each run alternating with the
            // unscoped admin's (side by side: the machine's speed drifts); then by one scoped to a VPC (the raw flows).
            using var oneAccount = await ScopedClientAsync(node.Http, new { accounts = new[] { RealisticTraffic.AccountIds[0] } });
            Console.WriteLine();
            Console.WriteLine($"| call | unscoped p50 / p95 | scoped to account {RealisticTraffic.AccountIds[0]}: p50 / p95 | answered from (scoped) |");
            Console.WriteLine("| --- | --- | --- | --- |");
            var (allUnscoped, allScoped) = (new List<double>(), new List<double>());
            foreach (var (name, url) in calls)
            {
                var (unscoped, scoped, path) = await TimeSideBySideAsync(node.Http, oneAccount, url, Runs);
                allUnscoped.AddRange(unscoped);
                allScoped.AddRange(scoped);
                Console.WriteLine($"| {name} | {Percentile(unscoped, 50):F0} / {Percentile(unscoped, 95):F0} ms | {Percentile(scoped, 50):F0} / {Percentile(scoped, 95):F0} ms | {path} |");
            }
            Console.WriteLine($"all stats calls, side by side: unscoped p50 {Percentile(allUnscoped, 50):F0} ms, p95 {Percentile(allUnscoped, 95):F0} ms; " +
                $"one account p50 {Percentile(allScoped, 50):F0} ms, p95 {Percentile(allScoped, 95):F0} ms; p95 scoped / unscoped {Percentile(allScoped, 95) / Percentile(allUnscoped, 95):F2}");
            using var oneVpc = await ScopedClientAsync(node.Http, new { vpcs = new[] { RealisticTraffic.VpcIds[0] } });
            foreach (var (name, url) in calls.Where(c => c.Name.EndsWith("24 hours", StringComparison.Ordinal)))
            {
                var (vpcTimes, vpcPath) = await TimeAsync(oneVpc, url, 3);
                Console.WriteLine($"scoped to {RealisticTraffic.VpcIds[0]}: {name}: p50 {Percentile(vpcTimes, 50):F0} ms ({vpcPath})");
            }

            // How close the summaries' tops come to the exact ones (exact=true reads the raw rows).
            Console.WriteLine();
            Console.WriteLine("| top call | approximate | maxError (bytes) | 10th value | keys also in the exact top 10 | largest error of a listed value |");
            Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
            foreach (var (name, url) in calls.Where(c => c.Url.StartsWith("/api/stats/top", StringComparison.Ordinal)))
            {
                Console.WriteLine($"| {name} | {await CompareTopAsync(node.Http, url)} |");
            }

            // One address over the 7 days, first page: a busy inside server, an internet client of middling frequency, a rare one.
            var week = $"from={Uri.EscapeDataString(today.AddDays(-7).ToString("O"))}&to={Uri.EscapeDataString(today.ToString("O"))}";
            var middling = traffic.InternetAddress(TrafficFiles.Day(today.AddDays(-4).ToUnixTimeSeconds()), 1001).V4;
            var rareIndex = traffic.Addresses * 3 / 4 / 14 * 14 + 1;
            var rare = traffic.InternetAddress(TrafficFiles.Day(today.AddDays(-4).ToUnixTimeSeconds()), rareIndex).V4;
            var searches = new[] { ("busy inside server", RealisticTraffic.InsideAddress(0)), ("internet, middling", middling), ("internet, rare", rare) }
                .Select(a => (Kind: a.Item1, Text: $"{a.Item2 >> 24}.{(a.Item2 >> 16) & 255}.{(a.Item2 >> 8) & 255}.{a.Item2 & 255}")).ToList();
            var counts = new Dictionary<string, long>();
            foreach (var (_, text) in searches)
            {
                counts[text] = await CountAsync(database, text);
            }
            foreach (var (kind, text) in searches)
            {
                var search = $"/api/flows?{week}&q={Uri.EscapeDataString($"addr = {text}")}&limit=100";
                var (searchTimes, _) = await TimeAsync(node.Http, search, 10);
                Console.WriteLine($"search addr = {text} ({kind}, {counts[text]:N0} flows in the week) over 7 days, first page of 100: " +
                    $"p50 {Percentile(searchTimes, 50):F0} ms, p95 {Percentile(searchTimes, 95):F0} ms");
            }

            // The flow feed (#26): a tool's poll once caught up (the usual call), and first pages from the start of the
            // load, of everything, of the REJECTs, and of one rare address (which walks every chunk's Bloom filter).
            var loadStart = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-1).ToString("O"));
            var caughtUp = JsonDocument.Parse(await node.Http.GetStringAsync("/api/flows/feed?from=now")).RootElement.GetProperty("cursor").GetString()!;
            var feeds = new[]
            {
                ("caught up, one poll", $"/api/flows/feed?cursor={Uri.EscapeDataString(caughtUp)}"),
                ("first page of 1,000 from the start", $"/api/flows/feed?from={loadStart}&limit=1000"),
                ("first page of 1,000 REJECTs from the start", $"/api/flows/feed?from={loadStart}&limit=1000&q={Uri.EscapeDataString("action = REJECT")}"),
                ($"addr = {searches[2].Text} ({counts[searches[2].Text]:N0} flows) from the start, page of 100", $"/api/flows/feed?from={loadStart}&limit=100&q={Uri.EscapeDataString($"addr = {searches[2].Text}")}"),
            };
            foreach (var (name, url) in feeds)
            {
                var (feedTimes, _) = await TimeAsync(node.Http, url, 5);
                Console.WriteLine($"feed, {name}: p50 {Percentile(feedTimes, 50):F0} ms, p95 {Percentile(feedTimes, 95):F0} ms");
            }
            Console.WriteLine(BenchArgs.Load());
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>A top from the summaries against the exact one: its bound, its 10th value, how many keys agree, the largest actual error.</summary>
    private static async Task<string> CompareTopAsync(HttpClient http, string url)
    {
        static async Task<JsonElement> Read(HttpClient http, string url) => JsonDocument.Parse(await http.GetStringAsync(url)).RootElement;
        var approximate = await Read(http, url);
        var exact = await Read(http, url + "&exact=true");
        var exactBytes = exact.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("key").GetString()!, i => i.GetProperty("bytes").GetInt64());
        var items = approximate.GetProperty("items").EnumerateArray().Select(i => (Key: i.GetProperty("key").GetString()!, Bytes: i.GetProperty("bytes").GetInt64())).ToList();
        var shared = items.Count(i => exactBytes.ContainsKey(i.Key));
        // Only keys in both lists are compared: a listed key outside the exact top 10 has no exact value here.
        long largest = 0;
        foreach (var (key, bytes) in items)
        {
            var truth = exactBytes.TryGetValue(key, out var known) ? known : bytes;
            largest = Math.Max(largest, truth - bytes);
        }
        return $"{approximate.GetProperty("approximate").GetBoolean()} | {approximate.GetProperty("maxError").GetInt64():N0} | " +
            $"{(items.Count > 0 ? items[^1].Bytes : 0):N0} | {shared} of {items.Count} | {largest:N0} (of the keys in both)";
    }

    /// <summary>The flows from or to an address (the search's answer size).</summary>
    private static async Task<long> CountAsync(string database, string address)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("""
            select count(*) from flow_chunks c cross join lateral rows from (unnest(c.srcaddr), unnest(c.dstaddr)) u(src, dst)
            where flowlens_may_hold(c.bloom, array[@h1], array[@h2]) and (u.src = @a::inet or u.dst = @a::inet)
            """, connection) { CommandTimeout = 0 };
        var (h1, h2) = AddressBloom.Hashes(FlowAddress.TryParse(address, out var parsed) ? parsed : throw new ArgumentException(address));
        count.Parameters.AddWithValue("a", address);
        count.Parameters.AddWithValue("h1", (long)h1);
        count.Parameters.AddWithValue("h2", (long)h2);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    /// <summary>A client with a new viewer key of this scope, on the same node as <paramref name="admin"/>.</summary>
    private static async Task<HttpClient> ScopedClientAsync(HttpClient admin, object scope)
    {
        var created = await admin.PostAsJsonAsync("/api/keys", new { name = "bench-scoped-" + Guid.NewGuid().ToString("N")[..6], role = "viewer", scope });
        var secret = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        var client = new HttpClient { BaseAddress = admin.BaseAddress, Timeout = admin.Timeout };
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        return client;
    }

    /// <summary>One warm-up call each, then <paramref name="runs"/> timed calls of each client, alternating.</summary>
    private static async Task<(List<double> First, List<double> Second, string SecondPath)> TimeSideBySideAsync(HttpClient first, HttpClient second, string url, int runs)
    {
        var (a, b, path) = (new List<double>(), new List<double>(), "");
        await TimeAsync(first, url, 0);
        await TimeAsync(second, url, 0);
        for (var i = 0; i < runs; i++)
        {
            a.Add((await TimeOnceAsync(first, url)).Ms);
            var timed = await TimeOnceAsync(second, url);
            (path, var ms) = (timed.Path, timed.Ms);
            b.Add(ms);
        }
        return (a, b, path);
    }

    /// <summary>One warm-up call, then <paramref name="runs"/> timed calls (milliseconds, body read whole).</summary>
    private static async Task<(List<double> Times, string Path)> TimeAsync(HttpClient http, string url, int runs)
    {
        var path = "";
        var times = new List<double>();
        for (var i = 0; i <= runs; i++)
        {
            (var ms, path) = await TimeOnceAsync(http, url);
            if (i > 0)
            {
                times.Add(ms);
            }
        }
        return (times, path);
    }

    /// <summary>One call, timed to the end of its body; and the table that answered (X-FlowLens-Path).</summary>
    private static async Task<(double Ms, string Path)> TimeOnceAsync(HttpClient http, string url)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync(url);
        await response.Content.ReadAsByteArrayAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        return (elapsed, response.Headers.TryGetValues("X-FlowLens-Path", out var values) ? values.First() : "");
    }

    private static double Percentile(List<double> values, int percent)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1)];
    }
}
