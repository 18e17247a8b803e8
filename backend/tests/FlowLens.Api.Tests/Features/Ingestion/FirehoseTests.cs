using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Ingestion.Firehose;
using FlowLens.Api.Features.Sources;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Ingestion;

/// <summary>
/// <c>POST /api/ingest/firehose</c> as Amazon Data Firehose calls it (its HTTP endpoint delivery request and response
/// format, docs.aws.amazon.com/firehose/latest/dev/httpdeliveryrequestresponse.html): gzip bodies of base64 records,
/// the request id in a header and in the body, retries with the same request id, and callers without the key.
/// </summary>
[Slow]
public sealed class FirehoseTests(PostgresFixture postgres)
{
    // A flow log published to Firehose has no header line: the source says its format.
    private const string Format = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} " +
        "${start} ${end} ${action} ${log-status} ${vpc-id} ${flow-direction} ${traffic-path}";

    private static readonly long Start = DateTimeOffset.UtcNow.AddMinutes(-30).ToUnixTimeSeconds();

    private static string Line(int i) =>
        $"5 123456789010 eni-0a1b2c3d{i % 3} 198.51.100.{i % 250 + 1} 10.0.1.{i % 5 + 10} {40000 + i} 443 6 {i + 1} {100 * (i + 1)} {Start} {Start + 60} " +
        $"{(i % 4 == 0 ? "REJECT" : "ACCEPT")} OK vpc-0f1e2d3c ingress 8";

    private static byte[] Text(params int[] lines) => Encoding.UTF8.GetBytes(string.Join("\n", lines.Select(Line)));

    private static string Body(string requestId, params byte[][] records) =>
        JsonSerializer.Serialize(new { requestId, timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), records = records.Select(r => new { data = Convert.ToBase64String(r) }) });

    /// <summary>A CloudWatch Logs subscription's message, as Firehose receives it from a log group's subscription filter (gzip JSON).</summary>
    private static byte[] CloudWatchMessage(params int[] lines) => Gzip(JsonSerializer.SerializeToUtf8Bytes(new
    {
        messageType = "DATA_MESSAGE",
        owner = "123456789010",
        logGroup = "/vpc/flow-logs",
        logStream = "eni-0a1b2c3d0-all",
        subscriptionFilters = new[] { "to-firehose" },
        logEvents = lines.Select(i => new { id = $"3719519539000000000000{i}", timestamp = Start * 1000, message = Line(i) }),
    }));

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>A request as Firehose sends it (gzip when asked), and its answer's status and Firehose JSON.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Answer)> PostAsync(FlowLensApp app, string? key, string? requestId, string body, bool gzip = true,
        string? encoding = null)
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, FirehoseApi.Path);
        var bytes = Encoding.UTF8.GetBytes(body);
        request.Content = new ByteArrayContent(gzip ? Gzip(bytes) : bytes);
        request.Content.Headers.ContentType = new("application/json");
        if (gzip || encoding is not null)
        {
            request.Content.Headers.ContentEncoding.Add(encoding ?? "gzip");
        }
        request.Headers.Add("X-Amz-Firehose-Protocol-Version", "1.0");
        request.Headers.Add("X-Amz-Firehose-Source-Arn", "arn:aws:firehose:us-east-1:123456789010:deliverystream/flow-logs");
        if (requestId is not null)
        {
            request.Headers.Add(FirehoseApi.RequestIdHeader, requestId);
        }
        if (key is not null)
        {
            request.Headers.Add(FirehoseApi.AccessKeyHeader, key);
        }
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True("application/json" == response.Content.Headers.ContentType?.MediaType, $"{(int)response.StatusCode}: {text}");
        var answer = JsonDocument.Parse(text).RootElement.Clone();
        Assert.Equal(requestId ?? "", answer.GetProperty("requestId").GetString());
        Assert.InRange(answer.GetProperty("timestamp").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return (response.StatusCode, answer);
    }

    private static string? ErrorOf(JsonElement answer) => answer.TryGetProperty("errorMessage", out var e) ? e.GetString() : null;

    private static async Task<(long Id, string Key)> CreateSourceAsync(FlowLensApp app, string name = "stream", string? accessKey = null)
    {
        using var admin = app.CreateClient(FlowLensApp.AdminKey);
        var response = await admin.PostAsJsonAsync("/api/sources", new SourceRequest(name, SourceKinds.Firehose, null, null, null, null,
            Firehose: new FirehoseSettings { LogFormat = Format, AccessKey = accessKey }), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<SourcesApi.SourceResponse>(TestContext.Current.CancellationToken))!;
        return (created.Id, accessKey ?? created.Firehose!.AccessKey!);
    }

    private static Task<long> FlowsAsync(FlowLensApp app, long sourceId) => app.ScalarAsync<long>("select count(*) from flows where source_id = $1", (int)sourceId);

    private static async Task<SourcesApi.ObjectResponse> LedgerRowAsync(FlowLensApp app, long sourceId, string requestId)
    {
        var page = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<SourcesApi.ObjectPage>($"/api/sources/{sourceId}/objects", TestContext.Current.CancellationToken);
        return Assert.Single(page!.Items, o => o.Key == requestId);
    }

    [Fact]
    public async Task EachRequestIsStoredOnce_ByItsRequestId_WithItsFieldsAndItsBadLines()
    {
        await using var app = await postgres.StartAppAsync();
        var (sourceId, key) = await CreateSourceAsync(app);
        Assert.StartsWith("flfh_", key);

        // Records as VPC Flow Logs publish them to Firehose (one line, or several), one from a CloudWatch Logs
        // subscription, and a line that is not a flow log.
        var body = Body("a1b2c3d4-0001", Text(0), Text(1, 2), CloudWatchMessage(3, 4), Encoding.UTF8.GetBytes("not a flow log line\n"));
        var (status, answer) = await PostAsync(app, key, "a1b2c3d4-0001", body);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Null(ErrorOf(answer));
        Assert.Equal(5, await FlowsAsync(app, sourceId));
        var row = await LedgerRowAsync(app, sourceId, "a1b2c3d4-0001");
        Assert.Equal((ObjectStates.Ingested, FirehoseIngestion.ETag, 5L, 1L), (row.State, row.ETag, row.Records, row.RejectedLines));
        Assert.Equal((6L, "expected 17 fields, found 5"), (row.SampleErrors.Single().Line, row.SampleErrors.Single().Reason));
        // Every field of the source's format, as sent.
        Assert.Equal("5 123456789010 198.51.100.3 10.0.1.12 40002 443 6 3 300 ACCEPT vpc-0f1e2d3c ingress 8", await app.ScalarAsync<string>("""
            select concat_ws(' ', version, (select value from flow_strings where id = account_id), host(srcaddr), host(dstaddr), srcport, dstport,
                protocol, packets, bytes, case action when 1 then 'ACCEPT' when 2 then 'REJECT' end, (select value from flow_strings where id = vpc_id),
                case flow_direction when 1 then 'ingress' when 2 then 'egress' end, traffic_path)
            from flows where source_id = $1 and srcport = 40002
            """, (int)sourceId));

        // Firehose's retry of the same request: answered 200, nothing stored again.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, key, "a1b2c3d4-0001", body)).Status);
        Assert.Equal(5, await FlowsAsync(app, sourceId));

        // Two deliveries of one request at once (a retry after a timeout while the first still loads): stored once.
        var second = Body("a1b2c3d4-0002", Text(Enumerable.Range(10, 2000).ToArray()));
        var both = await Task.WhenAll(PostAsync(app, key, "a1b2c3d4-0002", second), PostAsync(app, key, "a1b2c3d4-0002", second, gzip: false));
        Assert.All(both, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal(2005, await FlowsAsync(app, sourceId));

        var source = await app.GetSourceAsync(sourceId);
        Assert.Equal((2L, 2005L, 1L, (string?)null), (source.Status.ObjectsIngested, source.Status.RecordsIngested, source.Status.RecordsRejected, source.Status.LastError));
        Assert.NotNull(source.Status.LastRunFinishedAt);
        await app.RunJobAsync<RollupCompactionJob>(job => job.RunAsync(CancellationToken.None));
        Assert.Equal(0, await app.RollupMismatchesAsync());
    }

    [Fact]
    public async Task CallersWithoutTheSourcesKey_Get401_AndStoreNothing()
    {
        await using var app = await postgres.StartAppAsync();
        var (sourceId, key) = await CreateSourceAsync(app);
        var (_, otherKey) = await CreateSourceAsync(app, "other");
        var viewerKey = await app.CreateApiKeyAsync("viewer");
        var body = Body("r-1", Text(0));

        foreach (var wrong in new[] { null, "", key[..^1], key + "x", key.ToUpperInvariant(), FlowLensApp.AdminKey, viewerKey })
        {
            var (status, answer) = await PostAsync(app, wrong, "r-1", body);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Contains("X-Amz-Firehose-Access-Key", ErrorOf(answer));
        }
        // The admin's API key in its own header does not stand in for the stream's key.
        using (var admin = app.CreateClient(FlowLensApp.AdminKey))
        {
            var response = await admin.PostAsync(FirehoseApi.Path, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        Assert.Equal(0, await app.ScalarAsync<long>("select count(*) from source_objects"));

        // The other source's key stores into the other source only.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, otherKey, "r-1", body)).Status);
        Assert.Equal(0, await FlowsAsync(app, sourceId));
    }

    [Fact]
    public async Task OversizedBodies_Get413_WithTheirReasonInTheLedger_AndStoreNothing()
    {
        await using var app = await postgres.StartAppAsync(web => web.UseSetting("FlowLens:Ingestion:FirehoseMaxRequestBytes", "1048576"));
        var (sourceId, key) = await CreateSourceAsync(app);

        // More than the limit as sent.
        var large = Body("big-1", Text([.. Enumerable.Range(0, 12_000)]));
        var (status, answer) = await PostAsync(app, key, "big-1", large, gzip: false);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("FirehoseMaxRequestBytes", ErrorOf(answer));

        // Within it as sent (gzip), past it once decompressed: a gzip bomb is cut off at the limit.
        var bomb = $$"""{"requestId":"big-2","records":[{"data":"{{new string('A', 3 << 20)}}"}]}""";
        (status, answer) = await PostAsync(app, key, "big-2", bomb);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("the request body is more than 1048576 bytes (limit FlowLens:Ingestion:FirehoseMaxRequestBytes); make the stream's buffer size smaller", ErrorOf(answer));

        Assert.Equal(0, await FlowsAsync(app, sourceId));
        Assert.Equal(ObjectStates.Failed, (await LedgerRowAsync(app, sourceId, "big-1")).State);
        Assert.Contains("more than 1048576", (await LedgerRowAsync(app, sourceId, "big-2")).Error);
        Assert.StartsWith("Firehose request big-2: ", (await app.GetSourceAsync(sourceId)).Status.LastError);
    }

    [Fact]
    public async Task UnreadableRequests_Get400_WithTheirReason_AndARetryThatReadsIsStored()
    {
        await using var app = await postgres.StartAppAsync();
        var (sourceId, key) = await CreateSourceAsync(app);

        var corrupt = Body("c-1", Text(0)).Replace("\"data\":\"", "\"data\":\"!!");
        var (status, answer) = await PostAsync(app, key, "c-1", corrupt);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("record 1: data is not base64", ErrorOf(answer));
        var row = await LedgerRowAsync(app, sourceId, "c-1");
        Assert.Equal((ObjectStates.Failed, "record 1: data is not base64"), (row.State, row.Error));
        Assert.Equal("Firehose request c-1: record 1: data is not base64", (await app.GetSourceAsync(sourceId)).Status.LastError);

        // A body cut short in its gzip, one of another request, no request id, another encoding.
        var cut = Gzip(Encoding.UTF8.GetBytes(Body("c-2", Text(0, 1))));
        using (var client = app.CreateClient())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, FirehoseApi.Path) { Content = new ByteArrayContent(cut[..(cut.Length / 2)]) };
            request.Content.Headers.ContentType = new("application/json");
            request.Content.Headers.ContentEncoding.Add("gzip");
            request.Headers.Add(FirehoseApi.AccessKeyHeader, key);
            request.Headers.Add(FirehoseApi.RequestIdHeader, "c-2");
            var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        (status, answer) = await PostAsync(app, key, "c-3", Body("c-9", Text(0)));
        Assert.Equal((HttpStatusCode.BadRequest, "the body's requestId is not the X-Amz-Firehose-Request-Id header's"), (status, ErrorOf(answer)));
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(app, key, null, Body("c-4", Text(0)))).Status);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostAsync(app, key, "c-5", Body("c-5", Text(0)), gzip: false, encoding: "br")).Status);
        Assert.Equal(0, await FlowsAsync(app, sourceId));

        // Firehose sends the request again with the same id: read this time, stored, and the source is well again.
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, key, "c-1", Body("c-1", Text(0, 1)))).Status);
        row = await LedgerRowAsync(app, sourceId, "c-1");
        Assert.Equal((ObjectStates.Ingested, (string?)null, 2L), (row.State, row.Error, row.Records));
        Assert.Null((await app.GetSourceAsync(sourceId)).Status.LastError);
    }

    [Fact]
    public async Task Settings_KeysAreWriteOnly_Unique_AndReplaceable_AndAFirehoseSourceIsNeitherSyncedNorRetried()
    {
        await using var app = await postgres.StartAppAsync();
        using var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        SourceRequest Request(string name, FirehoseSettings? firehose) => new(name, SourceKinds.Firehose, null, null, null, null, Firehose: firehose);

        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/sources", Request("a", null), ct), "firehose");
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/sources", Request("a", new() { AccessKey = "short" }), ct), "firehose.accessKey");
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/sources", Request("a", new() { LogFormat = "${version} ${version}" }), ct), "firehose.logFormat");

        var chosen = "a-key-of-our-own-that-is-long-enough-0123456789";
        var (sourceId, _) = await CreateSourceAsync(app, "chosen", chosen);
        await ProblemAssert.IsProblemAsync(await admin.PostAsJsonAsync("/api/sources", Request("twin", new() { AccessKey = chosen }), ct), HttpStatusCode.Conflict);

        // Nobody reads the key back; its first characters tell keys apart.
        var viewer = app.CreateClient(await app.CreateApiKeyAsync("viewer"));
        foreach (var client in new[] { admin, viewer })
        {
            var shown = (await client.GetFromJsonAsync<SourcesApi.SourceResponse>($"/api/sources/{sourceId}", ct))!.Firehose!;
            Assert.Equal((null, chosen[..8], Format), (shown.AccessKey, shown.AccessKeyPrefix, shown.LogFormat));
            Assert.DoesNotContain(chosen, await client.GetStringAsync("/api/sources", ct));
        }

        // An update without a key keeps it; one with a key replaces it.
        var updated = await admin.PutAsJsonAsync($"/api/sources/{sourceId}", Request("chosen", new() { LogFormat = Format }), ct);
        Assert.Null((await updated.Content.ReadFromJsonAsync<SourcesApi.SourceResponse>(ct))!.Firehose!.AccessKey);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, chosen, "k-1", Body("k-1", Text(0)))).Status);
        var replacement = new string('z', 40);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/sources/{sourceId}", Request("chosen", new() { LogFormat = Format, AccessKey = replacement }), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(app, chosen, "k-2", Body("k-2", Text(0)))).Status);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(app, replacement, "k-2", Body("k-2", Text(0)))).Status);

        // Disabled: refused with 503 (Firehose retries, then keeps it in its backup bucket).
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/sources/{sourceId}",
            Request("chosen", new() { LogFormat = Format }) with { Enabled = false }, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostAsync(app, replacement, "k-3", Body("k-3", Text(0)))).Status);

        await ProblemAssert.IsProblemAsync(await admin.PostAsync($"/api/sources/{sourceId}/sync", null, ct), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await admin.PostAsync($"/api/sources/{sourceId}/objects/retry", null, ct), HttpStatusCode.Conflict);
        Assert.Equal("disabled", (await app.GetSourceAsync(sourceId)).Status.Inventory.State);
    }
}
