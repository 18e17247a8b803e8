using System.Net.Http.Json;
using System.Text.Json;
using Amazon.S3.Model;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Synthetic;

namespace FlowLens.Api.Tests.Features.Ingestion;

/// <summary>
/// S3 sources fed by event notifications through SQS, against real FlowLens processes, s3rver and an SQS emulator: the
/// three message shapes, duplicates, a worker killed mid-object, two workers on one queue, poison messages and objects.
/// </summary>
[Slow]
public sealed class S3QueueTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>
    /// The tests' FlowLens processes: a crashed worker's messages come back after 6 s; and they poll instead of waiting
    /// (the emulator's long polling marks a message received without ever answering the wait).
    /// </summary>
    private static Dictionary<string, string> Queue(int visibilitySeconds = 6) => new()
    {
        ["FlowLens__Ingestion__QueueVisibilitySeconds"] = visibilitySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["FlowLens__Ingestion__QueueWaitSeconds"] = "0",
    };

    [Fact]
    public async Task Notifications_InAllThreeShapes_StoreEveryObjectOnce_DespiteDuplicates_AndEveryMessageIsDeleted()
    {
        _folder.WriteDay(files: 6, recordsPerFile: 500, seed: 31);
        await using var s3 = await S3Server.StartAsync();
        await s3.UploadFolderAsync(_folder.Root);
        await using var sqs = await SqsServer.StartAsync();
        var (queue, deadLetters) = await sqs.CreateQueueAsync("flow-logs");
        var database = await postgres.CreateDatabaseAsync();
        await using var node = await FlowLensProcess.StartAsync(database, _folder.Root, environment: Queue());
        var id = await CreateQueueSourceAsync(node, s3, sqs, queue);

        var o = await ListAsync(s3);
        Assert.Equal(6, o.Count);
        await SendAsync(sqs, queue,
            Notifications.Direct(s3.Bucket, o[0]),
            Notifications.Sns(Notifications.Direct(s3.Bucket, o[1])),
            Notifications.EventBridge(s3.Bucket, o[2]),
            Notifications.Direct(s3.Bucket, o[3], o[4]),
            Notifications.Sns(Notifications.Direct(s3.Bucket, o[5])),
            // Delivered again (SQS is at least once, and S3 may notify twice), the test event, and events to ignore.
            Notifications.Direct(s3.Bucket, o[0]),
            Notifications.EventBridge(s3.Bucket, o[2]),
            Notifications.Sns(Notifications.Direct(s3.Bucket, o[3], o[4])),
            Notifications.TestEvent(s3.Bucket),
            Notifications.Direct(s3.Bucket, [o[3]], "ObjectRemoved:Delete"),
            Notifications.Direct("someone-elses-bucket", o[1]));

        await WaitAsync(() => DrainedAsync(sqs, queue, database, 3000), () => $"{node.Log}\n{sqs.Log}");

        Assert.Equal(3000L, await Sql.ScalarAsync<long>(database, "select count(*) from flows"));
        Assert.Equal(3000L, await Sql.ScalarAsync<long>(database, "select count(*) from (select distinct object_id, line from flows) d"));
        Assert.Equal(6L, await Sql.ScalarAsync<long>(database, "select count(*) from source_objects where source_id = $1 and state = 'ingested'", (int)id));
        Assert.Equal(6L, await Sql.ScalarAsync<long>(database, "select count(*) from source_objects"));
        Assert.Equal((0, 0), await sqs.CountAsync(deadLetters));
        var status = (await node.CreateClient().GetFromJsonAsync<JsonElement>($"/api/sources/{id}", Ct)).GetProperty("status");
        Assert.Equal((6, 3000), (status.GetProperty("objectsIngested").GetInt32(), status.GetProperty("recordsIngested").GetInt32()));
    }

    [Fact]
    public async Task AWorkerKilledMidObject_LeavesItsMessage_ToTwoOtherWorkers_WhoStoreEveryRecordOnce()
    {
        // One object big enough to be caught in its COPY, and a few small ones.
        SyntheticFlowLogFiles.WriteDay(Path.Combine(_folder.Root, "big"), DateTimeOffset.UtcNow.Date.AddDays(-1), files: 1, recordsPerFile: 300_000, seed: 5);
        _folder.WriteDay(files: 3, recordsPerFile: 1000, seed: 6);
        await using var s3 = await S3Server.StartAsync();
        await s3.UploadFolderAsync(_folder.Root);
        await using var sqs = await SqsServer.StartAsync();
        var (queue, deadLetters) = await sqs.CreateQueueAsync("flow-logs");
        var database = await postgres.CreateDatabaseAsync();
        var objects = await ListAsync(s3, prefix: "big/");
        objects.AddRange(await ListAsync(s3));
        Assert.Equal(4, objects.Count);

        var doomedLog = "";
        await using (var doomed = await FlowLensProcess.StartAsync(database, _folder.Root, environment: Queue()))
        {
            await CreateQueueSourceAsync(doomed, s3, sqs, queue, prefix: "");
            await SendAsync(sqs, queue, Notifications.Direct(s3.Bucket, objects[0]));
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (await Sql.ScalarAsync<long>(database, "select count(*) from pg_stat_activity where datname = current_database() and query like 'copy flow_chunks%' and state = 'active'") == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, $"no COPY seen\n{doomed.Log}");
                await Task.Delay(20, Ct);
            }
            await doomed.KillAsync();
            doomedLog = doomed.FullLog;
        }
        Assert.Equal(0L, await Sql.ScalarAsync<long>(database, "select count(*) from source_objects where state = 'ingested'"));
        // Not deleted: in flight until its visibility timeout, then back.
        var (visible, inFlight) = await sqs.CountAsync(queue);
        Assert.True(visible + inFlight == 1, $"{visible} visible, {inFlight} in flight\n{doomedLog}");

        // Two workers on the queue; every notification sent twice, so both may hold the same key at once.
        await using var first = await FlowLensProcess.StartAsync(database, _folder.Root, environment: Queue());
        await using var second = await FlowLensProcess.StartAsync(database, _folder.Root, environment: Queue());
        foreach (var item in objects.Skip(1))
        {
            await SendAsync(sqs, queue, Notifications.Direct(s3.Bucket, item), Notifications.EventBridge(s3.Bucket, item));
        }
        await WaitAsync(() => DrainedAsync(sqs, queue, database, 303_000), () => $"{first.Log}\n{second.Log}\n{sqs.Log}");

        Assert.Equal(303_000L, await Sql.ScalarAsync<long>(database, "select count(*) from flows"));
        Assert.Equal(303_000L, await Sql.ScalarAsync<long>(database, "select count(*) from (select distinct object_id, line from flows) d"));
        Assert.Equal(4L, await Sql.ScalarAsync<long>(database, "select count(*) from source_objects where state = 'ingested'"));
        Assert.Equal((0, 0), await sqs.CountAsync(deadLetters));
    }

    [Fact]
    public async Task AnUnreadableMessage_AndACorruptObject_GoToTheDeadLetterQueue_WithTheirReasons_AndTheRestIsStored()
    {
        _folder.WriteDay(files: 1, recordsPerFile: 200, seed: 41);
        _folder.WriteBytes("AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/12/01/corrupt.log.gz", [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]);
        await using var s3 = await S3Server.StartAsync();
        await s3.UploadFolderAsync(_folder.Root);
        await using var sqs = await SqsServer.StartAsync();
        var (queue, deadLetters) = await sqs.CreateQueueAsync("flow-logs", maxReceiveCount: 2);
        var database = await postgres.CreateDatabaseAsync();
        await using var node = await FlowLensProcess.StartAsync(database, _folder.Root,
            environment: Queue(visibilitySeconds: 5));
        var id = await CreateQueueSourceAsync(node, s3, sqs, queue);

        var objects = await ListAsync(s3);
        var corrupt = objects.Single(o => o.Key.EndsWith("corrupt.log.gz", StringComparison.Ordinal));
        await SendAsync(sqs, queue, "this is not a notification", Notifications.Direct(s3.Bucket, corrupt),
            Notifications.Direct(s3.Bucket, objects.Single(o => o != corrupt)));

        // Received twice (5 s apart), then moved by the redrive policy.
        await WaitAsync(async () => await sqs.CountAsync(deadLetters) == (2, 0) && await sqs.CountAsync(queue) == (0, 0), () => $"{node.Log}\n{sqs.Log}");

        Assert.Equal(200L, await Sql.ScalarAsync<long>(database, "select count(*) from flows"));
        Assert.Equal("failed", await Sql.ScalarAsync<string>(database, "select state from source_objects where key like '%corrupt.log.gz'"));
        Assert.Contains("gzip", await Sql.ScalarAsync<string>(database, "select error from source_objects where key like '%corrupt.log.gz'"), StringComparison.OrdinalIgnoreCase);
        var status = (await node.CreateClient().GetFromJsonAsync<JsonElement>($"/api/sources/{id}", Ct)).GetProperty("status");
        Assert.Contains("not JSON", status.GetProperty("lastError").GetString());
    }

    [Fact]
    public async Task TheRunOfAQueueSource_ListsNothing_UnlessItsSafetyNetListsTheLastDay()
    {
        _folder.WriteDay(files: 2, recordsPerFile: 100, seed: 51);
        SyntheticFlowLogFiles.WriteDay(_folder.Root, DateTimeOffset.UtcNow.Date.AddDays(-3), files: 1, recordsPerFile: 50, seed: 52);
        await using var s3 = await S3Server.StartAsync();
        await s3.UploadFolderAsync(_folder.Root);
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        object Body(bool listLastDay) => new
        {
            name = "queued", kind = "s3", enabled = false,
            s3 = new
            {
                bucket = s3.Bucket, region = "us-east-1", serviceUrl = s3.Url, forcePathStyle = true,
                sqs = new { queueUrl = "http://127.0.0.1:9/123456789012/flow-logs", serviceUrl = "http://127.0.0.1:9/", listLastDay },
            },
        };
        var id = (await (await admin.PostAsJsonAsync("/api/sources", Body(listLastDay: false), Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();

        await app.IngestAsync(id);
        Assert.Equal((0L, "idle"), (await app.ScalarAsync<long>("select count(*) from source_objects"), (await app.GetSourceAsync(id)).Status.State));

        (await admin.PutAsJsonAsync($"/api/sources/{id}", Body(listLastDay: true), Ct)).EnsureSuccessStatusCode();
        await app.IngestAsync(id);
        // Yesterday's two objects, not the one of three days ago; and no checkpoint: the next run lists the last day again.
        Assert.Equal(200L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(2L, await app.ScalarAsync<long>("select count(*) from source_objects"));
        Assert.True(await app.ScalarAsync<bool>("select checkpoint is null from sources where id = $1", id));
    }

    [Fact]
    public async Task TheQueueSettings_AreChecked()
    {
        await using var app = await postgres.StartAppAsync();
        var response = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name = "q", kind = "s3",
            s3 = new { bucket = "flow-logs", region = "us-east-1", sqs = new { queueUrl = "sqs:flow-logs", region = "mars-1", serviceUrl = "http://169.254.169.254/" } },
        }, Ct);

        var errors = (await ProblemAssert.IsProblemAsync(response, System.Net.HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal(["s3.sqs.queueUrl", "s3.sqs.region", "s3.sqs.serviceUrl"], errors.EnumerateObject().Select(e => e.Name).Where(n => n.StartsWith("s3.sqs", StringComparison.Ordinal)).Order());
    }

    private static async Task<long> CreateQueueSourceAsync(FlowLensProcess node, S3Server s3, SqsServer sqs, string queueUrl, string prefix = "AWSLogs/")
    {
        var response = await node.CreateClient().PostAsJsonAsync("/api/sources", new
        {
            name = "queued", kind = "s3",
            s3 = new { bucket = s3.Bucket, prefix, region = "us-east-1", serviceUrl = s3.Url, forcePathStyle = true, sqs = new { queueUrl, serviceUrl = sqs.Url } },
        }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
    }

    private static async Task<List<S3Object>> ListAsync(S3Server s3, string prefix = "AWSLogs/")
    {
        using var client = s3.CreateClient();
        return (await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = s3.Bucket, Prefix = prefix }, Ct)).S3Objects ?? [];
    }

    private static async Task SendAsync(SqsServer sqs, string queueUrl, params string[] bodies)
    {
        using var client = sqs.CreateClient();
        foreach (var body in bodies)
        {
            await client.SendMessageAsync(queueUrl, body, Ct);
        }
    }

    /// <summary>Every message gone (none waiting, none in flight) and the flows all stored.</summary>
    private static async Task<bool> DrainedAsync(SqsServer sqs, string queueUrl, string database, long records) =>
        await sqs.CountAsync(queueUrl) == (0, 0) && await Sql.ScalarAsync<long>(database, "select count(*) from flows") == records;

    /// <summary>Waits (three minutes at most: a loaded CI machine is slow) until the condition holds.</summary>
    private static async Task WaitAsync(Func<Task<bool>> condition, Func<string> log)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, log());
            await Task.Delay(200, Ct);
        }
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>S3 event notifications as AWS documents them (see FlowLens.Core.Tests' S3EventMessageTests for the sources).</summary>
    private static class Notifications
    {
        public static string Direct(string bucket, params S3Object[] objects) => Direct(bucket, objects, "ObjectCreated:Put");

        public static string Direct(string bucket, S3Object[] objects, string eventName) => JsonSerializer.Serialize(new
        {
            Records = objects.Select(o => new
            {
                eventVersion = "2.1", eventSource = "aws:s3", awsRegion = "us-east-1", eventTime = DateTime.UtcNow.ToString("O"), eventName,
                s3 = new
                {
                    s3SchemaVersion = "1.0", configurationId = "flowlens",
                    bucket = new { name = bucket, arn = $"arn:aws:s3:::{bucket}" },
                    // S3 URL-encodes keys in its own notifications.
                    @object = new { key = Uri.EscapeDataString(o.Key).Replace("%2F", "/", StringComparison.Ordinal), size = o.Size, eTag = o.ETag.Trim('"'), sequencer = "0055AED6DCD90281E5" },
                },
            }),
        });

        public static string Sns(string message) => JsonSerializer.Serialize(new
        {
            Type = "Notification", MessageId = Guid.NewGuid(), TopicArn = "arn:aws:sns:us-east-1:123456789012:flow-logs",
            Subject = "Amazon S3 Notification", Message = message, Timestamp = DateTime.UtcNow.ToString("O"), SignatureVersion = "1",
        });

        public static string EventBridge(string bucket, S3Object o) => JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["version"] = "0", ["id"] = Guid.NewGuid(), ["detail-type"] = "Object Created", ["source"] = "aws.s3", ["account"] = "123456789012",
            ["time"] = DateTime.UtcNow.ToString("O"), ["region"] = "us-east-1", ["resources"] = new[] { $"arn:aws:s3:::{bucket}" },
            ["detail"] = new Dictionary<string, object>
            {
                ["version"] = "0", ["bucket"] = new { name = bucket },
                ["object"] = new Dictionary<string, object> { ["key"] = o.Key, ["size"] = o.Size ?? 0, ["etag"] = o.ETag.Trim('"'), ["sequencer"] = "00617F08299329D189" },
                ["request-id"] = "N4N7GDK58NMKJ12R", ["requester"] = "123456789012", ["reason"] = "PutObject",
            },
        });

        public static string TestEvent(string bucket) => JsonSerializer.Serialize(new
        {
            Service = "Amazon S3", Event = "s3:TestEvent", Time = DateTime.UtcNow.ToString("O"), Bucket = bucket, RequestId = "5582815E1AEA5ADF", HostId = "EXAMPLE",
        });
    }
}
