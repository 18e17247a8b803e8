using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// A CloudWatch Logs stand-in on a loopback port that speaks the JSON protocol (DescribeLogGroups,
/// DescribeLogStreams, FilterLogEvents, GetLogEvents) and behaves as the service does where clients go wrong: it
/// checks every request's SigV4 signature (its own implementation of the algorithm), answers in small pages,
/// starts each FilterLogEvents query with an empty page that still has a token, and throttles now and then.
/// </summary>
public sealed class CloudWatchLogsServer : IAsyncDisposable
{
    // The same keys as the S3 emulator's: FlowLens takes them from the environment (the SDK's default chain), which
    // is one per test process.
    public const string AccessKey = S3Server.Key;
    public const string SecretKey = S3Server.Key;
    public const string Region = "eu-west-1";

    private readonly WebApplication _app;
    private readonly object _lock = new();
    private readonly Dictionary<string, SortedDictionary<string, List<Event>>> _groups = [];
    private long _nextEventId;
    private int _requests;

    private sealed record Event(long Timestamp, string Message, long IngestionTime, string EventId);

    private CloudWatchLogsServer(WebApplication app, string url) => (_app, Url) = (app, url);

    public string Url { get; }

    /// <summary>Events or streams per page.</summary>
    public int PageSize { get; set; } = 3;

    /// <summary>Every n-th request answers ThrottlingException (0: never).</summary>
    public int ThrottleEvery { get; set; } = 4;

    public int Requests => _requests;

    public int Throttled { get; private set; }

    /// <summary>Requests refused because their signature did not check out; a correct client makes none.</summary>
    public List<string> SignatureFailures { get; } = [];

    /// <summary>Edits each answer's JSON text before it is sent: for what JsonObject will not write (a lone surrogate's escape).</summary>
    public Func<string, string> RewriteResponse { get; set; } = json => json;

