using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.SQS.Model;
using FlowLens.Api.Tests.Infrastructure;
using Npgsql;

namespace FlowLens.Bench;

/// <summary>
/// How FlowLens finds new objects in an organisation's bucket: listing (a source's scheduled run) against S3 event
/// notifications through SQS. A bucket of <c>keys</c> objects (100,000 by default) in <c>--prefixes</c> account/region
/// prefixes (500) in s3rver, the queue in the local-aws-sqs emulator, a real FlowLens process on PostgreSQL with
/// production settings. Listing: a source whose ledger already holds every key (as after earlier runs) gets
/// <c>--new</c> new objects and a run; the run's time until it has found them is its discovery time over the whole
/// bucket, and each new object's latency is from its write to its rows committed. Queue: the same new objects with
/// their notifications, then <c>--notifications</c> notifications of the bucket's objects at once for the rate.
/// </summary>
internal static class DiscoverBenchmark
{
    private static readonly string[] Regions = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1"];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var keys = (int)options.Count(100_000);
        var prefixes = options.Number("prefixes", 500);
        var fresh = options.Number("new", 20);
        var notifications = options.Number("notifications", 2000);
        var rounds = options.Number("rounds", 3);
        Console.WriteLine($"FlowLens discovery benchmark — {Environment.ProcessorCount} cores, {keys:N0} keys in {prefixes} account/region prefixes, " +
            $"{fresh} new objects a round, {rounds} rounds, {notifications:N0} notifications; {BenchArgs.Load()}");

        await using var s3 = await S3Server.StartAsync();
        await using var sqs = await SqsServer.StartAsync();
        var (queue, deadLetters) = await sqs.CreateQueueAsync("flow-log-objects", maxReceiveCount: 5);
        var day = DateTime.UtcNow.Date;
        var clock = Stopwatch.StartNew();
        var bucket = Path.Combine(s3.DataDirectory, s3.Bucket);
        var objects = Enumerable.Range(0, keys).Select(i => Write(bucket, day, i % prefixes, i / prefixes)).ToList();
        Console.WriteLine($"wrote {keys:N0} objects of 3 records in {clock.Elapsed.TotalSeconds:F1} s");

        await using var server = await PostgresServer.StartAsync(durable: true);
        var database = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
        var work = Directory.CreateTempSubdirectory("flowlens-discover-bench").FullName;
        try
        {
            // The emulator's long polling loses messages (docs/ingestion.md): FlowLens asks once a second instead.
            await using var node = await BenchNode.StartAsync(server, database, work,
                ("FlowLens__Sources__AllowedEndpoints__0", "http://127.0.0.1"), ("FlowLens__Ingestion__QueueWaitSeconds", "0"));
            var listing = await CreateSourceAsync(node, s3, "listing", null);
            await RecordIngestedAsync(database, listing, objects);

            var listingLatencies = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                var written = Enumerable.Range(0, fresh).Select(i => Write(bucket, day, i * prefixes / fresh, 100_000 + round * 1000 + i)).ToList();
                var wroteAt = DateTimeOffset.UtcNow;
                (await node.Http.PostAsync($"/api/sources/{listing}/sync", null)).EnsureSuccessStatusCode();
                var (found, _) = await WaitAsync(database, listing, written, stored: false);
                var (_, stored) = await WaitAsync(database, listing, written, stored: true);
                listingLatencies.AddRange(stored.Select(t => (t - wroteAt).TotalSeconds));
                var run = (found - wroteAt).TotalSeconds;
                Console.WriteLine($"listing, round {round}: the run found {fresh} new objects among {keys + fresh * round:N0} keys after {run:F2} s " +
                    $"({(keys + fresh * round) / run:N0} keys listed a second); written to stored: p50 {Percentile(stored.Select(t => (t - wroteAt).TotalSeconds), 50):F2} s, " +
                    $"max {stored.Max(t => (t - wroteAt).TotalSeconds):F2} s; {BenchArgs.Load()}");
            }

