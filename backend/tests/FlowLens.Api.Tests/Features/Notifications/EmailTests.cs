using System.Net.Http.Json;
using FlowLens.Api.Features.Notifications;
using FlowLens.Api.Tests.Infrastructure;
using static FlowLens.Api.Tests.Features.Notifications.NotificationTestKit;

namespace FlowLens.Api.Tests.Features.Notifications;

/// <summary>Email deliveries end to end, to a real SMTP server (npm smtp-server) on loopback.</summary>
public sealed class EmailTests(PostgresFixture postgres)
{
    private const string User = "flowlens", Password = "smtp-pass-0123";

    private static object Email(int port, string? password = Password, string name = "mail") => new
    {
        name, kind = "email",
        email = new { host = "127.0.0.1", port, security = "none", username = User, password, from = "FlowLens <flowlens@example.org>", to = new[] { "soc@example.org", "oncall@example.org" } },
    };

    [Fact]
    public async Task AFinding_IsMailed_WithAuth_SubjectBodiesAndLink()
    {
        await using var smtp = await SmtpTestServer.StartAsync(User, Password);
        var logs = new LogCapture();
        await using var app = await postgres.StartAppAsync(NotificationSettings(more: LogCapture.Into(logs)));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var channel = await CreateChannelAsync(admin, Email(smtp.Port));

        await EnqueueAsync(app, Notice, channel.Id);
        await RunDeliveriesAsync(app);

        var log = Assert.Single(await DeliveriesAsync(admin, 42));
        Assert.True(log.Status == "sent", $"{log.Status} {log.Reply} {log.Error}\n{smtp.Log}");
        Assert.StartsWith("250 Queued as", log.Reply);
        var received = Assert.Single(await smtp.MessagesAsync());
        Assert.Equal(("flowlens@example.org", User), (received.From, received.User));
        Assert.Equal(["soc@example.org", "oncall@example.org"], received.To);
        var message = received.Message;
        Assert.Equal("[FlowLens] HIGH port-scan 203.0.113.9", message.Subject);
        Assert.Equal(["soc@example.org", "oncall@example.org"], message.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("finding.opened", message.Headers["X-FlowLens-Event"]);
        Assert.Equal(log.DeliveryId.ToString(), message.Headers["X-FlowLens-Delivery"]);
        Assert.Contains("Open in FlowLens: https://flowlens.example.org/findings/42", message.TextBody);
        Assert.Contains("srcaddr: 203.0.113.9", message.TextBody);
        Assert.Contains("Count: 1,234", message.TextBody);
        Assert.Contains("<a href=\"https://flowlens.example.org/findings/42\">Open in FlowLens</a>", message.HtmlBody);
        Assert.Contains("<h2>Port scan from 203.0.113.9</h2>", message.HtmlBody);
        Assert.DoesNotContain(Password, logs.All);
    }

    [Fact]
    public async Task AWrongPassword_IsAFailedAttempt_WithTheServersReply_AndSendTestSaysSo()
    {
        await using var smtp = await SmtpTestServer.StartAsync(User, Password);
        await using var app = await postgres.StartAppAsync(NotificationSettings(retryDelays: "0"));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var channel = await CreateChannelAsync(admin, Email(smtp.Port, password: "wrong-password"));

        var tested = await (await admin.PostAsync($"/api/channels/{channel.Id}/test", null, TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<ChannelsApi.DeliveryResponse>(TestContext.Current.CancellationToken);
        Assert.Equal("gave-up", tested!.Status);
        Assert.Contains("Invalid username or password", tested.Error + tested.Reply);

        await EnqueueAsync(app, Notice, channel.Id);
        await RunDeliveriesAsync(app);
        Assert.Equal(["gave-up", "failed"], (await DeliveriesAsync(admin, 42)).Select(d => d.Status));
        Assert.Empty(await smtp.MessagesAsync());

        // The right password, given alone, fixes it; the test mail arrives.
        (await admin.PutAsJsonAsync($"/api/channels/{channel.Id}", new
        {
            name = "mail",
            email = new { host = "127.0.0.1", port = smtp.Port, security = "none", username = User, password = Password, from = "flowlens@example.org", to = new[] { "soc@example.org" } },
        }, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        var again = await (await admin.PostAsync($"/api/channels/{channel.Id}/test", null, TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<ChannelsApi.DeliveryResponse>(TestContext.Current.CancellationToken);
        Assert.Equal("sent", again!.Status);
        var mail = Assert.Single(await smtp.MessagesAsync()).Message;
        Assert.Equal("[FlowLens] TEST LOW test 203.0.113.9", mail.Subject);
        Assert.Equal(0L, again.FindingId);
    }

    [Fact]
    public async Task NoSmtpServer_IsAFailedAttempt()
    {
        await using var app = await postgres.StartAppAsync(NotificationSettings());
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var channel = await CreateChannelAsync(admin, Email(LoopbackPort.Free()));
        var tested = await (await admin.PostAsync($"/api/channels/{channel.Id}/test", null, TestContext.Current.CancellationToken))
            .Content.ReadFromJsonAsync<ChannelsApi.DeliveryResponse>(TestContext.Current.CancellationToken);
        Assert.Equal("gave-up", tested!.Status);
        Assert.Contains("Could not send the mail", tested.Error);
    }

    [Fact]
    public void TheEmail_KeepsHeadersOnOneLine_AndEscapesHtml()
    {
        var notice = Notice with { RuleName = "evil\r\nBcc: x@example.org", Title = "<b>bold</b>" };
        var message = Payloads.Email(notice, NotificationEvents.FindingOpened, Guid.NewGuid(), "/findings/42", "a@example.org", ["b@example.org"]);
        Assert.DoesNotContain("\n", message.Subject, StringComparison.Ordinal);
        Assert.Empty(message.Bcc);
        Assert.Contains("&lt;b&gt;bold&lt;/b&gt;", message.HtmlBody);
        using var written = new MemoryStream();
        message.WriteTo(written);
        written.Position = 0;
        Assert.Empty(MimeKit.MimeMessage.Load(written).Bcc);
    }
}
