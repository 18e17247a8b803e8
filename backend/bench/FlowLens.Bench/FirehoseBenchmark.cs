using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Bench;

/// <summary>
/// Firehose delivery end to end: realistic flow log lines (<see cref="RealisticTraffic"/>, v5 all fields by default)
/// sent as Amazon Data Firehose sends them to an HTTP endpoint (gzip JSON, one base64 record per flow log line, as
/// VPC Flow Logs publish to Firehose), <c>--parallel</c> requests at a time, of <c>--request-mib</c> MiB of records
/// each, to a real FlowLens process on PostgreSQL with production settings. For each request: from the POST to its
/// 200 (FlowLens answers after the commit), and for every tenth, from the POST until the flows API finds its first
/// record. The same rows are loaded by psql's \copy just before, for the rate; then the time until every summary is current.
/// </summary>
internal static class FirehoseBenchmark
{
    private sealed record Request(string Id, byte[] Body, int Records, string FirstLine);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var records = options.Count(500_000);
        var traffic = new RealisticTraffic(options.Number("addresses", 200_000), options.Number("inside", 3000));
        var formatName = options.Text("format", "v5");
        var format = TrafficFiles.Format(formatName);
        var sizes = options.Text("request-mib", "1,5").Split(',').Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var parallel = options.Number("parallel", 2);
        Console.WriteLine($"FlowLens Firehose benchmark — {Environment.ProcessorCount} cores, {records:N0} records ({formatName}), requests of {string.Join(" and ", sizes)} MiB, " +
            $"{parallel} at a time; {BenchArgs.Load()}");
        var work = Directory.CreateTempSubdirectory("flowlens-firehose-bench").FullName;
        try
        {
            var logs = Path.Combine(work, "logs");
            TrafficFiles.Write(logs, traffic, format, DateTimeOffset.UtcNow.AddHours(-2), TimeSpan.FromHours(1), records);
            var text = await IngestBenchmark.WriteTextAsync(logs, work);
            var lines = await File.ReadAllLinesAsync(text);

            await using var server = await PostgresServer.StartAsync(durable: true);
            var database = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
            var bare = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
            await using var node = await BenchNode.StartAsync(server, database, work);
            Console.WriteLine("PostgreSQL with production settings (fsync, full_page_writes, synchronous_commit on)");
            using var firehose = new HttpClient { BaseAddress = node.Http.BaseAddress, Timeout = TimeSpan.FromMinutes(3) }; // Firehose waits 3 minutes

            foreach (var mib in sizes)
            {
                var requests = Requests(lines, mib, $"{mib}mib");
                // A fresh process runs its code unoptimised at first: a source of its own takes the warm-up.
                var warmKey = await CreateSourceAsync(node, $"warm-up-{mib}", format.ToString());
                await SendAllAsync(firehose, warmKey, [.. requests.Take(Math.Max(10, requests.Count / 10))], parallel, null);

                var (copySeconds, _, _) = await IngestBenchmark.CopyWithPsqlAsync(node, bare, text, format);
                var key = await CreateSourceAsync(node, $"stream-{mib}", format.ToString());
                var clock = Stopwatch.StartNew();
                var (stored, found) = await SendAllAsync(firehose, key, requests, parallel, node.Http);
                var seconds = clock.Elapsed.TotalSeconds;
                var settle = await BenchNode.WaitForCompactionAsync(database, TimeSpan.FromMinutes(10));
                var total = requests.Sum(r => r.Records);
                Console.WriteLine($"requests of {mib} MiB ({requests.Average(r => r.Records):N0} records, {requests.Average(r => r.Body.Length) / 1024:N0} KiB gzip): " +
                    $"{requests.Count} requests, {total:N0} records in {seconds:F1} s = {total / seconds:N0} records/s; psql \\copy of the same rows just before " +
                    $"{lines.Length / copySeconds:N0} records/s (ratio {total / seconds / (lines.Length / copySeconds):F2}); {BenchArgs.Load()}");
                Console.WriteLine($"  POST to stored (its 200, after the commit): p50 {DiscoverBenchmark.Percentile(stored, 50):F2} s, p95 {DiscoverBenchmark.Percentile(stored, 95):F2} s, " +
                    $"max {stored.Max():F2} s; POST to found by the flows API: p50 {DiscoverBenchmark.Percentile(found, 50):F2} s, p95 {DiscoverBenchmark.Percentile(found, 95):F2} s " +
                    $"({found.Count} requests); every summary current {(settle is { } s ? $"{s:F1} s" : "NOT within 600 s")} after the last request");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The lines in requests of about <paramref name="mib"/> MiB of records, gzip JSON in Firehose's shape.</summary>
    private static List<Request> Requests(string[] lines, double mib, string prefix)
    {
        var requests = new List<Request>();
        var (batch, bytes) = (new List<string>(), 0L);
        foreach (var line in lines)
        {
            batch.Add(line);
            bytes += line.Length + 1;
            if (bytes >= mib * 1_048_576)
            {
                requests.Add(Make());
                (batch, bytes) = ([], 0);
            }
        }
        if (batch.Count > 0)
        {
            requests.Add(Make());
        }
        return requests;

        Request Make()
        {
            var id = $"{prefix}-{requests.Count:D5}-{Guid.NewGuid()}";
            var json = JsonSerializer.SerializeToUtf8Bytes(new
            {
                requestId = id,
                timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                records = batch.Select(l => new { data = Convert.ToBase64String(Encoding.UTF8.GetBytes(l + "\n")) }),
            });
            using var output = new MemoryStream();
            using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
            {
                gzip.Write(json);
            }
            return new Request(id, output.ToArray(), batch.Count, batch[0]);
        }
    }

    private static async Task<string> CreateSourceAsync(BenchNode node, string name, string format)
    {
        var created = await node.Http.PostAsJsonAsync("/api/sources", new { name, kind = "firehose", firehose = new { logFormat = format } });
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("firehose").GetProperty("accessKey").GetString()!;
    }

    /// <summary>Sends the requests, <paramref name="parallel"/> at a time; returns each one's seconds to its 200, and for every tenth to its first record found by the API.</summary>
    private static async Task<(List<double> Stored, List<double> Found)> SendAllAsync(HttpClient firehose, string key, List<Request> requests, int parallel, HttpClient? api)
    {
        var (stored, found) = (new ConcurrentBag<double>(), new ConcurrentBag<double>());
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, parallel).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests.Count)
            {
                var request = requests[i];
                var clock = Stopwatch.StartNew();
                using var message = new HttpRequestMessage(HttpMethod.Post, "/api/ingest/firehose") { Content = new ByteArrayContent(request.Body) };
                message.Content.Headers.ContentType = new("application/json");
                message.Content.Headers.ContentEncoding.Add("gzip");
                message.Headers.Add("X-Amz-Firehose-Request-Id", request.Id);
                message.Headers.Add("X-Amz-Firehose-Access-Key", key);
                using var response = await firehose.SendAsync(message);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"request {request.Id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
                stored.Add(clock.Elapsed.TotalSeconds);
                if (api is not null && i % 10 == 0)
                {
                    await FindAsync(api, request.FirstLine);
                    found.Add(clock.Elapsed.TotalSeconds);
                }
            }
        }));
        return ([.. stored], [.. found]);
    }

    /// <summary>Searches the flows API for the record of the line (its addresses and ports), until it is found.</summary>
    private static async Task FindAsync(HttpClient api, string line)
    {
        // The v2 and v5 formats start: version account-id interface-id srcaddr dstaddr srcport dstport … start.
        var f = line.Split(' ');
        var start = DateTimeOffset.FromUnixTimeSeconds(long.Parse(f[10], System.Globalization.CultureInfo.InvariantCulture));
        var q = Uri.EscapeDataString($"srcaddr = {f[3]} and dstaddr = {f[4]} and srcport = {f[5]} and dstport = {f[6]}");
        var url = $"/api/flows?from={start.AddMinutes(-1):yyyy-MM-ddTHH:mm:ssZ}&to=now&limit=1&q={q}";
        for (var attempt = 0; ; attempt++)
        {
            var page = await api.GetFromJsonAsync<JsonElement>(url);
            if (page.GetProperty("items").GetArrayLength() > 0)
            {
                return;
            }
            if (attempt == 600)
            {
                throw new InvalidOperationException($"not found after 30 s: {line}");
            }
            await Task.Delay(50);
        }
    }
}