            var queued = await CreateSourceAsync(node, s3, "queued", new { queueUrl = queue, serviceUrl = sqs.Url });
            await Task.Delay(TimeSpan.FromSeconds(6)); // the listener looks for queue sources every 5 s
            using var client = sqs.CreateClient();
            var queueLatencies = new List<double>();
            for (var round = 1; round <= rounds; round++)
            {
                var written = Enumerable.Range(0, fresh).Select(i => Write(bucket, day, i * prefixes / fresh, 200_000 + round * 1000 + i)).ToList();
                var wroteAt = DateTimeOffset.UtcNow;
                await SendAsync(client, queue, s3.Bucket, written);
                var (_, stored) = await WaitAsync(database, queued, written, stored: true);
                queueLatencies.AddRange(stored.Select(t => (t - wroteAt).TotalSeconds));
                Console.WriteLine($"queue, round {round}: {fresh} new objects written and notified, stored after p50 {Percentile(stored.Select(t => (t - wroteAt).TotalSeconds), 50):F2} s, " +
                    $"max {stored.Max(t => (t - wroteAt).TotalSeconds):F2} s; {BenchArgs.Load()}");
            }

            var burst = objects.Take(notifications).ToList();
            var started = DateTimeOffset.UtcNow;
            await SendAsync(client, queue, s3.Bucket, burst);
            var sent = (DateTimeOffset.UtcNow - started).TotalSeconds;
            var (_, done) = await WaitAsync(database, queued, burst, stored: true);
            var seconds = (done.Max() - started).TotalSeconds;
            var left = await sqs.CountAsync(queue);
            Console.WriteLine($"queue, burst: {notifications:N0} notifications sent in {sent:F1} s, every object stored {seconds:F1} s after the first was sent: " +
                $"{notifications / seconds:N0} objects a second found and loaded; queue left {left.Visible} visible, {left.InFlight} in flight, " +
                $"dead letters {(await sqs.CountAsync(deadLetters)).Visible}; {BenchArgs.Load()}");

