using System.Globalization;
using System.Text.Json;
using Amazon.Runtime;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Ingestion.CloudWatch;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Ingestion.CloudWatch;

public sealed class CloudWatchLogsClientTests : IAsyncLifetime
{
    private const string Group = "/vpc/flow-logs";
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private static readonly CloudWatchRetry FastRetry = new(MaxAttempts: 6, BaseDelay: TimeSpan.FromMilliseconds(5));
    private static readonly ListBudget Unlimited = new(int.MaxValue, TimeSpan.MaxValue);

    private CloudWatchLogsServer _server = null!;
    private readonly HttpClient _http = new();

    public async ValueTask InitializeAsync() => _server = await CloudWatchLogsServer.StartAsync();

    private CloudWatchLogsClient Client(AWSCredentials? credentials = null, double requestsPerSecond = 1000) =>
        new(_http, credentials ?? new BasicAWSCredentials(CloudWatchLogsServer.AccessKey, CloudWatchLogsServer.SecretKey),
            CloudWatchLogsServer.Region, new Uri(_server.Url), FastRetry, requestsPerSecond);

    private void AddEvents(string stream, int count, int offsetMinutes = 0) =>
        _server.Add(Group, stream, Enumerable.Range(0, count).Select(i => (Start.AddMinutes(offsetMinutes).AddSeconds(i), $"{stream} event {i}")));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void SigV4Vectors_AreReproduced_ByTheClientsSigningPath(int index)
    {
        var vectors = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "sigv4", "vectors.json"))).RootElement;
        var vector = vectors.GetProperty("cases")[index];
        var headers = vector.GetProperty("headers").EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetString()!);
        var signedAt = DateTime.ParseExact(headers["x-amz-date"], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        var token = headers.GetValueOrDefault("x-amz-security-token");
        var credentials = new ImmutableCredentials(vectors.GetProperty("accessKeyId").GetString(), vectors.GetProperty("secretAccessKey").GetString(), token);

        var authorization = SigV4.Authorize(vector.GetProperty("method").GetString()!, new Uri($"https://{headers["host"]}{vector.GetProperty("uri").GetString()}"),
            headers, System.Text.Encoding.UTF8.GetBytes(vector.GetProperty("body").GetString()!), credentials,
            vector.GetProperty("region").GetString()!, vector.GetProperty("service").GetString()!, signedAt);

        Assert.Equal(vector.GetProperty("authorization").GetString(), authorization);
    }

    [Fact]
    public async Task FilterLogEvents_PagesPastEmptyPagesAndThrottling_ToEveryEventOnce_WithEveryRequestSigned()
    {
        AddEvents("eni-aaaa-all", 10);
        AddEvents("eni-bbbb-all", 7, offsetMinutes: 3);
        var ct = TestContext.Current.CancellationToken;

        var events = await Client().AllEventsAsync(new FilterLogEventsRequest(Group, Limit: 2), Unlimited, ct).ToListAsync(ct);

        Assert.Equal(17, events.Count);
        Assert.Equal(17, events.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(10, events.Count(e => e.LogStreamName == "eni-aaaa-all"));
        Assert.Equal(events.OrderBy(e => e.Timestamp).Select(e => e.EventId), events.Select(e => e.EventId));
        Assert.True(_server.Throttled > 0, "the server throttled no request");
        Assert.Empty(_server.SignatureFailures);

        var window = await Client().AllEventsAsync(new FilterLogEventsRequest(Group, ["eni-bbbb-all"],
            StartTime: Start.AddMinutes(3).AddSeconds(2).ToUnixTimeMilliseconds(), EndTime: Start.AddMinutes(3).AddSeconds(4).ToUnixTimeMilliseconds()), Unlimited, ct).ToListAsync(ct);
        Assert.Equal(["eni-bbbb-all event 2", "eni-bbbb-all event 3", "eni-bbbb-all event 4"], window.Select(e => e.Message));
    }

    [Fact]
    public async Task Requests_ToOneEndpoint_KeepToTheRequestRate()
    {
        _server.ThrottleEvery = 0;
        AddEvents("eni-paced-all", 9); // an empty first page, then three pages of three: four requests
        var ct = TestContext.Current.CancellationToken;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Client(requestsPerSecond: 10).AllEventsAsync(new FilterLogEventsRequest(Group), Unlimited, ct).ToListAsync(ct);
        Assert.Equal(4, _server.Requests);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"four requests at 10/s took {clock.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task TemporaryCredentials_SignTheSessionToken()
    {
        AddEvents("eni-token", 2);
        var credentials = new SessionAWSCredentials(CloudWatchLogsServer.AccessKey, CloudWatchLogsServer.SecretKey, "IQoJb3JpZ2luX2VjEXAMPLETOKEN");
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(2, (await Client(credentials).AllEventsAsync(new FilterLogEventsRequest(Group), Unlimited, ct).ToListAsync(ct)).Count);
        Assert.Empty(_server.SignatureFailures);
    }

    [Fact]
    public async Task DescribeLogStreams_And_GetLogEvents_PageToTheEnd()
    {
        foreach (var i in Enumerable.Range(0, 8))
        {
            AddEvents($"eni-{i:x4}-all", i + 1);
        }
        var ct = TestContext.Current.CancellationToken;
        var streams = await Client().AllLogStreamsAsync(Group, ct).ToListAsync(ct);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"eni-{i:x4}-all"), streams.Select(s => s.LogStreamName));
        Assert.Equal(Start.AddSeconds(7).ToUnixTimeMilliseconds(), streams[7].LastEventTimestamp);

        // GetLogEvents ends when the forward token comes back unchanged.
        var events = await Client().StreamEventsAsync(new GetLogEventsRequest(Group, "eni-0007-all"), ct).ToListAsync(ct);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"eni-0007-all event {i}"), events.Select(e => e.Message));
        var groups = await Client().DescribeLogGroupsAsync(new DescribeLogGroupsRequest("/vpc/"), ct);
        Assert.Equal([Group], groups.LogGroups!.Select(g => g.LogGroupName));
    }

    [Fact]
    public async Task MissingGroupAndBadSignature_FailAtOnce_WithTheServicesErrorType()
    {
        _server.ThrottleEvery = 0;
        var ct = TestContext.Current.CancellationToken;
        var missing = await Assert.ThrowsAsync<CloudWatchLogsException>(() => Client().FilterLogEventsAsync(new FilterLogEventsRequest("/no/such/group"), ct));
        Assert.Equal("ResourceNotFoundException", missing.ErrorType);
        Assert.Contains("does not exist", missing.Message);

        var before = _server.Requests;
        var forged = await Assert.ThrowsAsync<CloudWatchLogsException>(() =>
            Client(new BasicAWSCredentials(CloudWatchLogsServer.AccessKey, "not-the-secret")).FilterLogEventsAsync(new FilterLogEventsRequest(Group), ct));
        Assert.Equal("InvalidSignatureException", forged.ErrorType);
        Assert.Equal(before + 1, _server.Requests); // not retried
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }
}
