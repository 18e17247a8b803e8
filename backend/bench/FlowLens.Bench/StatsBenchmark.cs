using System.Diagnostics;
using System.Globalization;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Synthetic;

namespace FlowLens.Bench;

/// <summary>
/// The dashboard's calls against a week of flows: synthetic records over the 7 days before today, ingested by a real
/// FlowLens process (so the rollups are the ones ingestion writes), then each stats call timed through the HTTP API
/// from the rollups (p50/p95 of repeated runs) and, for the ratio, from the raw rows (<c>rollups=false</c>: a plain
/// SQL aggregate over the partitions of the range). Last, a search for one address over one day.
/// </summary>
internal static class StatsBenchmark
{
    private const int Runs = 20;
    private const int RecordsPerObject = 50_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var records = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 20_000_000L;
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var objectsPerDay = (int)Math.Max(1, records / 7 / RecordsPerObject);
        var work = Directory.CreateTempSubdirectory("flowlens-stats-bench").FullName;
        Console.WriteLine($"FlowLens stats benchmark — {Environment.ProcessorCount} cores, {objectsPerDay * 7L * RecordsPerObject:N0} records over 7 days");
        try
        {
            var logs = Path.Combine(work, "logs");
            var clock = Stopwatch.StartNew();
            Parallel.For(0, 7, day => SyntheticFlowLogFiles.WriteDay(logs, today.AddDays(day - 7), objectsPerDay, RecordsPerObject, seed: 100 + day));
            Console.WriteLine($"generated in {clock.Elapsed.TotalSeconds:F0} s");

            await using var server = await PostgresServer.StartAsync();
            var database = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
            // Raw aggregates over a week take longer than the API's default statement timeout: let them finish.
            await using var node = await BenchNode.StartAsync(server, database, logs, ("FlowLens__Queries__TimeoutSeconds", "600"));
            var seconds = (await node.IngestAsync(logs)).Seconds;
            var total = objectsPerDay * 7L * RecordsPerObject;
            Console.WriteLine($"ingested {total:N0} records in {seconds:F0} s = {total / seconds:N0} records/s");
            // The run's end queues the rollup compaction: the dashboard's figures come from its merged rows.
            clock.Restart();
            await BenchNode.WaitForCompactionAsync(database);
            Console.WriteLine($"rollups compacted {clock.Elapsed.TotalSeconds:F0} s after the run's end");
            await BenchNode.VacuumAnalyzeAsync(database); // fresh planner statistics, as autovacuum would have them some minutes after a load

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

            // One address over one day: an internal host, as in "what did 10.0.7.23 talk to yesterday?".
            var day = today.AddDays(-1);
            var search = $"/api/flows?from={Uri.EscapeDataString(day.ToString("O"))}&to={Uri.EscapeDataString(today.ToString("O"))}&q={Uri.EscapeDataString("addr = 10.0.7.23")}&limit=100";
            var (searchTimes, _) = await TimeAsync(node.Http, search, 10);
            Console.WriteLine($"search addr = 10.0.7.23 over one day (first page of 100): p50 {Percentile(searchTimes, 50):F0} ms, p95 {Percentile(searchTimes, 95):F0} ms");
            var (exportTimes, _) = await TimeAsync(node.Http, search.Replace("&limit=100", "&format=csv"), 3);
            Console.WriteLine($"export of the same search (every flow of the day, CSV): p50 {Percentile(exportTimes, 50):F0} ms");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>One warm-up call, then <paramref name="runs"/> timed calls (milliseconds, body read whole).</summary>
    private static async Task<(List<double> Times, string Path)> TimeAsync(HttpClient http, string url, int runs)
    {
        var path = "";
        var times = new List<double>();
        for (var i = 0; i <= runs; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(url);
            await response.Content.ReadAsByteArrayAsync();
            var elapsed = clock.Elapsed.TotalMilliseconds;
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            path = response.Headers.TryGetValues("X-FlowLens-Path", out var values) ? values.First() : "";
            if (i > 0)
            {
                times.Add(elapsed);
            }
        }
        return (times, path);
    }

    private static double Percentile(List<double> values, int percent)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1)];
    }
}
