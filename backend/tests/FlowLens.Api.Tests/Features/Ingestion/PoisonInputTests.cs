using System.Net.Http.Json;
using System.Text;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Sources;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Features.Ingestion;

/// <summary>
/// Objects and events as someone who can write to the bucket, folder or log group would craft them: a poisoned line
/// is a counted, sampled rejected line and the rest is stored; an object past a limit fails, storing nothing.
/// </summary>
[Slow]
public sealed class PoisonInputTests(PostgresFixture postgres) : IDisposable
{
    private static readonly string Header = FlowLogText.Header(FlowLogFormat.Default);
    private static readonly long Start = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
    private readonly FlowLogFolder _folder = new();

    private static string Good(int i) => $"2 123456789010 eni-{i % 7} 10.0.{i % 250}.1 10.1.0.2 {i} 443 6 10 840 {Start} {Start + 60} ACCEPT OK";

    /// <summary>The object (to gzip): 100 good lines, the 51st record line with a NUL inside the interface id, then other poisons.</summary>
    private static byte[] PoisonedObject()
    {
        var text = new List<byte>();
        void Add(string s) => text.AddRange(Encoding.UTF8.GetBytes(s + "\n"));
        void AddBytes(params byte[][] parts) => text.AddRange([.. parts.SelectMany(p => p), (byte)'\n']);
        Add(Header);
        for (var i = 0; i < 100; i++)
        {
            if (i == 50)
            {
                Add(Good(i).Replace("eni-1", "eni-\0" + "1"));
            }
            Add(Good(i));
        }
        AddBytes("2 123456789010 eni-"u8.ToArray(), [0xc0, 0xaf], " 10.0.0.1 10.1.0.2 1 443 6 10 840 1 2 ACCEPT OK"u8.ToArray()); // overlong UTF-8
        AddBytes("2 123456789010 eni-"u8.ToArray(), [0xed, 0xa0, 0x80], " 10.0.0.1 10.1.0.2 1 443 6 10 840 1 2 ACCEPT OK"u8.ToArray()); // a surrogate
        Add($"2 123456789010 eni-{new string('a', 3000)} 10.0.0.1 10.1.0.2 1 443 6 10 840 1 2 ACCEPT OK"); // past the btree's limit
        Add($"2 123456789010 eni-{new string('b', 10 << 20)} 10.0.0.1 10.1.0.2 1 443 6 10 840 1 2 ACCEPT OK"); // a 10 MB field
        Add("2 123456789010 eni-1 10.0.0.1 10.1.0.2 1 443 6 10 840 1 2 ACCEPT OK extra\0field");
        return [.. text];
    }

    private static async Task AssertPoisonedObjectStoredAsync(FlowLensApp app, long sourceId)
    {
        var page = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<SourcesApi.ObjectPage>(
            $"/api/sources/{sourceId}/objects", TestContext.Current.CancellationToken);
        var item = Assert.Single(page!.Items);
        Assert.True(item.State == ObjectStates.Ingested, $"{item.State}: {item.Error}");
        Assert.Equal((100L, 6L), (item.Records, item.RejectedLines));
        Assert.Equal(
            [
                (52L, "interface-id", "the value holds a NUL byte"),
                (103L, "interface-id", "the value is not valid UTF-8"),
                (104L, "interface-id", "the value is not valid UTF-8"),
                (105L, "interface-id", "the value is longer than 1024 bytes"),
                (106L, null, "line is longer than 65536 bytes"),
            ],
            item.SampleErrors.Select(e => (e.Line, e.Field, e.Reason)));
        Assert.All(item.SampleErrors, e => Assert.DoesNotContain(e.Text, c => char.IsControl(c)));
        Assert.Equal(100L, await app.ScalarAsync<long>("select count(*) from flows where source_id = $1", (int)sourceId));
        Assert.Equal(6, (await app.GetSourceAsync(sourceId)).Status.RecordsRejected);
    }

