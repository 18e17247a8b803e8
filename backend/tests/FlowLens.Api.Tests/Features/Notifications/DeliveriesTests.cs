using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Features.Notifications;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Ocsf;
using static FlowLens.Api.Tests.Features.Notifications.NotificationTestKit;

namespace FlowLens.Api.Tests.Features.Notifications;

/// <summary>Webhook and Slack deliveries end to end, against real HTTP receivers on loopback.</summary>
public sealed class DeliveriesTests(PostgresFixture postgres)
{
    [Fact]
    public async Task AWebhook_GetsTheSignedNotice_WithEventDeliveryAndLink()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var app = await postgres.StartAppAsync(NotificationSettings());
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var channel = await CreateChannelAsync(admin, Webhook("soc", receiver.Url));

        await EnqueueAsync(app, Notice, channel.Id);
        await RunDeliveriesAsync(app);

        var request = Assert.Single(receiver.Requests);
        Assert.True(SignatureIsValid(request.Headers["X-FlowLens-Signature"], request.Body, SigningSecret), request.Headers["X-FlowLens-Signature"]);
        Assert.False(SignatureIsValid(request.Headers["X-FlowLens-Signature"], request.Body, "another-secret-0123456789"));
        var t = long.Parse(request.Headers["X-FlowLens-Signature"].Split(',')[0][2..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - t, 0, 60);
        Assert.Equal("finding.opened", request.Headers["X-FlowLens-Event"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"]);
        using var json = JsonDocument.Parse(request.Body);
        var root = json.RootElement;
        Assert.Equal("finding.opened", root.GetProperty("event").GetString());
        Assert.Equal(request.Headers["X-FlowLens-Delivery"], root.GetProperty("deliveryId").GetString());
        Assert.Equal("https://flowlens.example.org/findings/42", root.GetProperty("link").GetString());
        var finding = root.GetProperty("finding");
        Assert.Equal(Notice, finding.Deserialize<FindingNotice>(Notifier.Json)! with { Details = Notice.Details });
        Assert.Equal("812", finding.GetProperty("details").GetProperty("distinctPorts").GetString());
        Assert.Equal("srcaddr", finding.GetProperty("groupField").GetString());
        // The docs' example is this body.
        using (var documented = DocExamples.Json("docs/notifications.md", "## Webhook"))
        {
            Assert.Equal(DocExamples.Shape(documented.RootElement), DocExamples.Shape(root));
        }

        var log = Assert.Single(await DeliveriesAsync(admin, 42));
        Assert.Equal(("sent", 1, "HTTP 200 OK", "soc", "webhook"), (log.Status, log.Attempt, log.Reply, log.ChannelName, log.ChannelKind));
        Assert.Equal(request.Headers["X-FlowLens-Delivery"], log.DeliveryId.ToString());
    }

    [Fact]
    public async Task AFailingReceiver_IsRetried_AndTheLogShowsEachAttempt()
    {
        await using var receiver = await Receiver.StartAsync(status: n => n <= 2 ? 503 : 204);
        await using var app = await postgres.StartAppAsync(NotificationSettings(retryDelays: "0,0,0"));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var channel = await CreateChannelAsync(admin, Webhook("soc", receiver.Url));

        await EnqueueAsync(app, Notice, channel.Id);
        await RunDeliveriesAsync(app);

        Assert.Equal(3, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Headers["X-FlowLens-Delivery"]).Distinct()); // one message, three tries
        var log = await DeliveriesAsync(admin, 42);
        Assert.Equal([(3, "sent", "HTTP 204 No Content"), (2, "failed", "HTTP 503 Service Unavailable"), (1, "failed", "HTTP 503 Service Unavailable")],
            log.Select(d => (d.Attempt, d.Status, d.Reply!)));
        Assert.All(log.Where(d => d.Status == "failed"), d => Assert.Contains("error status", d.Error));
    }

    [Fact]
    public async Task AReceiverThatAlwaysFails_IsGivenUpAfterTheLastDelay_AndRetriesAreScheduledAfterTheirDelays()
    {
        await using var receiver = await Receiver.StartAsync(status: _ => 500);
        await using var app = await postgres.StartAppAsync(NotificationSettings(retryDelays: "30,120"));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var channel = await CreateChannelAsync(admin, Webhook("soc", receiver.Url));
        await EnqueueAsync(app, Notice, channel.Id);
        await RunDeliveriesAsync(app);

        var log = await DeliveriesAsync(admin, 42);
        Assert.Equal([(3, "gave-up"), (2, "failed"), (1, "failed")], log.Select(d => (d.Attempt, d.Status)));
        Assert.InRange((log[1].NextAttemptAt - log[2].FinishedAt!.Value).TotalSeconds, 29, 31);
        Assert.InRange((log[0].NextAttemptAt - log[1].FinishedAt!.Value).TotalSeconds, 119, 121);
        Assert.Equal(3, receiver.Requests.Count);
    }

    [Fact]
    public async Task TwoWorkers_NeverSendOneDeliveryTwice()
    {
        await using var receiver = await Receiver.StartAsync(delay: TimeSpan.FromMilliseconds(300));
        await using var app = await postgres.StartAppAsync(NotificationSettings());
        var channel = await CreateChannelAsync(app.CreateClient(FlowLensApp.AdminKey), Webhook("soc", receiver.Url));
        var id = Assert.Single(await EnqueueAsync(app, Notice, channel.Id));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => app.RunJobAsync<DeliveryJob>(job => job.RunAsync(id, TestContext.Current.CancellationToken))));
        await app.RunJobAsync<DeliveryJob>(job => job.RunAsync(id, TestContext.Current.CancellationToken)); // Hangfire running it again later

