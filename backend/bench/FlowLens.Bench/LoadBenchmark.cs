using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Tests.Infrastructure;
using Npgsql;

namespace FlowLens.Bench;

/// <summary>
/// The API under load while it ingests: 50 viewers (an API key each) call the dashboard's stats and page through
/// searches, one of them exports the flows as CSV, while a directory source ingests 1M records of realistic traffic
/// (<see cref="RealisticTraffic"/>, 200,000 distinct internet addresses a day by default, v2 or v5), on a PostgreSQL
/// with its production durability settings (fsync, full page writes, synchronous commit). At most 2 minutes of load.
/// Prints p50/p95 per endpoint, the errors (none allowed but the deliberate 429 of a second export at once), and
/// whether every record the generator wrote (counted in its objects) was stored exactly once. A viewer waits
/// <c>--think-ms</c> (default 1000) between calls, as a person reading the dashboard would; 0 makes it a saturation test.
/// </summary>
internal static class LoadBenchmark
{
    private const int Viewers = 50;
    private const int WarmUpRecords = 500_000;
    private static readonly TimeSpan MaxLoad = TimeSpan.FromMinutes(2);
    private const string Range = "from=now-3d&to=now";

    private static readonly (string Name, string Path)[] Calls =
    [
        ("stats/summary", $"/api/stats/summary?{Range}"),
        ("stats/top", $"/api/stats/top?{Range}&by=srcaddr&limit=10"),
        ("stats/timeseries", $"/api/stats/timeseries?{Range}&groupBy=action"),
        ("stats/scans", $"/api/stats/scans?{Range}&q=" + Uri.EscapeDataString("action = reject")),
        ("flows (page 1)", $"/api/flows?{Range}&limit=100&q=" + Uri.EscapeDataString("dstport in (22, 443, 3389)")),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var records = options.Count(1_000_000);
        var think = TimeSpan.FromMilliseconds(options.Number("think-ms", 1000));
        var traffic = new RealisticTraffic(options.Number("addresses", 200_000), options.Number("inside", 3000));
        var formatName = options.Text("format", "v2");
        var format = TrafficFiles.Format(formatName);
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var work = Directory.CreateTempSubdirectory("flowlens-load-bench").FullName;
        Console.WriteLine($"FlowLens load test — {Environment.ProcessorCount} cores, {Viewers} viewers ({think.TotalMilliseconds:F0} ms between calls) and one export " +
            $"while {records:N0} records ({formatName}, {traffic.Addresses:N0} internet addresses a day, {traffic.Inside:N0} inside) are ingested; {BenchArgs.Load()}");
        try
        {
            // The day before yesterday first: already a day of flows to query (and a warm process); the sync adds yesterday.
            var logs = Path.Combine(work, "logs");
            var warm = Path.Combine(work, "warm");
            var writing = Stopwatch.StartNew();
            TrafficFiles.Write(warm, traffic, format, today.AddDays(-2), TimeSpan.FromDays(1), WarmUpRecords);
            var distinct = TrafficFiles.Write(logs, traffic, format, today.AddDays(-1), TimeSpan.FromDays(1), records);
            // What the generator wrote, counted in its objects (lines after each header): the figure the stored rows must match.
            var (warmRecords, _) = CountRecords(warm);
            var (generated, objects) = CountRecords(logs);
            Console.WriteLine($"generated {generated:N0} records in {objects} objects for the sync (yesterday, {distinct.Values.Sum():N0} distinct internet addresses) " +
                $"and {warmRecords:N0} before it, in {writing.Elapsed.TotalSeconds:F1} s");

            await using var server = await PostgresServer.StartAsync(durable: true);
            var database = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
            await using var node = await BenchNode.StartAsync(server, database, work);
            var warmRun = await node.IngestAsync(warm);
            Console.WriteLine($"before the load: {warmRecords:N0} records ingested in {warmRun.Seconds:F1} s (also warms the process up)");
            var settle = await BenchNode.WaitForCompactionAsync(database);
            Console.WriteLine($"before the load: every summary current {settle:F1} s after its end; {BenchArgs.Load()}");
            var keys = new List<string>();
            for (var i = 0; i < Viewers; i++)
            {
                var created = await node.Http.PostAsJsonAsync("/api/keys", new { name = $"viewer {i}", role = "viewer" });
                keys.Add((await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!);
            }

            var timings = new ConcurrentDictionary<string, ConcurrentBag<double>>();
            var errors = new ConcurrentBag<string>();
            var deliberate429 = 0;
            using var stop = new CancellationTokenSource(MaxLoad);
            var clock = Stopwatch.StartNew();
            var ingest = node.IngestAsync(logs);
            var viewers = keys.Select((key, i) => i == 0
                ? ExportAsync(node, key, timings, errors, () => Interlocked.Increment(ref deliberate429), stop.Token)
                : ViewAsync(node, key, i, think, timings, errors, stop.Token)).ToList();
            var ingested = await Task.WhenAny(ingest, Task.Delay(MaxLoad)) == ingest;
            var loadSeconds = clock.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            await Task.WhenAll(viewers);
            var run = await ingest;
            Console.WriteLine($"ingestion under load: {generated:N0} records in {run.Seconds:F1} s = {generated / run.Seconds:N0} records/s" +
                (ingested ? "" : " (longer than the load's 2 minutes: the viewers stopped first)"));
            Console.WriteLine($"load: {loadSeconds:F1} s, {Viewers} viewers; {BenchArgs.Load()}");
            Console.WriteLine("| endpoint | calls | p50 (ms) | p95 (ms) | max (ms) |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var (name, values) in timings.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                var sorted = values.Order().ToList();
                Console.WriteLine($"| {name} | {sorted.Count:N0} | {Percentile(sorted, 0.50):F0} | {Percentile(sorted, 0.95):F0} | {sorted[^1]:F0} |");
            }
            Console.WriteLine($"errors: {errors.Count}{(errors.IsEmpty ? "" : ": " + string.Join("; ", errors.Take(10)))}; deliberate 429s (a second export at once): {deliberate429}");

            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("""
                select count(*), count(distinct (object_id, line)) from flows
                where source_id = (select max(id) from sources)
                """, connection);
            await using var reader = await count.ExecuteReaderAsync();
            await reader.ReadAsync();
            var (stored, storedOnce) = (reader.GetInt64(0), reader.GetInt64(1));
            var once = stored == generated && storedOnce == generated;
            Console.WriteLine($"stored by the sync: {stored:N0} rows, {storedOnce:N0} distinct (object, line), generated {generated:N0}: {(once ? "every record stored exactly once" : "MISMATCH")}");
            return once && errors.IsEmpty ? 0 : 1;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The records in the gzip objects under <paramref name="root"/> (the lines after each header) and the objects.</summary>
    private static (long Records, int Objects) CountRecords(string root)
    {
        var files = Directory.GetFiles(root, "*.gz", SearchOption.AllDirectories);
        var records = 0L;
        foreach (var file in files)
        {
            using var reader = new StreamReader(new GZipStream(File.OpenRead(file), CompressionMode.Decompress));
            reader.ReadLine(); // the header
            while (reader.ReadLine() is not null)
            {
                records++;
            }
        }
        return (records, files.Length);
    }

    /// <summary>One viewer: the dashboard's calls one after another, each search followed by its next page.</summary>
    private static async Task ViewAsync(BenchNode node, string key, int viewer, TimeSpan think, ConcurrentDictionary<string, ConcurrentBag<double>> timings,
        ConcurrentBag<string> errors, CancellationToken stop)
    {
        using var http = Client(node, key);
        for (var call = viewer; !stop.IsCancellationRequested; call++)
        {
            var (name, path) = Calls[call % Calls.Length];
            var body = await TimeAsync(http, name, path, timings, errors, stop);
            if (body is { } page && page.TryGetProperty("nextCursor", out var cursor) && cursor.ValueKind == JsonValueKind.String)
            {
                await Think(think, stop);
                await TimeAsync(http, "flows (next page)", $"{path}&cursor={Uri.EscapeDataString(cursor.GetString()!)}", timings, errors, stop);
            }
            await Think(think, stop);
        }
    }

    private static Task Think(TimeSpan think, CancellationToken stop) =>
        Task.Delay(think, stop).ContinueWith(_ => { }, TaskScheduler.Default);

    /// <summary>The viewer who exports: the flows as CSV, read to the end, and meanwhile a second export (refused: 429).</summary>
    private static async Task ExportAsync(BenchNode node, string key, ConcurrentDictionary<string, ConcurrentBag<double>> timings,
        ConcurrentBag<string> errors, Action refused, CancellationToken stop)
    {
        using var http = Client(node, key);
        var clock = Stopwatch.StartNew();
        var lines = 0L;
        try
        {
            using var response = await http.GetAsync($"/api/flows?{Range}&format=csv", HttpCompletionOption.ResponseHeadersRead, stop);
            if (!response.IsSuccessStatusCode)
            {
                errors.Add($"export: {(int)response.StatusCode}");
                return;
            }
            using (var second = await http.GetAsync($"/api/flows?{Range}&format=csv", HttpCompletionOption.ResponseHeadersRead, stop))
            {
                if (second.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    refused();
                }
                else
                {
                    errors.Add($"second export at once: {(int)second.StatusCode}, not 429");
                }
            }
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
            while (await reader.ReadLineAsync(stop) is not null)
            {
                lines++;
            }
            timings.GetOrAdd("export (csv, whole range)", _ => []).Add(clock.Elapsed.TotalMilliseconds);
            Console.WriteLine($"export: {lines - 1:N0} rows in {clock.Elapsed.TotalSeconds:F1} s");
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            Console.WriteLine($"export: still streaming when the load ended, after {clock.Elapsed.TotalSeconds:F1} s and {Math.Max(0, lines - 1):N0} rows");
        }
    }

    private static HttpClient Client(BenchNode node, string key)
    {
        var http = new HttpClient { BaseAddress = node.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        return http;
    }

    /// <summary>One call, timed to the end of its body; a failure is an error (an interrupted call at the end is not).</summary>
    private static async Task<JsonElement?> TimeAsync(HttpClient http, string name, string path, ConcurrentDictionary<string, ConcurrentBag<double>> timings,
        ConcurrentBag<string> errors, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(path, stop);
            var body = await response.Content.ReadAsStringAsync(stop);
            if (!response.IsSuccessStatusCode)
            {
                errors.Add($"{name}: {(int)response.StatusCode} {body[..Math.Min(200, body.Length)]}");
                return null;
            }
            timings.GetOrAdd(name, _ => []).Add(clock.Elapsed.TotalMilliseconds);
            return JsonDocument.Parse(body).RootElement;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        catch (HttpRequestException e)
        {
            errors.Add($"{name}: {e.Message}");
            return null;
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Round(p * (sorted.Count - 1))];
}
