using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FlowLens.Api.Tests.Features.Ingestion;

/// <summary>A run lists and pages within FlowLens:Sources:MaxListPagesPerRun and MaxListTimePerRun, and the next run goes on.</summary>
[Slow]
public sealed class ListLimitsTests(PostgresFixture postgres) : IDisposable
{
    private static readonly long Start = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds();
    private readonly FlowLogFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A CloudWatch Logs endpoint that never stops paging: one event a page, a second apart, always a next token.</summary>
    private static Task<HttpStub> EndlessCloudWatchAsync(List<long> startTimes) => HttpStub.StartAsync(async (context, n) =>
    {
        var request = await JsonNode.ParseAsync(context.Request.Body);
        if (request?["nextToken"] is null)
        {
            lock (startTimes)
            {
                startTimes.Add((long)request!["startTime"]!);
            }
        }
        await context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            events = new[] { new { logStreamName = "eni-1-all", timestamp = Start + n * 1000L, message = "not a flow log line", eventId = n.ToString("D10", CultureInfo.InvariantCulture) } },
            nextToken = $"t{n}",
        }));
    });

    private static async Task<long> CreateCloudWatchSourceAsync(FlowLensApp app, string url) =>
        (await (await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name = "endless",
            kind = "cloudwatch",
            enabled = false,
            cloudWatch = new { logGroupName = "/vpc/flow-logs", region = "eu-west-1", serviceUrl = url, lookbackMinutes = 0, startTime = DateTimeOffset.FromUnixTimeMilliseconds(Start) },
        }, Ct)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();

    private static Task SyncAsync(FlowLensApp app, long id) =>
        app.RunJobAsync<SyncJob>(job => job.RunAsync(id, false, CancellationToken.None)).WaitAsync(TimeSpan.FromSeconds(60), Ct);

    [Fact]
    public async Task CloudWatchSync_StopsAtThePageLimit_KeepsItsCheckpoint_AndTheNextRunGoesOnFromIt()
    {
        var startTimes = new List<long>();
        await using var endless = await EndlessCloudWatchAsync(startTimes);
        await using var app = await postgres.StartAppAsync(b => b
            .UseSetting("FlowLens:Sources:CloudWatchRequestsPerSecond", "500").UseSetting("FlowLens:Sources:MaxListPagesPerRun", "20"));
        var id = await CreateCloudWatchSourceAsync(app, endless.Url);

        await SyncAsync(app, id);

        var source = await app.GetSourceAsync(id);
        Assert.True(20 == endless.Requests, $"{endless.Requests} {source.Status}");
        Assert.Equal((SourceStates.Idle, (string?)null), (source.Status.State, source.Status.LastError));
        Assert.Equal(20L, source.Status.RecordsRejected);
        var checkpoint = long.Parse(await app.ScalarAsync<string>("select checkpoint from sources where id = $1", id), CultureInfo.InvariantCulture);
        Assert.Equal(Start + 20_000, checkpoint);

        await SyncAsync(app, id);
        Assert.Equal(40, endless.Requests);
        Assert.Equal([Start, checkpoint], startTimes);
    }

    [Fact]
    public async Task CloudWatchSync_StopsAtTheTimeLimit()
    {
        await using var endless = await EndlessCloudWatchAsync([]);
        await using var app = await postgres.StartAppAsync(b => b
            .UseSetting("FlowLens:Sources:CloudWatchRequestsPerSecond", "20").UseSetting("FlowLens:Sources:MaxListTimePerRun", "00:00:02"));
        var id = await CreateCloudWatchSourceAsync(app, endless.Url);

        await SyncAsync(app, id);

        Assert.InRange(endless.Requests, 2, 60);
        Assert.Equal(SourceStates.Idle, (await app.GetSourceAsync(id)).Status.State);
    }

    [Fact]
    public async Task S3Sync_StopsAtThePageLimit_AndTheNextRunsGoOnAfterTheLastKeyListed()
    {
        // Three account prefixes: finding them takes 4 one-key listings, listing each one page; 5 pages a run lists one prefix.
        var keys = _folder.WriteDay(files: 3, recordsPerFile: 50, seed: 3);
        await using var s3 = await S3Server.StartAsync();
        using (var client = s3.CreateClient())
        {
            for (var i = 0; i < keys.Count; i++)
            {
                await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest
                {
                    BucketName = s3.Bucket,
                    Key = $"AWSLogs/11111111111{i}/" + string.Join('/', keys[i].Split('/')[2..]),
                    FilePath = Path.Combine(_folder.Root, keys[i]),
                    UseChunkEncoding = false,
                }, Ct);
            }
        }
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Sources:MaxListPagesPerRun", "5"));
        var id = (await (await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name = "bucket",
            kind = "s3",
            enabled = false,
            s3 = new { bucket = s3.Bucket, region = "us-east-1", serviceUrl = s3.Url, forcePathStyle = true },
        }, Ct)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();

        var listed = new List<long>();
        for (var run = 0; run < 3; run++)
        {
            await app.IngestAsync(id);
            listed.Add(await app.ScalarAsync<long>("select count(*) from source_objects where source_id = $1", id));
        }

        Assert.True(listed.SequenceEqual([1L, 2L, 3L]), $"{string.Join(",", listed)} {await app.ScalarAsync<string>("select checkpoint from sources where id = $1", id)} {await app.ScalarAsync<string>("select string_agg(key, ' ') from source_objects")}");
        Assert.Equal(150L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}$", await app.ScalarAsync<string>("select checkpoint from sources where id = $1", id));
    }

    public void Dispose() => _folder.Dispose();
}
