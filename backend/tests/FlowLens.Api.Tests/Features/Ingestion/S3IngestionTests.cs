using System.Net.Http.Json;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Sources;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Ingestion;

[Slow]
public sealed class S3IngestionTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();

    [Fact]
    public async Task S3Source_StoresTheSameRowsAsADirectorySource_OverTheSameObjects_AndASecondSyncAddsNone()
    {
        _folder.WriteDay(files: 5, recordsPerFile: 400, seed: 11);
        await using var s3 = await S3Server.StartAsync();
        await s3.UploadFolderAsync(_folder.Root);
        await using var app = await postgres.StartAppAsync(_folder.Allow);

        var directoryId = await _folder.CreateSourceAsync(app, "folder");
        var created = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name = "bucket", kind = "s3",
            s3 = new { bucket = s3.Bucket, prefix = "AWSLogs/", region = "us-east-1", serviceUrl = s3.Url, forcePathStyle = true },
        }, TestContext.Current.CancellationToken);
        var s3Id = (await created.Content.ReadFromJsonAsync<SourcesApi.SourceResponse>(TestContext.Current.CancellationToken))!.Id;

        await app.IngestAsync(directoryId);
        await app.IngestAsync(s3Id);
        var status = (await app.GetSourceAsync(s3Id)).Status;
        Assert.True(await CountAsync(app, s3Id) == 2000L, $"{status}\n{await app.ScalarAsync<string>("select string_agg(coalesce(error, state), '; ') from source_objects where source_id = $1", s3Id)}\n{s3.Log}");
        Assert.Equal(2000L, await CountAsync(app, directoryId));
        Assert.Equal(0L, await DifferenceAsync(app, directoryId, s3Id));
        Assert.Equal(0L, await DifferenceAsync(app, s3Id, directoryId));

        var source = await app.GetSourceAsync(s3Id);
        Assert.Equal((5L, 2000L, (string?)null), (source.Status.ObjectsIngested, source.Status.RecordsIngested, source.Status.LastError));

        // The checkpoint trails the newest day by one: the next run lists from there, and finds nothing new.
        var checkpoint = await app.ScalarAsync<string>("select checkpoint from sources where id = $1", s3Id);
        Assert.Equal(DateTimeOffset.UtcNow.Date.AddDays(-2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), checkpoint);
        await app.IngestAsync(s3Id);
        Assert.Equal(2000L, await CountAsync(app, s3Id));
    }

    [Fact]
    public async Task MissingBucket_FailsTheRun_WithAClearError()
    {
        await using var s3 = await S3Server.StartAsync();
        await using var app = await postgres.StartAppAsync();
        var created = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name = "nowhere", kind = "s3", s3 = new { bucket = "no-such-bucket", region = "us-east-1", serviceUrl = s3.Url, forcePathStyle = true },
        }, TestContext.Current.CancellationToken);
        var id = (await created.Content.ReadFromJsonAsync<SourcesApi.SourceResponse>(TestContext.Current.CancellationToken))!.Id;
        await app.IngestAsync(id);

        var source = await app.GetSourceAsync(id);
        Assert.Equal(SourceStates.Failed, source.Status.State);
        Assert.Contains("bucket", source.Status.LastError, StringComparison.OrdinalIgnoreCase);
    }

    private static Task<long> CountAsync(FlowLensApp app, long sourceId) =>
        app.ScalarAsync<long>("select count(*) from flows where source_id = $1", (int)sourceId);

    /// <summary>Rows of one source that the other lacks, comparing every field (not the source or object ids).</summary>
    private static Task<long> DifferenceAsync(FlowLensApp app, long a, long b)
    {
        const string fields = "packets, bytes, start, \"end\", account_id, interface_id, srcport, dstport, vpc_id, subnet_id, instance_id, " +
            "region, az_id, pkt_src_aws_service, pkt_dst_aws_service, version, protocol, action, log_status, tcp_flags, type, " +
            "flow_direction, traffic_path, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr";
        return app.ScalarAsync<long>($"select count(*) from (select {fields} from flows where source_id = $1 except all select {fields} from flows where source_id = $2) d", (int)a, (int)b);
    }

    public void Dispose() => _folder.Dispose();
}