    public static async Task<CloudWatchLogsServer> StartAsync()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", SecretKey);
        var port = LoopbackPort.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var server = new CloudWatchLogsServer(app, $"http://127.0.0.1:{port}/");
        app.MapPost("/", server.HandleAsync);
        await app.StartAsync();
        return server;
    }

    /// <summary>Adds events to a stream (and the group and stream, if new); each gets a new event id.</summary>
    public void Add(string group, string stream, IEnumerable<(DateTimeOffset Timestamp, string Message)> events)
    {
        lock (_lock)
        {
            if (!_groups.TryGetValue(group, out var streams))
            {
                _groups[group] = streams = new SortedDictionary<string, List<Event>>(StringComparer.Ordinal);
            }
            if (!streams.TryGetValue(stream, out var list))
            {
                streams[stream] = list = [];
            }
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            list.AddRange(events.Select(e => new Event(e.Timestamp.ToUnixTimeMilliseconds(), e.Message, now, (++_nextEventId).ToString("D20", CultureInfo.InvariantCulture))));
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var number = Interlocked.Increment(ref _requests);
        if (SigV4Check.Verify(context.Request, body, AccessKey, SecretKey, Region, "logs", "x-amz-target", "content-type") is { } failure)
        {
            lock (_lock)
            {
                SignatureFailures.Add(failure);
            }
            await ErrorAsync(context, 403, "InvalidSignatureException", failure);
            return;
        }
        if (ThrottleEvery > 0 && number % ThrottleEvery == 0)
        {
            Throttled++;
            await ErrorAsync(context, 400, "ThrottlingException", "Rate exceeded");
            return;
        }
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var request = JsonNode.Parse(body)!.AsObject();
        JsonObject? answer;
        lock (_lock)
        {
            answer = target switch
            {
                "Logs_20140328.DescribeLogGroups" => DescribeLogGroups(request),
                "Logs_20140328.DescribeLogStreams" => DescribeLogStreams(request),
                "Logs_20140328.FilterLogEvents" => FilterLogEvents(request),
                "Logs_20140328.GetLogEvents" => GetLogEvents(request),
                _ => throw new InvalidOperationException($"unknown operation {target}"),
            };
        }
        if (answer is null)
        {
            await ErrorAsync(context, 400, "com.amazonaws.logs#ResourceNotFoundException", "The specified log group does not exist.");
            return;
        }
        context.Response.ContentType = "application/x-amz-json-1.1";
        await context.Response.WriteAsync(RewriteResponse(answer.ToJsonString()));
    }

    private JsonObject DescribeLogGroups(JsonObject request)
    {
        var prefix = (string?)request["logGroupNamePrefix"] ?? "";
        var names = _groups.Keys.Where(g => g.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var (page, next) = Page(names, request);
        return new JsonObject { ["logGroups"] = new JsonArray([.. page.Select(n => new JsonObject { ["logGroupName"] = n })]), ["nextToken"] = next };
    }

    private JsonObject? DescribeLogStreams(JsonObject request)
    {
        if (!_groups.TryGetValue((string)request["logGroupName"]!, out var streams))
        {
            return null;
        }
        var (page, next) = Page(streams.ToList(), request);
        return new JsonObject
        {
            ["logStreams"] = new JsonArray([.. page.Select(s => new JsonObject
            {
                ["logStreamName"] = s.Key,
                ["firstEventTimestamp"] = s.Value.Count == 0 ? null : s.Value.Min(e => e.Timestamp),
                ["lastEventTimestamp"] = s.Value.Count == 0 ? null : s.Value.Max(e => e.Timestamp),
            })]),
            ["nextToken"] = next,
        };
    }

    private JsonObject? FilterLogEvents(JsonObject request)
    {
        if (!_groups.TryGetValue((string)request["logGroupName"]!, out var streams))
        {
            return null;
        }
        var names = request["logStreamNames"]?.AsArray().Select(n => (string)n!).ToHashSet();
        var start = (long?)request["startTime"] ?? long.MinValue;
        var end = (long?)request["endTime"] ?? long.MaxValue;
        var events = streams.Where(s => names is null || names.Contains(s.Key))
            .SelectMany(s => s.Value.Select(e => (Stream: s.Key, Event: e)))
            .Where(p => p.Event.Timestamp >= start && p.Event.Timestamp <= end)
            .OrderBy(p => p.Event.Timestamp).ThenBy(p => p.Event.EventId, StringComparer.Ordinal)
            .ToList();
        // The service may answer a page with no events that still has a token: the first page of each query here.
        if (request["nextToken"] is null)
        {
            return new JsonObject { ["events"] = new JsonArray(), ["nextToken"] = "0" };
        }
        var (page, next) = Page(events, request);
        return new JsonObject
        {
            ["events"] = new JsonArray([.. page.Select(p => new JsonObject
            {
                ["logStreamName"] = p.Stream,
                ["timestamp"] = p.Event.Timestamp,
                ["message"] = p.Event.Message,
                ["ingestionTime"] = p.Event.IngestionTime,
                ["eventId"] = p.Event.EventId,
            })]),
            ["nextToken"] = next,
        };
    }

    private JsonObject? GetLogEvents(JsonObject request)
    {
        if (!_groups.TryGetValue((string)request["logGroupName"]!, out var streams) || !streams.TryGetValue((string)request["logStreamName"]!, out var events))
        {
            return null;
        }
        if ((bool?)request["startFromHead"] != true)
        {
            throw new InvalidOperationException("this test server only reads forward: send startFromHead");
        }
        var sent = (string?)request["nextToken"];
        var offset = sent is null ? 0 : int.Parse(sent[2..], CultureInfo.InvariantCulture);
        var page = events.OrderBy(e => e.Timestamp).Skip(offset).Take(PageSize).ToList();
        // At the end, the forward token is the one sent.
        var forward = page.Count == 0 && sent is not null ? sent : $"f/{offset + page.Count}";
        return new JsonObject
        {
            ["events"] = new JsonArray([.. page.Select(e => new JsonObject { ["timestamp"] = e.Timestamp, ["message"] = e.Message, ["ingestionTime"] = e.IngestionTime })]),
            ["nextForwardToken"] = forward,
            ["nextBackwardToken"] = $"b/{offset}",
        };
    }

    private (List<T> Page, string? Next) Page<T>(List<T> items, JsonObject request)
    {
        var offset = request["nextToken"] is { } token ? int.Parse((string)token!, CultureInfo.InvariantCulture) : 0;
        var size = Math.Min(PageSize, (int?)request["limit"] ?? int.MaxValue);
        var page = items.Skip(offset).Take(size).ToList();
        return (page, offset + page.Count < items.Count ? (offset + page.Count).ToString(CultureInfo.InvariantCulture) : null);
    }

    private static Task ErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.1";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = message }));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