        Assert.Single(receiver.Requests);
    }

    [Fact]
    public async Task DisabledAndUnknownChannels_AreSkipped_AndAChannelDisabledMeanwhileGivesUp()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var app = await postgres.StartAppAsync(NotificationSettings());
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var on = await CreateChannelAsync(admin, Webhook("on", receiver.Url));
        var off = await CreateChannelAsync(admin, new { name = "off", kind = "webhook", enabled = false, webhook = new { url = receiver.Url, signingSecret = SigningSecret } });
        Assert.Single(await EnqueueAsync(app, Notice, on.Id, off.Id, 999));

        (await admin.PutAsJsonAsync($"/api/channels/{on.Id}", new { name = "on", enabled = false }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        await RunDeliveriesAsync(app);
        var log = Assert.Single(await DeliveriesAsync(admin, 42));
        Assert.Equal(("gave-up", "The channel is disabled."), (log.Status, log.Error));
        Assert.Empty(receiver.Requests);
    }

    [Theory]
    [InlineData("https://127.0.0.1:{port}/hook", "127.0.0.1, which is not a public address")]
    [InlineData("https://localhost:{port}/hook", "which is not a public address")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "169.254.169.254, which is not a public address")]
    [InlineData("https://10.1.2.3/hook", "10.1.2.3, which is not a public address")]
    [InlineData("https://[::1]:{port}/hook", "which is not a public address")]
    public async Task AWebhookInside_IsRefused_WithItsReasonInTheDeliveryLog(string url, string reason)
    {
        await using var receiver = await Receiver.StartAsync();
        await using var app = await postgres.StartAppAsync(NotificationSettings(listLoopback: false, retryDelays: "0"));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var channel = await CreateChannelAsync(admin, Webhook("inside", url.Replace("{port}", receiver.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))));

        var tested = await (await admin.PostAsync($"/api/channels/{channel.Id}/test", null, TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<ChannelsApi.DeliveryResponse>(TestContext.Current.CancellationToken);
        Assert.Equal("gave-up", tested!.Status);
        Assert.Contains(reason, tested.Error);
        Assert.Contains("Refused", tested.Error);

        await EnqueueAsync(app, Notice, channel.Id);
        await RunDeliveriesAsync(app);
        var log = await DeliveriesAsync(admin, 42);
        Assert.Equal(["gave-up", "failed"], log.Select(d => d.Status));
        Assert.All(log, d => Assert.Contains(reason, d.Error));
        Assert.Empty(receiver.Requests);
    }

    [Fact]
    public async Task PlainHttp_ToAnUnlistedHost_IsRefusedWhenSaved()
    {
        await using var app = await postgres.StartAppAsync(NotificationSettings(listLoopback: false));
        var response = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/channels", Webhook("x", "http://127.0.0.1:8080/hook"), TestContext.Current.CancellationToken);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("AllowedHosts", problem.GetProperty("errors").GetProperty("webhook.url")[0].GetString());
    }

    [Fact]
    public async Task ARedirect_IsNotFollowed()
    {
        await using var elsewhere = await Receiver.StartAsync();
        await using var receiver = await Receiver.StartAsync(status: _ => 302, answer: (response, _) => response.Headers.Location = elsewhere.Url);
        await using var app = await postgres.StartAppAsync(NotificationSettings(retryDelays: ""));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var channel = await CreateChannelAsync(admin, Webhook("soc", receiver.Url));

        await EnqueueAsync(app, Notice, channel.Id);
        await RunDeliveriesAsync(app);

        var log = Assert.Single(await DeliveriesAsync(admin, 42));
        Assert.Equal(("gave-up", "HTTP 302 Found"), (log.Status, log.Reply));
        Assert.Contains("redirect", log.Error);
        Assert.Single(receiver.Requests);
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task ASlowReceiver_TimesOut_AsAFailedAttempt()
    {
        await using var receiver = await Receiver.StartAsync(delay: TimeSpan.FromSeconds(8));
        await using var app = await postgres.StartAppAsync(NotificationSettings(retryDelays: "", more: b => b.UseSetting("FlowLens:Notifications:TimeoutSeconds", "1")));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var channel = await CreateChannelAsync(admin, Webhook("slow", receiver.Url));
        var tested = await (await admin.PostAsync($"/api/channels/{channel.Id}/test", null, TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<ChannelsApi.DeliveryResponse>(TestContext.Current.CancellationToken);
        Assert.Equal(("gave-up", "No answer within 1 s."), (tested!.Status, tested.Error));
    }

    [Fact]
    public async Task TheOcsfFormat_SendsADetectionFinding()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var app = await postgres.StartAppAsync(NotificationSettings());
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var channel = await CreateChannelAsync(admin, Webhook("siem", receiver.Url, format: "ocsf"));
        await EnqueueAsync(app, Notice, channel.Id);
        await RunDeliveriesAsync(app);

        var request = Assert.Single(receiver.Requests);
        Assert.True(SignatureIsValid(request.Headers["X-FlowLens-Signature"], request.Body, SigningSecret));
        using var json = JsonDocument.Parse(request.Body);
        var f = json.RootElement;
        Assert.Equal((2004, 2, 1, 200401, 4, "High", 1), (f.GetProperty("class_uid").GetInt32(), f.GetProperty("category_uid").GetInt32(),
            f.GetProperty("activity_id").GetInt32(), f.GetProperty("type_uid").GetInt32(), f.GetProperty("severity_id").GetInt32(),
            f.GetProperty("severity").GetString(), f.GetProperty("status_id").GetInt32()));
        var info = f.GetProperty("finding_info");
        Assert.Equal(("42", "Port scan from 203.0.113.9", "port-scan"), (info.GetProperty("uid").GetString(), info.GetProperty("title").GetString(), info.GetProperty("types")[0].GetString()));
        Assert.Equal(Notice.FirstSeen.ToUnixTimeMilliseconds(), info.GetProperty("first_seen_time").GetInt64());
        Assert.Equal(Notice.LastSeen.ToUnixTimeMilliseconds(), info.GetProperty("last_seen_time").GetInt64());
        Assert.Equal("https://flowlens.example.org/findings/42", info.GetProperty("src_url").GetString());
        Assert.Equal("FlowLens", f.GetProperty("metadata").GetProperty("product").GetProperty("name").GetString());
        Assert.Equal(OcsfEvent.Version, f.GetProperty("metadata").GetProperty("version").GetString());
        Assert.Equal(request.Headers["X-FlowLens-Delivery"], f.GetProperty("metadata").GetProperty("uid").GetString());
        Assert.InRange(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - f.GetProperty("time").GetInt64(), 0, 60_000);
        Assert.Equal(("srcaddr", "203.0.113.9", 2), (f.GetProperty("observables")[0].GetProperty("name").GetString(),
            f.GetProperty("observables")[0].GetProperty("value").GetString(), f.GetProperty("observables")[0].GetProperty("type_id").GetInt32()));
        Assert.Equal(1234, f.GetProperty("count").GetInt64());
        Assert.Equal(Notice.EvidenceFilter, f.GetProperty("unmapped").GetProperty("evidence_filter").GetString());
        using var documented = DocExamples.Json("docs/ocsf.md", "## Findings: Detection Finding (2004)");
        Assert.Equal(DocExamples.Shape(documented.RootElement), DocExamples.Shape(f));
    }

    [Fact]
    public async Task Slack_GetsABlockKitMessage_WithAButtonToTheFinding()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var app = await postgres.StartAppAsync(NotificationSettings());
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var channel = await CreateChannelAsync(admin, new { name = "slack", kind = "slack", slack = new { url = receiver.Url } });
        await EnqueueAsync(app, Notice with { Title = "Scan <script> & more" }, channel.Id);
        await RunDeliveriesAsync(app);

        using var json = JsonDocument.Parse(Assert.Single(receiver.Requests).Body);
        var message = json.RootElement;
        Assert.Contains("HIGH port-scan 203.0.113.9", message.GetProperty("text").GetString());
        var blocks = message.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(["header", "section", "section", "context", "actions"], blocks.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());
        Assert.Contains("HIGH · port-scan", blocks[0].GetProperty("text").GetProperty("text").GetString());
        Assert.Equal("*Scan &lt;script&gt; &amp; more*", blocks[1].GetProperty("text").GetProperty("text").GetString());
        var fields = blocks[2].GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("text").GetString()).ToList();
        Assert.Equal(["*srcaddr*\n`203.0.113.9`", "*Count*\n1,234", "*First seen*\n2026-12-03 10:00:00 UTC", "*Last seen*\n2026-12-03 10:05:00 UTC"], fields);
        var button = blocks[4].GetProperty("elements")[0];
        Assert.Equal(("button", "Open in FlowLens", "https://flowlens.example.org/findings/42"),
            (button.GetProperty("type").GetString(), button.GetProperty("text").GetProperty("text").GetString(), button.GetProperty("url").GetString()));
        Assert.Equal("sent", Assert.Single(await DeliveriesAsync(admin, 42)).Status);
        using var documented = DocExamples.Json("docs/notifications.md", "## Slack");
        Assert.Equal(DocExamples.Shape(documented.RootElement), DocExamples.Shape(message));
    }

    [Fact]
    public async Task WithoutAPublicUrl_LinksAreRelative_AndSlackHasNoButton()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var app = await postgres.StartAppAsync(NotificationSettings(more: b => b.UseSetting("FlowLens:PublicUrl", "")));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var webhook = await CreateChannelAsync(admin, Webhook("soc", receiver.Url));
        var slack = await CreateChannelAsync(admin, new { name = "slack", kind = "slack", slack = new { url = receiver.Url } });
        await EnqueueAsync(app, Notice, webhook.Id, slack.Id);
        await RunDeliveriesAsync(app);

        var bodies = receiver.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToList();
        Assert.Equal("/findings/42", bodies.Single(b => b.TryGetProperty("link", out _)).GetProperty("link").GetString());
        Assert.DoesNotContain(bodies.Single(b => b.TryGetProperty("blocks", out _)).GetProperty("blocks").EnumerateArray(), b => b.GetProperty("type").GetString() == "actions");
    }

    [Theory]
    [InlineData("ftp://flowlens.example.org")]
    [InlineData("flowlens.example.org")]
    public async Task ABadPublicUrl_StopsTheStart(string url)
    {
        var start = async () =>
        {
            await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:PublicUrl", url));
            app.CreateClient();
        };
        var error = await Assert.ThrowsAnyAsync<Exception>(start);
        Assert.Contains("FlowLens:PublicUrl", error.ToString());
    }
}
