using System.IO.Compression;
using System.Net.Http.Json;
using System.Text;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Sources;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Api.Tests.Features.Ingestion;

public sealed class DirectoryIngestionTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();

    private const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

    [Fact]
    public async Task Sync_StoresEveryRecordOnce_AndASecondSyncAddsNone()
    {
        _folder.WriteDay(files: 6, recordsPerFile: 500);
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);

        await app.IngestAsync(sourceId);
        Assert.Equal(3000L, await app.ScalarAsync<long>("select count(*) from flows where source_id = $1", (int)sourceId));
        var bytes = await app.ScalarAsync<decimal>("select sum(bytes) from flows");

        await app.IngestAsync(sourceId);
        Assert.Equal(3000L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(bytes, await app.ScalarAsync<decimal>("select sum(bytes) from flows"));

        var source = await app.GetSourceAsync(sourceId);
        Assert.Equal(SourceStates.Idle, source.Status.State);
        Assert.Equal(6, source.Status.ObjectsIngested);
        Assert.Equal(3000, source.Status.RecordsIngested);
        Assert.Equal(0, source.Status.RecordsRejected);
        Assert.NotNull(source.Status.LastRunFinishedAt);
        Assert.True(source.Status.NewestRecordAt > DateTimeOffset.UtcNow.AddDays(-2));
    }

    [Fact]
    public async Task StoredRows_CarryEveryFieldOfTheRecords()
    {
        // The conformance samples, from 2014 to 2019: their days have no partition, so they wait in flows_default.
        var samples = Path.Combine(AppContext.BaseDirectory, "testdata", "flowlogs");
        _folder.WriteGzip("a/tcp-flag-sequence.log.gz", await File.ReadAllTextAsync(Path.Combine(samples, "tcp-flag-sequence.log"), TestContext.Current.CancellationToken));
        _folder.WriteGzip("a/custom-nat-gateway.log.gz", await File.ReadAllTextAsync(Path.Combine(samples, "custom-nat-gateway.log"), TestContext.Current.CancellationToken));
        var v5 = "version vpc-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path region az-id srcaddr dstaddr type reject-reason ecs-task-id\n" +
                 "8 vpc-1 AMAZON S3 egress 8 eu-west-1 euw1-az1 2001:db8::5 52.95.1.1 IPv6 BPA 0a1b\n";
        _folder.WriteGzip("b/v8.log.gz", v5);
        // A Transit Gateway flow log in AWS's default format (elastic/integrations' fixture, testdata/flowlogs/transit-gateway).
        _folder.WriteGzip("c/tgw.log.gz", FlowLogText.Header(FlowLogFormat.TransitGatewayDefault) + "\n" +
            "6 TransitGateway 748335378900 tgw-0a12bc34de56f7890 tgw-attach-0456efgh - - vpc-0abc1234 vpc-0ghi9012 - - eni-0ee5f66aa7bcc89d0 " +
            "eni-0aa1bb2cc3dd4ee5f - - - 175.16.199.0 67.43.156.0 56846 80 17 45 9771 1755592543 1755592598 OK IPv4 0 3 1 0 18 us-east-1 ingress - -\n");
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        await app.IngestAsync(await _folder.CreateSourceAsync(app));

        var expected = new List<string>();
        foreach (var file in Directory.GetFiles(_folder.Root, "*.gz", SearchOption.AllDirectories).Order())
        {
            await using var reader = FlowLogFiles.Open(File.OpenRead(file), file);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken) == FlowReadResult.Record)
            {
                expected.Add(string.Join(' ', FlowFields.All.Select(f => FlowLogText.Value(reader.Record, f.Field))));
            }
        }
        var stored = await StoredRowsAsAwsTextAsync(app);
        Assert.Equal(expected.Order(), stored.Order());
        Assert.Equal(5, stored.Count);
    }

    [Fact]
    public async Task FieldsOfALaterVersion_AreStoredAsJson_WithTheirNames()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
        _folder.WriteGzip("a/v9.log.gz", "version srcaddr start future-field another-field\n" +
                                         $"9 10.0.0.1 {start} \"quoted\"é -\n");
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        await app.IngestAsync(await _folder.CreateSourceAsync(app));

        Assert.Equal("{\"future-field\": \"\\\"quoted\\\"é\", \"another-field\": null}", await app.ScalarAsync<string>("select extras::text from flows"));
    }

    [Fact]
    public async Task ParquetObject_IsIngestedLikeText()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-5).ToUnixTimeSeconds();
        var schema = new Parquet.Schema.ParquetSchema(
            new Parquet.Schema.DataField<int?>("version"), new Parquet.Schema.DataField<string>("interface_id"),
            new Parquet.Schema.DataField<string>("srcaddr"), new Parquet.Schema.DataField<int?>("dstport"),
            new Parquet.Schema.DataField<long?>("bytes"), new Parquet.Schema.DataField<long?>("start"),
            new Parquet.Schema.DataField<string>("action"), new Parquet.Schema.DataField<string>("log_status"));
        var path = Path.Combine(_folder.Root, "p", "flows.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var file = File.Create(path))
        await using (var writer = await Parquet.ParquetWriter.CreateAsync(schema, file, cancellationToken: TestContext.Current.CancellationToken))
        {
            using var group = writer.CreateRowGroup();
            var f = schema.DataFields;
            await group.WriteAsync<int>(f[0], new int?[] { 5, 5, 5 });
            await group.WriteAsync(f[1], ["eni-a", "eni-b", "eni-a"]);
            await group.WriteAsync(f[2], ["10.0.0.1", "2001:db8::9", "10.0.0.3"]);
            await group.WriteAsync<int>(f[3], new int?[] { 22, 443, null });
            await group.WriteAsync<long>(f[4], new long?[] { 100, 200, 300 });
            await group.WriteAsync<long>(f[5], new long?[] { start, start, start });
            await group.WriteAsync(f[6], ["REJECT", "ACCEPT", "ACCEPT"]);
            await group.WriteAsync(f[7], ["OK", "OK", "OK"]);
        }
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        await app.IngestAsync(await _folder.CreateSourceAsync(app));

        Assert.Equal(600m, await app.ScalarAsync<decimal>("select sum(bytes) from flows"));
        Assert.Equal("10.0.0.1 22 REJECT", await app.ScalarAsync<string>(
            "select host(srcaddr) || ' ' || dstport || ' ' || case action when 2 then 'REJECT' else 'ACCEPT' end from flows where bytes = 100"));
        Assert.Equal(1L, await app.ScalarAsync<long>("select count(*) from flows where family(srcaddr) = 6"));
    }

    [Fact]
    public async Task MalformedLines_AreCountedPerObject_WithSamples()
    {
        _folder.WriteGzip("x/mixed.log.gz", $"{Header}\n" +
            "2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 49152 6 10 840 1418530010 1418530070 ACCEPT OK\n" +
            "2 123456789010 eni-1 10.0.0.1 10.0.0.999 443 49152 6 10 840 1418530010 1418530070 ACCEPT OK\n" +
            "garbage\n" +
            "2 123456789010 eni-1 10.0.0.3 10.0.0.2 443 49152 6 10 840 1418530010 1418530070 REJECT OK\n");
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);

        var page = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<SourcesApi.ObjectPage>(
            $"/api/sources/{sourceId}/objects", TestContext.Current.CancellationToken);
        var item = Assert.Single(page!.Items);
        Assert.Equal((ObjectStates.Ingested, 2L, 2L), (item.State, item.Records, item.RejectedLines));
        Assert.Equal(
            [(3L, "dstaddr", "'10.0.0.999' is not an IPv4 or IPv6 address"), (4L, (string?)null, "expected 14 fields, found 1")],
            item.SampleErrors.Select(e => (e.Line, e.Field, e.Reason)));
        Assert.Equal(2L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(2, (await app.GetSourceAsync(sourceId)).Status.RecordsRejected);
    }

    [Fact]
    public async Task TruncatedGzip_IsFailedWithItsReason_StoresNothing_AndTheOthersAreIngested()
    {
        _folder.WriteDay(files: 2, recordsPerFile: 300);
        var whole = new MemoryStream();
        using (var gzip = new GZipStream(whole, CompressionLevel.Fastest, leaveOpen: true))
        {
            var lines = Enumerable.Range(0, 3000).Select(i =>
                $"2 123456789010 eni-1 10.0.{i % 250}.1 10.1.0.2 {i} 443 6 10 840 {DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds()} {DateTimeOffset.UtcNow.AddHours(-3).ToUnixTimeSeconds() + 60} ACCEPT OK");
            gzip.Write(Encoding.UTF8.GetBytes(Header + "\n" + string.Join('\n', lines)));
        }
        _folder.WriteBytes("broken/cut.log.gz", whole.ToArray()[..(int)(whole.Length * 2 / 3)]);
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);

        var failed = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<SourcesApi.ObjectPage>(
            $"/api/sources/{sourceId}/objects?state=failed", TestContext.Current.CancellationToken);
        var item = Assert.Single(failed!.Items);
        Assert.Equal("broken/cut.log.gz", item.Key);
        Assert.Contains("truncated or corrupt", item.Error);
        Assert.Equal(600L, await app.ScalarAsync<long>("select count(*) from flows"));
        var source = await app.GetSourceAsync(sourceId);
        Assert.Equal((2L, 1L, SourceStates.Idle), (source.Status.ObjectsIngested, source.Status.ObjectsFailed, source.Status.State));

        // Retrying the same bad object fails it again; nothing half-stored either time.
        var retry = await app.CreateClient(FlowLensApp.AdminKey).PostAsync($"/api/sources/{sourceId}/objects/retry", null, TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, retry.StatusCode);
        await app.RunJobAsync<IngestObjectJob>(job => job.RunAsync(item.Id, CancellationToken.None));
        Assert.Equal(1, (await app.GetSourceAsync(sourceId)).Status.ObjectsFailed);
        Assert.Equal(600L, await app.ScalarAsync<long>("select count(*) from flows"));
    }

    private static DateTimeOffset HourOf(long unixSeconds) => new(FlowLens.Core.Stats.Rollups.BucketOf(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), TimeSpan.FromHours(1)));

    /// <summary>Writes <c>r/object.log.gz</c> with one record a source address (10.0.0.1 up); a new version is dated a minute on.</summary>
    private void WriteObject(long start, int records, bool newVersion = false)
    {
        _folder.WriteGzip("r/object.log.gz", Header + "\n" + string.Join('\n', Enumerable.Range(0, records).Select(i =>
            $"2 123456789010 eni-1 10.0.0.{i + 1} 10.1.0.2 {i} 443 6 10 840 {start} {start + 60} ACCEPT OK")));
        if (newVersion)
        {
            File.SetLastWriteTimeUtc(Path.Combine(_folder.Root, "r/object.log.gz"), DateTime.UtcNow.AddMinutes(1));
        }
    }

    [Fact]
    public async Task RewrittenObject_ReplacesItsOldRows()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
        WriteObject(start, records: 5);
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);
        Assert.Equal(5L, await app.ScalarAsync<long>("select count(*) from flows"));
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        Assert.Equal(0L, await app.RollupMismatchesAsync());

        WriteObject(start, records: 3, newVersion: true);
        await app.IngestAsync(sourceId);
        Assert.Equal(3L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal(1L, await app.ScalarAsync<long>("select count(*) from source_objects where state = 'replaced'"));
        // The old version's sums left the totals with its rows; its hour's merged summary cannot subtract, so the hour is
        // marked dirty (read from the raw flows) until the compaction rebuilds it without the two addresses it alone had.
        Assert.Equal(0L, await app.RollupMismatchesAsync());
        Assert.Equal(1L, await app.ScalarAsync<long>("select count(*) from flow_top_dirty"));
        var top = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<StatsApi.TopResponse>(
            $"/api/stats/top?{QueryData.Query(HourOf(start), HourOf(start).AddHours(1), ("by", "srcaddr"))}", TestContext.Current.CancellationToken);
        Assert.Equal(["10.0.0.1", "10.0.0.2", "10.0.0.3"], top!.Items.Select(i => i.Key).Order());
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        Assert.Equal(0L, await app.RollupMismatchesAsync());
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from flow_top_dirty"));
        Assert.Equal(3L, await app.ScalarAsync<long>("select cardinality(keys)::bigint from flow_top_1h where field = 1"));
        Assert.Equal(3L, await app.ScalarAsync<long>("select cardinality(keys)::bigint from flow_top_1d where field = 1"));
    }

    [Fact]
    public async Task RewrittenObject_NotMergedYet_TakesItsSummariesOut_WithoutARebuild()
    {
        var start = DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds();
        WriteObject(start, records: 5);
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);
        WriteObject(start, records: 3, newVersion: true);
        await app.IngestAsync(sourceId);
        // The old version's appended summaries went with its rows: nothing to rebuild.
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from flow_top_dirty"));
        Assert.Equal(4L, await app.ScalarAsync<long>("select count(*) from flow_top_appended"));
        Assert.Equal(0L, await app.RollupMismatchesAsync());
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        Assert.Equal(0L, await app.RollupMismatchesAsync());
        Assert.Equal(3L, await app.ScalarAsync<long>("select cardinality(keys)::bigint from flow_top_1h where field = 1"));
    }

    [Fact]
    public async Task TwoWorkers_OnTheSameObjectAtOnce_StoreItOnce()
    {
        _folder.WriteDay(files: 4, recordsPerFile: 2000);
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.RunJobAsync<SyncJob>(job => job.RunAsync(sourceId, false, CancellationToken.None));
        var ids = await ObjectIdsAsync(app, sourceId);

        // Every object ingested by three jobs racing each other.
        await Task.WhenAll(ids.SelectMany(id => Enumerable.Range(0, 3).Select(_ =>
            Task.Run(() => app.RunJobAsync<IngestObjectJob>(job => job.RunAsync(id, CancellationToken.None)), TestContext.Current.CancellationToken))));

        Assert.Equal(8000L, await app.ScalarAsync<long>("select count(*) from flows"));
        Assert.Equal([2000L, 2000L, 2000L, 2000L], await RowsPerObjectAsync(app));
        Assert.Equal(4L, await app.ScalarAsync<long>("select count(*) from source_objects where state = 'ingested'"));
        Assert.Equal(0L, await app.RollupMismatchesAsync());
        Assert.Equal(8000L, await app.ScalarAsync<long>("select sum(records)::bigint from flow_rollups_5m"));
    }

    [Fact]
    public async Task ScheduledRuns_QueueEachPendingObjectOnce_WhileARunAskedForQueuesThemAgain()
    {
        _folder.WriteDay(files: 3, recordsPerFile: 10);
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);
        const string queued = "select count(*) from hangfire.job where invocationdata::text like '%IngestObjectJob%'";

        // No worker runs here, so the objects stay pending between runs, as in a long backlog.
        await app.RunJobAsync<SyncJob>(job => job.RunAsync(sourceId, false, CancellationToken.None));
        await app.RunJobAsync<SyncJob>(job => job.RunAsync(sourceId, false, CancellationToken.None));
        Assert.Equal(3L, await app.ScalarAsync<long>(queued));

        await app.RunJobAsync<SyncJob>(job => job.RunAsync(sourceId, true, CancellationToken.None));
        Assert.Equal(6L, await app.ScalarAsync<long>(queued));

        // A job queued longer ago than SyncJob.StaleQueue was lost (a crashed node): a scheduled run queues it again.
        await app.ScalarAsync<int>("update source_objects set queued_at = now() - interval '31 minutes' where id = (select min(id) from source_objects) returning 1");
        await app.RunJobAsync<SyncJob>(job => job.RunAsync(sourceId, false, CancellationToken.None));
        Assert.Equal(7L, await app.ScalarAsync<long>(queued));
    }

    [Fact]
    public async Task Worker_RunsASyncAskedForThroughTheApi()
    {
        _folder.WriteDay(files: 3, recordsPerFile: 200);
        await using var app = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Jobs:Worker", "true");
        });
        var sourceId = await _folder.CreateSourceAsync(app);
        var client = app.CreateClient(FlowLensApp.AdminKey);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, (await client.PostAsync($"/api/sources/{sourceId}/sync", null, TestContext.Current.CancellationToken)).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        SourcesApi.SourceResponse source;
        do
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
            source = await app.GetSourceAsync(sourceId);
        }
        while ((source.Status.State != SourceStates.Idle || source.Status.LastRunFinishedAt is null) && DateTime.UtcNow < deadline);
        var jobs = await app.ScalarAsync<string>("select coalesce(string_agg(statename || ' ' || ((invocationdata::json)->>'Type'), ', '), 'none') from hangfire.job");
        Assert.True(source.Status.ObjectsIngested == 3, $"{source.Status} jobs: {jobs}");
        Assert.Equal(600, source.Status.RecordsIngested);
        Assert.Equal(600L, await app.ScalarAsync<long>("select count(*) from flows"));
    }

    private static Task<List<long>> RowsPerObjectAsync(FlowLensApp app) =>
        Sql.ColumnAsync<long>(app.ConnectionString, "select count(*) from flows group by object_id order by object_id");

    private static async Task<List<long>> ObjectIdsAsync(FlowLensApp app, long sourceId)
    {
        var page = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<SourcesApi.ObjectPage>($"/api/sources/{sourceId}/objects");
        return [.. page!.Items.Select(i => i.Id)];
    }

    /// <summary>Every stored row, its fields turned back into AWS's text through flow_strings, in FlowFields order.</summary>
    private static Task<List<string>> StoredRowsAsAwsTextAsync(FlowLensApp app)
    {
        string S(string column) => $"coalesce((select value from flow_strings where id = f.{column}), '-')";
        string N(string expression) => $"coalesce(({expression})::text, '-')";
        var columns = new[]
        {
            N("f.version"), S("account_id"), S("interface_id"), N("host(f.srcaddr)"), N("host(f.dstaddr)"), N("f.srcport"), N("f.dstport"),
            N("f.protocol"), N("f.packets"), N("f.bytes"), N("extract(epoch from f.start)::bigint"), N("extract(epoch from f.\"end\")::bigint"),
            N("case f.action when 1 then 'ACCEPT' when 2 then 'REJECT' end"),
            N("case f.log_status when 1 then 'OK' when 2 then 'NODATA' when 3 then 'SKIPDATA' end"),
            S("vpc_id"), S("subnet_id"), S("instance_id"), N("f.tcp_flags"),
            N("case f.type when 1 then 'IPv4' when 2 then 'IPv6' when 3 then 'EFA' end"),
            N("host(f.pkt_srcaddr)"), N("host(f.pkt_dstaddr)"), S("region"), S("az_id"), S("sublocation_type"), S("sublocation_id"),
            S("pkt_src_aws_service"), S("pkt_dst_aws_service"), N("case f.flow_direction when 1 then 'ingress' when 2 then 'egress' end"),
            N("f.traffic_path"), S("ecs_cluster_arn"), S("ecs_cluster_name"), S("ecs_container_instance_arn"), S("ecs_container_instance_id"),
            S("ecs_container_id"), S("ecs_second_container_id"), S("ecs_service_name"), S("ecs_task_definition_arn"), S("ecs_task_arn"),
            S("ecs_task_id"), S("reject_reason"),
            S("resource_type"), S("tgw_id"), S("tgw_attachment_id"), S("tgw_src_vpc_account_id"), S("tgw_dst_vpc_account_id"), S("tgw_src_vpc_id"),
            S("tgw_dst_vpc_id"), S("tgw_src_subnet_id"), S("tgw_dst_subnet_id"), S("tgw_src_eni"), S("tgw_dst_eni"), S("tgw_src_az_id"), S("tgw_dst_az_id"),
            S("tgw_pair_attachment_id"), N("f.packets_lost_no_route"), N("f.packets_lost_blackhole"), N("f.packets_lost_mtu_exceeded"),
            N("f.packets_lost_ttl_expired"),
        };
        Assert.Equal(FlowFields.All.Count, columns.Length);
        // JIT would compile sixty expressions for each of the ~35 partitions: far slower than running them on four rows.
        return Sql.ColumnAsync<string>(app.ConnectionString, $"set jit = off; select concat_ws(' ', {string.Join(", ", columns)}) from flows f");
    }

    public void Dispose() => _folder.Dispose();
}
