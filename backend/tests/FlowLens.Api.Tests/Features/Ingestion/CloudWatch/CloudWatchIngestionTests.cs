using System.Net.Http.Json;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Sources;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Synthetic;

namespace FlowLens.Api.Tests.Features.Ingestion.CloudWatch;

/// <summary>A cloudwatch source read through the real client from the protocol server, into real PostgreSQL.</summary>
[Slow]
public sealed class CloudWatchIngestionTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Group = "/vpc/flow-logs";
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private CloudWatchLogsServer _server = null!;
    private readonly SyntheticFlows _flows = new(seed: 41);
    private readonly List<FlowRecord> _records = [];

    public async ValueTask InitializeAsync() => _server = await CloudWatchLogsServer.StartAsync();

    /// <summary>Flow log events for an ENI's stream, as VPC Flow Logs publishes them: v2 default lines, no header.</summary>
    private void Publish(string stream, int count, DateTimeOffset around)
    {
        var records = Enumerable.Range(0, count).Select(i => _flows.Next(around.AddSeconds(i))).ToList();
        _records.AddRange(records);
        _server.Add(Group, stream, records.Select(r => (r.Start!.Value, FlowLogText.Line(r, FlowLogFormat.Default))));
    }

    private async Task<long> CreateSourceAsync(FlowLensApp app, string group = Group, string? logFormat = null) =>
        (await (await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name = "cloudwatch " + group,
            kind = "cloudwatch",
            enabled = false,
            cloudWatch = new { logGroupName = group, region = CloudWatchLogsServer.Region, serviceUrl = _server.Url, lookbackMinutes = 20, startTime = Now.AddHours(-3), logFormat },
        })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<SourcesApi.SourceResponse>())!.Id;

    // Quick requests to the test server; the default keeps to CloudWatch's quota.
    private Task<FlowLensApp> StartAppAsync() => postgres.StartAppAsync(b => b.UseSetting("FlowLens:Sources:CloudWatchRequestsPerSecond", "500"));

    private static Task SyncAsync(FlowLensApp app, long id) => app.RunJobAsync<SyncJob>(job => job.RunAsync(id, true, CancellationToken.None));

    private static Task<List<string>> StoredAsync(FlowLensApp app) => Sql.ColumnAsync<string>(app.ConnectionString,
        "select host(srcaddr) || ':' || srcport || ' ' || host(dstaddr) || ':' || dstport || ' ' || extract(epoch from start)::bigint from flows where log_status = 1 order by 1");

    private List<string> Expected() => _records.Where(r => r.LogStatus == LogStatus.Ok)
        .Select(r => $"{r.SrcAddr}:{r.SrcPort} {r.DstAddr}:{r.DstPort} {r.Start!.Value.ToUnixTimeSeconds()}").Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task Sync_StoresEveryEventOnce_PastEmptyPagesAndThrottling_AndASecondSyncAddsNone()
    {
        Publish("eni-0a1b2c3d4e5f60001-all", 40, Now.AddMinutes(-50));
        Publish("eni-0a1b2c3d4e5f60002-all", 25, Now.AddMinutes(-40));
        Publish("eni-0a1b2c3d4e5f60003-all", 30, Now.AddMinutes(-30));
        await using var app = await StartAppAsync();
        var id = await CreateSourceAsync(app);

        await SyncAsync(app, id);
        await SyncAsync(app, id);

        Assert.Equal(95L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(Expected(), await StoredAsync(app), StringComparer.Ordinal);
        Assert.Equal(0L, await app.RollupMismatchesAsync());
        Assert.True(_server.Throttled > 0, "the server throttled no request");
        Assert.Empty(_server.SignatureFailures);

        var source = await app.GetSourceAsync(id);
        Assert.Equal("idle", source.Status.State);
        Assert.Null(source.Status.LastError);
        Assert.Equal(95L, source.Status.RecordsIngested);
        // The ledger lists the streams, each with what was read of it.
        var objects = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<SourcesApi.ObjectPage>($"/api/sources/{id}/objects", TestContext.Current.CancellationToken);
        Assert.Equal([25L, 30L, 40L], objects!.Items.OrderBy(o => o.Key).Select(o => o.Records).Order());
        Assert.All(objects.Items, o => Assert.StartsWith("eni-0a1b2c3d4e5f6000", o.Key));
    }

    [Fact]
    public async Task LateEvents_WithinTheLookBack_AreStoredOnce_OnTheNextSync()
    {
        Publish("eni-late-all", 30, Now.AddMinutes(-30));
        await using var app = await StartAppAsync();
        var id = await CreateSourceAsync(app);
        await SyncAsync(app, id);
        Assert.Equal(30L, await app.ScalarAsync<long>("select count(*) from flows"));

        // Delivered after the first sync, with times a few minutes before the newest event already read.
        Publish("eni-late-all", 12, Now.AddMinutes(-36));
        Publish("eni-other-all", 5, Now.AddMinutes(-33));
        await SyncAsync(app, id);
        await SyncAsync(app, id);

        Assert.Equal(47L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(Expected(), await StoredAsync(app), StringComparer.Ordinal);
        // The remembered event ids reach back no further than the look-back window behind the checkpoint.
        Assert.Equal(0L, await app.ScalarAsync<long>(
            "select count(*) from cloudwatch_events e join sources s on s.id = e.source_id where e.event_time < s.checkpoint::bigint - 20 * 60000"));
    }

    [Fact]
    public async Task TwoWorkers_SyncingAtOnce_StoreEachEventOnce()
    {
        Publish("eni-race-1-all", 60, Now.AddMinutes(-45));
        Publish("eni-race-2-all", 60, Now.AddMinutes(-44));
        await using var app = await StartAppAsync();
        var id = await CreateSourceAsync(app);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => SyncAsync(app, id), TestContext.Current.CancellationToken)));

        // Every run succeeded (none was stopped by the event-id key), and stored each event once.
        var source = await app.GetSourceAsync(id);
        Assert.Equal(("idle", null), (source.Status.State, source.Status.LastError));
        Assert.Equal(120L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(Expected(), await StoredAsync(app), StringComparer.Ordinal);
        Assert.Equal(0L, await app.RollupMismatchesAsync());
    }

    [Fact]
    public async Task MalformedEvents_AreCountedPerStream_AndAMissingGroupFailsTheRunClearly()
    {
        Publish("eni-bad-all", 5, Now.AddMinutes(-20));
        _server.Add(Group, "eni-bad-all", [(Now.AddMinutes(-19), "2 123456789010 eni-bad 10.0.0.1 10.0.0.2 notaport 80 6 1 40 1 2 ACCEPT OK")]);
        await using var app = await StartAppAsync();
        var id = await CreateSourceAsync(app);
        await SyncAsync(app, id);

        var objects = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<SourcesApi.ObjectPage>($"/api/sources/{id}/objects", TestContext.Current.CancellationToken);
        var stream = Assert.Single(objects!.Items);
        Assert.Equal((5L, 1L), (stream.Records, stream.RejectedLines));
        Assert.Contains("srcport", Assert.Single(stream.SampleErrors).Field ?? "");

        var missing = await CreateSourceAsync(app, group: "/no/such/group");
        await SyncAsync(app, missing);
        var failed = await app.GetSourceAsync(missing);
        Assert.Equal("failed", failed.Status.State);
        Assert.Contains("ResourceNotFoundException", failed.Status.LastError);
    }

    [Fact]
    public async Task ACustomLogFormat_IsReadAsConfigured()
    {
        var format = FlowLogFormat.Parse("${version} ${vpc-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${pkt-dst-aws-service}");
        var records = Enumerable.Range(0, 20).Select(i => _flows.Next(Now.AddMinutes(-15).AddSeconds(i))).ToList();
        _server.Add(Group, "eni-custom-all", records.Select(r => (r.Start!.Value, FlowLogText.Line(r, format))));
        await using var app = await StartAppAsync();
        await SyncAsync(app, await CreateSourceAsync(app, logFormat: format.ToString()));

        Assert.Equal(records.Select(r => r.VpcId).Order(StringComparer.Ordinal), (await Sql.ColumnAsync<string>(app.ConnectionString,
            "select s.value from flows f join flow_strings s on s.id = f.vpc_id")).Order(StringComparer.Ordinal));
        Assert.Equal(records.Count(r => r.PktDstAwsService is not null), await app.ScalarAsync<long>("select count(*) from flows where pkt_dst_aws_service is not null"));
    }

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();
}
