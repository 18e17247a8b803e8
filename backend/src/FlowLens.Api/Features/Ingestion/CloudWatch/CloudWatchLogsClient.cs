using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Amazon.Runtime;

namespace FlowLens.Api.Features.Ingestion.CloudWatch;

/// <summary>
/// The few CloudWatch Logs calls FlowLens needs, over the service's JSON protocol (<c>POST /</c>,
/// <c>application/x-amz-json-1.1</c>, <c>X-Amz-Target: Logs_20140328.Operation</c>), signed with SigV4 by
/// AWSSDK.Core. Throttling and server errors are retried with exponential backoff and full jitter; every other
/// service error is a <see cref="CloudWatchLogsException"/>. The official SDK would replace this one class.
/// </summary>
public sealed class CloudWatchLogsClient(
    HttpClient http, AWSCredentials credentials, string region, Uri? serviceUrl = null, CloudWatchRetry? retry = null, double requestsPerSecond = 5)
{
    // One pace per endpoint for the whole process: quotas are per account and region, not per source.
    private static readonly ConcurrentDictionary<Uri, Pace> Paces = new();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new LenientStringConverter() },
    };

    private static readonly HashSet<string> Retryable = ["ThrottlingException", "LimitExceededException", "ServiceUnavailableException"];

    private readonly Uri _endpoint = serviceUrl ?? AwsEndpoint(region);
    private readonly CloudWatchRetry _retry = retry ?? new CloudWatchRetry();
    private Pace Pace => Paces.GetOrAdd(_endpoint, _ => new Pace());

    /// <summary>AWS's endpoint of the region, checked first: the region becomes part of the host name.</summary>
    private static Uri AwsEndpoint(string region) => SourceEndpoints.IsRegion(region)
        ? new Uri($"https://logs.{region}.amazonaws.com/")
        : throw new ArgumentException("not an AWS region name", nameof(region));

    public Task<DescribeLogGroupsResponse> DescribeLogGroupsAsync(DescribeLogGroupsRequest request, CancellationToken ct) =>
        CallAsync<DescribeLogGroupsRequest, DescribeLogGroupsResponse>("DescribeLogGroups", request, ct);

    public Task<DescribeLogStreamsResponse> DescribeLogStreamsAsync(DescribeLogStreamsRequest request, CancellationToken ct) =>
        CallAsync<DescribeLogStreamsRequest, DescribeLogStreamsResponse>("DescribeLogStreams", request, ct);

    public Task<FilterLogEventsResponse> FilterLogEventsAsync(FilterLogEventsRequest request, CancellationToken ct) =>
        CallAsync<FilterLogEventsRequest, FilterLogEventsResponse>("FilterLogEvents", request, ct);

    public Task<GetLogEventsResponse> GetLogEventsAsync(GetLogEventsRequest request, CancellationToken ct) =>
        CallAsync<GetLogEventsRequest, GetLogEventsResponse>("GetLogEvents", request, ct);

    /// <summary>Every stream of a group, following <c>nextToken</c> to the last page.</summary>
    public async IAsyncEnumerable<LogStream> AllLogStreamsAsync(string logGroupName, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            var page = await DescribeLogStreamsAsync(new DescribeLogStreamsRequest(logGroupName, NextToken: token), ct);
            foreach (var stream in page.LogStreams ?? [])
            {
                yield return stream;
            }
            token = page.NextToken;
        }
        while (token is not null);
    }

    /// <summary>
    /// The events of a request, page after page, while the run's budget lasts. A page may be empty and still carry
    /// a <c>nextToken</c>: only a page without one is the last.
    /// </summary>
    public async IAsyncEnumerable<FilteredLogEvent> AllEventsAsync(
        FilterLogEventsRequest request, ListBudget budget, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var next = request;
        while (budget.TryTake())
        {
            var page = await FilterLogEventsAsync(next, ct);
            foreach (var e in page.Events ?? [])
            {
                yield return e;
            }
            if (page.NextToken is null)
            {
                yield break;
            }
            next = next with { NextToken = page.NextToken };
        }
    }

    /// <summary>
    /// A stream's events from its head on, page after page: GetLogEvents reads forward only with
    /// <c>startFromHead</c>, and its last page is the one whose <c>nextForwardToken</c> is the token sent.
    /// </summary>
    public async IAsyncEnumerable<OutputLogEvent> StreamEventsAsync(GetLogEventsRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var next = request with { StartFromHead = true };
        while (true)
        {
            var page = await GetLogEventsAsync(next, ct);
            foreach (var e in page.Events ?? [])
            {
                yield return e;
            }
            if (page.NextForwardToken is null || page.NextForwardToken == next.NextToken)
            {
                yield break;
            }
            next = next with { NextToken = page.NextForwardToken };
        }
    }

    private async Task<TResponse> CallAsync<TRequest, TResponse>(string operation, TRequest request, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(request, Json);
        for (var attempt = 1; ; attempt++)
        {
            await Pace.WaitAsync(TimeSpan.FromSeconds(1 / requestsPerSecond), ct);
            using var message = await SignedAsync(operation, body, ct);
            using var response = await http.SendAsync(message, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
            {
                return JsonSerializer.Deserialize<TResponse>(text, Json)
                    ?? throw new CloudWatchLogsException("InvalidResponse", $"{operation} answered an empty body", response.StatusCode);
            }
            var error = CloudWatchLogsException.From(text, response.StatusCode);
            var transient = Retryable.Contains(error.ErrorType) || (int)response.StatusCode >= 500;
            if (!transient || attempt >= _retry.MaxAttempts)
            {
                throw error;
            }
            await Task.Delay(_retry.DelayBefore(attempt + 1), ct);
        }
    }

    private async Task<HttpRequestMessage> SignedAsync(string operation, byte[] body, CancellationToken ct)
    {
        var headers = new Dictionary<string, string>
        {
            ["host"] = _endpoint.IsDefaultPort ? _endpoint.Host : $"{_endpoint.Host}:{_endpoint.Port}",
            ["content-type"] = "application/x-amz-json-1.1",
            ["x-amz-target"] = $"Logs_20140328.{operation}",
        };
        // Credentials are asked for each request: roles and instance credentials rotate.
        var keys = await credentials.GetCredentialsAsync();
        var authorization = SigV4.Authorize("POST", _endpoint, headers, body, keys, region, "logs", DateTime.UtcNow);
        var message = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        foreach (var (name, value) in headers.Where(h => h.Key is not ("host" or "content-type")))
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        message.Headers.TryAddWithoutValidation("Authorization", authorization);
        return message;
    }
}