            Console.WriteLine($"written to stored, all rounds: listing p50 {Percentile(listingLatencies, 50):F2} s, p95 {Percentile(listingLatencies, 95):F2} s " +
                $"(plus the wait for the schedule: half its period on average, 150 s at */5); queue p50 {Percentile(queueLatencies, 50):F2} s, p95 {Percentile(queueLatencies, 95):F2} s");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// A small v2 object (3 records) written straight into s3rver's folder with its MD5 (s3rver's etag), in AWS's key
    /// layout: prefix <paramref name="prefix"/> is an account and region, <paramref name="n"/> its n-th object of the day.
    /// </summary>
    private static (string Key, string ETag, long Size) Write(string bucket, DateTime day, int prefix, int n)
    {
        var account = (100_000_000_000L + prefix / Regions.Length).ToString(CultureInfo.InvariantCulture);
        var region = Regions[prefix % Regions.Length];
        var at = day.AddSeconds(n % 86_400);
        var name = $"{account}_vpcflowlogs_{region}_fl-{prefix:x8}_{at:yyyyMMddTHHmm}Z_{n:x8}.log.gz";
        var key = $"AWSLogs/{account}/vpcflowlogs/{region}/{day:yyyy/MM/dd}/{name}";
        var start = new DateTimeOffset(at).ToUnixTimeSeconds();
        var text = new StringBuilder("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n");
        for (var i = 0; i < 3; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"2 {account} eni-{prefix:x8} 10.{prefix % 250}.{n % 250}.{i + 1} 203.0.113.{n % 250} 443 {40000 + i} 6 10 8400 {start} {start + 60} ACCEPT OK\n");
        }
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.ASCII.GetBytes(text.ToString()));
        }
        var bytes = buffer.ToArray();
        var path = Path.Combine(bucket, key.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var etag = Convert.ToHexStringLower(MD5.HashData(bytes));
        // s3rver's layout: the content as <name>._S3rver_object, its MD5 beside it.
        File.WriteAllBytes(path + "._S3rver_object", bytes);
        File.WriteAllText(path + "._S3rver_object.md5", etag);
        return (key, etag, bytes.Length);
    }

    private static async Task<long> CreateSourceAsync(BenchNode node, S3Server s3, string name, object? sqs)
    {
        var response = await node.Http.PostAsJsonAsync("/api/sources", new
        {
            name, kind = "s3", enabled = sqs is not null,
            s3 = new { bucket = s3.Bucket, prefix = "AWSLogs/", region = "us-east-1", serviceUrl = s3.Url, forcePathStyle = true, sqs },
        });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(await response.Content.ReadAsStringAsync());
        }
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>The ledger of a source that has ingested every object of the bucket already.</summary>
    private static async Task RecordIngestedAsync(string database, long source, List<(string Key, string ETag, long Size)> objects)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand("""
            insert into source_objects (source_id, key, e_tag, size, last_modified, state, records, rejected_lines, attempts, discovered_at, ingested_at, sample_errors)
            select $1, o.key, o.etag, o.size, now(), 'ingested', 3, 0, 1, now(), now(), '[]'
            from unnest($2::text[], $3::text[], $4::bigint[]) as o(key, etag, size)
            """, connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = source });
        insert.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.Key).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.ETag).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.Size).ToArray() });
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>One S3-shaped notification a message, sent ten at a time, as S3 sends them.</summary>
    private static async Task SendAsync(Amazon.SQS.AmazonSQSClient client, string queue, string bucket, List<(string Key, string ETag, long Size)> objects)
    {
        foreach (var batch in objects.Chunk(10))
        {
            await client.SendMessageBatchAsync(new SendMessageBatchRequest
            {
                QueueUrl = queue,
                Entries = [.. batch.Select((o, i) => new SendMessageBatchRequestEntry(i.ToString(CultureInfo.InvariantCulture), JsonSerializer.Serialize(new
                {
                    Records = new[]
                    {
                        new
                        {
                            eventVersion = "2.1", eventSource = "aws:s3", awsRegion = "us-east-1", eventTime = DateTime.UtcNow.ToString("O"), eventName = "ObjectCreated:Put",
                            s3 = new { s3SchemaVersion = "1.0", bucket = new { name = bucket }, @object = new { key = o.Key, size = o.Size, eTag = o.ETag } },
                        },
                    },
                })))],
            });
        }
    }

    /// <summary>
    /// Waits (10 minutes at most) until the ledger holds each object (<paramref name="stored"/>: ingested); returns when
    /// this look saw them all, and their <c>ingested_at</c> times.
    /// </summary>
    private static async Task<(DateTimeOffset SeenAt, List<DateTimeOffset> Stored)> WaitAsync(string database, long source, List<(string Key, string ETag, long Size)> objects, bool stored)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var deadline = DateTime.UtcNow.AddMinutes(10);
        while (true)
        {
            await using var query = new NpgsqlCommand("""
                select o.ingested_at from source_objects o join unnest($2::text[]) as k(key) on o.key = k.key
                where o.source_id = $1 and (not $3 or o.state = 'ingested')
                """, connection);
            query.Parameters.Add(new NpgsqlParameter { Value = source });
            query.Parameters.Add(new NpgsqlParameter { Value = objects.Select(o => o.Key).ToArray() });
            query.Parameters.Add(new NpgsqlParameter { Value = stored });
            var times = new List<DateTimeOffset>();
            await using (var reader = await query.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    times.Add(reader.IsDBNull(0) ? default : new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero));
                }
            }
            if (times.Count == objects.Count)
            {
                return (DateTimeOffset.UtcNow, times);
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{times.Count} of {objects.Count} objects in the ledger{(stored ? ", ingested," : "")} after 10 minutes");
            }
            await Task.Delay(50);
        }
    }

    internal static double Percentile(IEnumerable<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
