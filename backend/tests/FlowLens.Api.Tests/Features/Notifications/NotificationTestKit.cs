using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using FlowLens.Api.Features.Notifications;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace FlowLens.Api.Tests.Features.Notifications;

/// <summary>What the notification tests share: a notice, the app's settings, running due deliveries, a receiver that keeps requests.</summary>
public static class NotificationTestKit
{
    public const string SigningSecret = "test-signing-secret-0123456789";

    public static readonly FindingNotice Notice = new(
        42, "port-scan", "port-scan", "high", "Port scan from 203.0.113.9", "srcaddr", "203.0.113.9",
        DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset.Parse("2026-12-03T10:05:00Z", System.Globalization.CultureInfo.InvariantCulture),
        1234, "srcaddr = 203.0.113.9 and action = REJECT",
        DateTimeOffset.Parse("2026-12-03T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
        DateTimeOffset.Parse("2026-12-03T10:10:00Z", System.Globalization.CultureInfo.InvariantCulture),
        new Dictionary<string, string> { ["distinctPorts"] = "812" });

    /// <summary>Loopback listed for the receivers, a public URL for links, retries without waiting.</summary>
    public static Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder> NotificationSettings(string retryDelays = "0,0,0", bool listLoopback = true, Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? more = null) => b =>
    {
        if (listLoopback)
        {
            b.UseSetting("FlowLens:Notifications:AllowedHosts:0", "127.0.0.1");
        }
        b.UseSetting("FlowLens:Notifications:RetryDelays", retryDelays);
        b.UseSetting("FlowLens:Notifications:TimeoutSeconds", "5");
        b.UseSetting("FlowLens:PublicUrl", "https://flowlens.example.org/");
        more?.Invoke(b);
    };

    public static async Task<ChannelsApi.ChannelResponse> CreateChannelAsync(HttpClient admin, object channel)
    {
        var response = await admin.PostAsJsonAsync("/api/channels", channel, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (await response.Content.ReadFromJsonAsync<ChannelsApi.ChannelResponse>(TestContext.Current.CancellationToken))!;
    }

    public static object Webhook(string name, string url, string format = "flowlens", string? secret = SigningSecret) =>
        new { name, kind = "webhook", webhook = new { url, signingSecret = secret, format } };

    public static Task<IReadOnlyList<long>> EnqueueAsync(FlowLensApp app, FindingNotice notice, params long[] channels) =>
        app.Services.GetRequiredService<Notifier>().EnqueueAsync(notice, channels, NotificationEvents.FindingOpened, TestContext.Current.CancellationToken);

    /// <summary>Runs every pending attempt, as the workers would when each is due, until none is left.</summary>
    public static async Task RunDeliveriesAsync(FlowLensApp app)
    {
        for (var round = 0; round < 20; round++)
        {
            var pending = await app.ScalarAsync<long[]>("select coalesce(array_agg(id order by id), '{}') from deliveries where status = 'pending'");
            if (pending.Length == 0)
            {
                return;
            }
            foreach (var id in pending)
            {
                await app.RunJobAsync<DeliveryJob>(job => job.RunAsync(id, TestContext.Current.CancellationToken));
            }
        }
        throw new InvalidOperationException("Deliveries still pending after 20 rounds.");
    }

    public static async Task<List<ChannelsApi.DeliveryResponse>> DeliveriesAsync(HttpClient client, long findingId) =>
        (await client.GetFromJsonAsync<List<ChannelsApi.DeliveryResponse>>($"/api/deliveries?findingId={findingId}", TestContext.Current.CancellationToken))!;

    /// <summary>True when <paramref name="header"/> is <c>t=…,v1=hex(HMAC-SHA256(secret, t + "." + body))</c>, as docs/notifications.md tells receivers to check.</summary>
    public static bool SignatureIsValid(string? header, byte[] body, string secret)
    {
        var parts = (header ?? "").Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        if (!parts.TryGetValue("t", out var t) || !parts.TryGetValue("v1", out var v1))
        {
            return false;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), (byte[])[.. Encoding.UTF8.GetBytes(t + "."), .. body]);
        return CryptographicOperations.FixedTimeEquals(Convert.FromHexString(v1), expected);
    }
}

/// <summary>One request a receiver got: headers and the raw body.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>A loopback HTTP receiver that keeps every request and answers with the status <c>status(n)</c> for the n-th.</summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly HttpStub _stub;
    public ConcurrentQueue<ReceivedRequest> Requests { get; }

    private Receiver(HttpStub stub, ConcurrentQueue<ReceivedRequest> requests) => (_stub, Requests) = (stub, requests);

    public string Url => _stub.Url + "hook";
    public int Port => _stub.Port;

    public static async Task<Receiver> StartAsync(Func<int, int>? status = null, Action<HttpResponse, int>? answer = null, TimeSpan? delay = null)
    {
        var requests = new ConcurrentQueue<ReceivedRequest>();
        var stub = await HttpStub.StartAsync(async (context, n) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            requests.Enqueue(new ReceivedRequest(context.Request.Path, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body.ToArray()));
            if (delay is { } wait)
            {
                await Task.Delay(wait);
            }
            context.Response.StatusCode = status?.Invoke(n) ?? 200;
            answer?.Invoke(context.Response, n);
        });
        return new Receiver(stub, requests);
    }

    public ValueTask DisposeAsync() => _stub.DisposeAsync();
}

/// <summary>Keeps every log event the app writes (Serilog, all levels), rendered with its properties and exception.</summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<string> _lines = new();

    public string All => string.Join('\n', _lines);

    public void Emit(LogEvent logEvent)
    {
        using var text = new StringWriter();
        logEvent.RenderMessage(text);
        text.Write(' ');
        foreach (var property in logEvent.Properties)
        {
            text.Write($"{property.Key}={property.Value} ");
        }
        text.Write(logEvent.Exception?.ToString());
        _lines.Enqueue(text.ToString());
    }

    public static Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder> Into(LogCapture capture) => b =>
    {
        b.UseSetting("Serilog:MinimumLevel:Default", "Verbose");
        b.ConfigureServices(s => s.AddSingleton<ILogEventSink>(capture));
    };
}