/// <summary>Spaces the requests to one endpoint: each waits until the interval after the one before it has passed.</summary>
internal sealed class Pace
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTime _next = DateTime.MinValue;

    public async Task WaitAsync(TimeSpan interval, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var now = DateTime.UtcNow;
            if (_next > now)
            {
                await Task.Delay(_next - now, ct);
                now = _next;
            }
            _next = now + interval;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>How often and how long to wait before retrying a throttled or failed call: exponential, full jitter.</summary>
public sealed record CloudWatchRetry(int MaxAttempts = 8, TimeSpan? BaseDelay = null, TimeSpan? MaxDelay = null)
{
    public TimeSpan DelayBefore(int attempt)
    {
        var cap = Math.Min((MaxDelay ?? TimeSpan.FromSeconds(20)).TotalMilliseconds,
            (BaseDelay ?? TimeSpan.FromMilliseconds(250)).TotalMilliseconds * Math.Pow(2, attempt - 2));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * cap);
    }
}

/// <summary>An error answered by CloudWatch Logs: its <c>__type</c> (without namespace) and message.</summary>
public sealed class CloudWatchLogsException(string errorType, string message, HttpStatusCode status)
    : Exception($"CloudWatch Logs {errorType}: {message}")
{
    public string ErrorType { get; } = errorType;

    public HttpStatusCode Status { get; } = status;

    public static CloudWatchLogsException From(string body, HttpStatusCode status)
    {
        try
        {
            var json = JsonDocument.Parse(body).RootElement;
            var type = json.TryGetProperty("__type", out var t) ? t.GetString() ?? "" : "";
            var text = json.TryGetProperty("message", out var m) || json.TryGetProperty("Message", out m) ? m.GetString() ?? "" : "";
            return new CloudWatchLogsException(type[(type.LastIndexOf('#') + 1)..], text, status);
        }
        catch (JsonException)
        {
            return new CloudWatchLogsException($"Http{(int)status}", body.Length > 200 ? body[..200] : body, status);
        }
    }
}

public sealed record DescribeLogGroupsRequest(string? LogGroupNamePrefix = null, string? NextToken = null, int? Limit = null);

public sealed record LogGroup(string LogGroupName, string? Arn, long? CreationTime, long? StoredBytes);

public sealed record DescribeLogGroupsResponse(List<LogGroup>? LogGroups, string? NextToken);

public sealed record DescribeLogStreamsRequest(
    string LogGroupName, string? LogStreamNamePrefix = null, string? OrderBy = null, bool? Descending = null, string? NextToken = null, int? Limit = null);

public sealed record LogStream(string LogStreamName, long? CreationTime, long? FirstEventTimestamp, long? LastEventTimestamp, long? LastIngestionTime);

public sealed record DescribeLogStreamsResponse(List<LogStream>? LogStreams, string? NextToken);

public sealed record FilterLogEventsRequest(
    string LogGroupName, List<string>? LogStreamNames = null, long? StartTime = null, long? EndTime = null,
    string? NextToken = null, int? Limit = null);

public sealed record FilteredLogEvent(string? LogStreamName, long Timestamp, string Message, long? IngestionTime, string EventId);

public sealed record FilterLogEventsResponse(List<FilteredLogEvent>? Events, string? NextToken);

public sealed record GetLogEventsRequest(
    string LogGroupName, string LogStreamName, long? StartTime = null, long? EndTime = null, string? NextToken = null,
    int? Limit = null, bool? StartFromHead = null);

public sealed record OutputLogEvent(long Timestamp, string Message, long? IngestionTime);

public sealed record GetLogEventsResponse(List<OutputLogEvent>? Events, string? NextForwardToken, string? NextBackwardToken);