    [Fact]
    public async Task DirectorySource_PoisonedLines_AreRejectedLines_AndTheRestIsStored()
    {
        _folder.WriteGzip("p/poisoned.log.gz", PoisonedObject());
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);
        await AssertPoisonedObjectStoredAsync(app, sourceId);
    }

    [Fact]
    public async Task S3Source_PoisonedLines_AreRejectedLines_AndTheRestIsStored()
    {
        var day = DateTimeOffset.UtcNow.AddDays(-1);
        _folder.WriteGzip($"AWSLogs/123456789010/vpcflowlogs/us-east-1/{day:yyyy}/{day:MM}/{day:dd}/123456789010_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_{day:yyyyMMdd'T'HHmm'Z'}_0a1b2c3d.log.gz", PoisonedObject());
        await using var s3 = await S3Server.StartAsync();
        await s3.UploadFolderAsync(_folder.Root);
        await using var app = await postgres.StartAppAsync();
        var created = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name = "bucket",
            kind = "s3",
            s3 = new { bucket = s3.Bucket, prefix = "AWSLogs/", region = "us-east-1", serviceUrl = s3.Url, forcePathStyle = true },
        }, TestContext.Current.CancellationToken);
        var sourceId = (await created.Content.ReadFromJsonAsync<SourcesApi.SourceResponse>(TestContext.Current.CancellationToken))!.Id;
        await app.IngestAsync(sourceId);
        await AssertPoisonedObjectStoredAsync(app, sourceId);
    }

    [Fact]
    public async Task CloudWatchSource_PoisonedEvents_AreRejectedLines_AndTheCheckpointAdvances()
    {
        const string group = "/vpc/poison";
        var now = DateTimeOffset.UtcNow;
        await using var server = await CloudWatchLogsServer.StartAsync();
        var events = Enumerable.Range(0, 20).Select(i => (now.AddMinutes(-30).AddSeconds(i), Good(i))).ToList();
        events.Insert(10, (now.AddMinutes(-30).AddSeconds(10), Good(10).Replace("eni-3", "eni-\0" + "3")));
        events.Insert(12, (now.AddMinutes(-30).AddSeconds(11), Good(11).Replace("eni-4", "eni-" + new string('c', 300_000))));
        events.Insert(14, (now.AddMinutes(-30).AddSeconds(12), Good(12).Replace("eni-5", "eni-LONE-SURROGATE")));
        events.Add((now.AddMinutes(-10), Good(99).Replace("eni-1", "eni-" + new string('d', 2000))));
        server.Add(group, "eni-poison-all", events);
        // What JsonObject will not write, and System.Text.Json will not read: an escaped lone surrogate.
        server.RewriteResponse = json => json.Replace("LONE-SURROGATE", "\\ud800", StringComparison.Ordinal);
        server.Add(group, "eni-\0named", [(now.AddMinutes(-20), Good(1)), (now.AddMinutes(-20), Good(2))]);
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Sources:CloudWatchRequestsPerSecond", "500"));
        var sourceId = (await (await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name = "poison",
            kind = "cloudwatch",
            enabled = false,
            cloudWatch = new { logGroupName = group, region = CloudWatchLogsServer.Region, serviceUrl = server.Url, lookbackMinutes = 5, startTime = now.AddHours(-1) },
        }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<SourcesApi.SourceResponse>(TestContext.Current.CancellationToken))!.Id;

        await app.RunJobAsync<SyncJob>(job => job.RunAsync(sourceId, true, CancellationToken.None));

        var source = await app.GetSourceAsync(sourceId);
        Assert.True(source.Status.LastError is null, source.Status.LastError);
        Assert.Equal(22L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(now.AddMinutes(-10).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            await app.ScalarAsync<string>("select checkpoint from sources where id = $1", sourceId));
        var streams = (await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<SourcesApi.ObjectPage>(
            $"/api/sources/{sourceId}/objects", TestContext.Current.CancellationToken))!.Items.OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(["eni-poison-all", "eni-\ufffdnamed"], streams.Select(o => o.Key));
        Assert.Equal((20L, 4L), (streams[0].Records, streams[0].RejectedLines));
        Assert.Equal((2L, 0L), (streams[1].Records, streams[1].RejectedLines));
        Assert.Equal(["the value holds a NUL byte", "line is longer than 65536 bytes", "line is not valid Unicode (a lone surrogate)", "the value is longer than 1024 bytes"],
            streams[0].SampleErrors.Select(e => e.Reason));

        // The next run reads on past them: nothing stuck, nothing stored twice.
        await app.RunJobAsync<SyncJob>(job => job.RunAsync(sourceId, true, CancellationToken.None));
        Assert.Equal(22L, await app.ScalarAsync<long>("select count(*) from flows"));
    }

    [Fact]
    public async Task ObjectsPastTheLimits_FailWithTheReason_AndStoreNothing()
    {
        _folder.WriteGzip("l/bomb.log.gz", new byte[8 << 20]);
        _folder.WriteBytes("l/big.parquet", new byte[3 << 20]);
        _folder.WriteGzip("l/many.log.gz", Header + "\n" + string.Join('\n', Enumerable.Range(0, 1500).Select(Good)));
        _folder.WriteGzip("l/fine.log.gz", Header + "\n" + string.Join('\n', Enumerable.Range(0, 900).Select(Good)));
        await using var app = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Ingestion:MaxObjectBytes", (2 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture));
            b.UseSetting("FlowLens:Ingestion:MaxRecordsPerObject", "1000");
        });
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);

        var page = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<SourcesApi.ObjectPage>(
            $"/api/sources/{sourceId}/objects", TestContext.Current.CancellationToken);
        Assert.Equal(
            [
                ("l/big.parquet", ObjectStates.Failed, "the object is 3145728 bytes, more than 2097152 (limit MaxObjectBytes)"),
                ("l/bomb.log.gz", ObjectStates.Failed, "the object holds more than 2097152 bytes once decompressed (limit MaxObjectBytes)"),
                ("l/fine.log.gz", ObjectStates.Ingested, null),
                ("l/many.log.gz", ObjectStates.Failed, "the object holds more than 1000 lines (limit MaxRecordsPerObject)"),
            ],
            page!.Items.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => (i.Key, i.State, i.Error)));
        Assert.Equal(900L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(SourceStates.Idle, (await app.GetSourceAsync(sourceId)).Status.State);
    }

    [Fact]
    public async Task ManyDistinctIds_KeepTheStringCacheBounded_AndAreStoredRight()
    {
        _folder.WriteGzip("s/many-ids.log.gz", Header + "\n" + string.Join('\n', Enumerable.Range(0, 6000).Select(i => Good(i).Replace("eni-", $"eni-{i}-"))));
        await using var app = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Ingestion:StringCacheSize", "1000");
        });
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);

        var strings = app.Services.GetRequiredService<FlowStrings>();
        Assert.InRange(strings.Cached, 1, 2 * 2 * 1000);
        Assert.Equal(6000L, await app.ScalarAsync<long>("select count(*) from flows f join flow_strings s on s.id = f.interface_id where s.value = 'eni-' || f.srcport || '-' || (f.srcport % 7)"));
        // Values read back through the cache after it turned over are still right.
        Assert.Equal("eni-5-5", strings.ValueOf(await app.ScalarAsync<int>("select id from flow_strings where value = 'eni-5-5'")));
    }

    [Theory]
    [InlineData("FlowLens:Ingestion:MaxLineLength", "10")]
    [InlineData("FlowLens:Ingestion:MaxObjectBytes", "0")]
    [InlineData("FlowLens:Ingestion:MaxParquetRowGroupRows", "-1")]
    [InlineData("FlowLens:Ingestion:StringCacheSize", "5")]
    public async Task ALimitOutOfItsRange_StopsTheStart_NamingIt(string key, string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await postgres.StartAppAsync(b => b.UseSetting(key, value));
            app.CreateClient(null).Dispose();
        });
        Assert.Contains(key.Split(':')[^1], error.ToString());
    }

    public void Dispose() => _folder.Dispose();
}
