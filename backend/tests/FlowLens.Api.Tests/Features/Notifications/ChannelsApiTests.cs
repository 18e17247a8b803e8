using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Audit;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Notifications;
using FlowLens.Api.Tests.Infrastructure;
using static FlowLens.Api.Tests.Features.Notifications.NotificationTestKit;

namespace FlowLens.Api.Tests.Features.Notifications;

public sealed class ChannelsApiTests(PostgresFixture postgres)
{
    private const string SlackUrl = "https://hooks.slack.example/services/T000/B000/slack-secret-token-XYZ";
    private const string SmtpPassword = "smtp-password-never-shown";

    [Fact]
    public async Task SecretsAreWriteOnly_NeverInResponses_TheAuditLog_OrTheLogs_AndAPutWithoutThemKeepsThem()
    {
        var logs = new LogCapture();
        await using var receiver = await Receiver.StartAsync();
        await using var app = await postgres.StartAppAsync(NotificationSettings(more: LogCapture.Into(logs)));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        var webhookUrl = receiver.Url + "?token=webhook-url-secret-123";

        var webhook = await CreateChannelAsync(admin, Webhook("soc", webhookUrl));
        var slack = await CreateChannelAsync(admin, new { name = "slack", kind = "slack", slack = new { url = SlackUrl } });
        var email = await CreateChannelAsync(admin, new
        {
            name = "mail", kind = "email",
            email = new { host = "smtp.example.org", security = "starttls", username = "flowlens", password = SmtpPassword, from = "flowlens@example.org", to = new[] { "soc@example.org" } },
        });
        Assert.True(webhook.SecretSet && webhook.Webhook!.UrlSet && webhook.Webhook.SigningSecretSet);
        Assert.True(slack.SecretSet && slack.Slack!.UrlSet);
        Assert.Equal((587, "flowlens", true), (email.Email!.Port, email.Email.Username, email.Email.PasswordSet));

        // A PUT without the secrets keeps them: the test still signs with the stored secret and reaches the stored URL.
        var renamed = await admin.PutAsJsonAsync($"/api/channels/{webhook.Id}", new { name = "soc-renamed", webhook = new { format = "flowlens" } }, ct);
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var tested = await (await admin.PostAsync($"/api/channels/{webhook.Id}/test", null, ct)).Content.ReadFromJsonAsync<ChannelsApi.DeliveryResponse>(ct);
        Assert.Equal(("sent", "test", 0L), (tested!.Status, tested.Event, tested.FindingId));
        var request = Assert.Single(receiver.Requests);
        Assert.True(SignatureIsValid(request.Headers["X-FlowLens-Signature"], request.Body, SigningSecret));
        Assert.Equal("/hook", request.Path);
        var mailPut = await admin.PutAsJsonAsync($"/api/channels/{email.Id}", new
        {
            name = "mail", email = new { host = "smtp.example.org", username = "flowlens", from = "flowlens@example.org", to = new[] { "soc@example.org" } },
        }, ct);
        Assert.True((await mailPut.Content.ReadFromJsonAsync<ChannelsApi.ChannelResponse>(ct))!.Email!.PasswordSet);

        var listed = await admin.GetStringAsync("/api/channels", ct);
        var audit = await admin.GetStringAsync("/api/audit?limit=20", ct);
        Assert.Contains("soc-renamed", listed);
        Assert.Contains(AuditActions.ChannelTested, audit);
        foreach (var secret in new[] { "webhook-url-secret-123", SigningSecret, "slack-secret-token-XYZ", SmtpPassword })
        {
            Assert.DoesNotContain(secret, listed);
            Assert.DoesNotContain(secret, audit);
            Assert.DoesNotContain(secret, logs.All);
            // At rest, too: the column holds Data Protection's ciphertext.
            Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from channels where secret like '%' || $1 || '%' or config::text like '%' || $1 || '%'", secret));
        }
        Assert.Contains("soc-renamed", logs.All + audit); // the capture works: the audit names the channel
        Assert.NotEmpty(logs.All);
    }

    [Fact]
    public async Task ViewersListNamesOnly_AndCannotWrite_OrTest()
    {
        await using var app = await postgres.StartAppAsync(NotificationSettings());
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var ct = TestContext.Current.CancellationToken;
        var channel = await CreateChannelAsync(admin, Webhook("soc", "https://hooks.example.org/flowlens"));

        var seen = Assert.Single((await viewer.GetFromJsonAsync<List<ChannelsApi.ChannelResponse>>("/api/channels", ct))!);
        Assert.Equal(("soc", "webhook", true, (ChannelsApi.WebhookSettings?)null), (seen.Name, seen.Kind, seen.Enabled, seen.Webhook));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/channels", Webhook("x", "https://hooks.example.org/x"), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PutAsJsonAsync($"/api/channels/{channel.Id}", new { name = "x" }, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/api/channels/{channel.Id}", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/channels/{channel.Id}/test", null, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/deliveries?findingId=1", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.CreateClient(apiKey: null).GetAsync("/api/channels", ct)).StatusCode);
    }

    [Theory]
    [InlineData("""{"name": "x", "kind": "pager"}""", "kind", "webhook, slack or email")]
    [InlineData("""{"name": "x", "kind": "webhook", "webhook": {"url": "http://hooks.example.org/", "signingSecret": "0123456789abcdef"}}""", "webhook.url", "https")]
    [InlineData("""{"name": "x", "kind": "webhook", "webhook": {"url": "https://user:pw@hooks.example.org/", "signingSecret": "0123456789abcdef"}}""", "webhook.url", "user information")]
    [InlineData("""{"name": "x", "kind": "webhook", "webhook": {"url": "https://hooks.example.org/", "signingSecret": "short"}}""", "webhook.signingSecret", "16 to 200")]
    [InlineData("""{"name": "x", "kind": "webhook", "webhook": {"url": "https://hooks.example.org/", "signingSecret": "0123456789abcdef", "format": "cef"}}""", "webhook.format", "flowlens or ocsf")]
    [InlineData("""{"name": "x", "kind": "slack", "slack": {}}""", "slack.url", "required")]
    [InlineData("""{"name": "x", "kind": "email", "email": {"host": "smtp.example.org", "security": "none", "from": "a@example.org", "to": ["b@example.org"]}}""", "email.security", "loopback host only")]
    [InlineData("""{"name": "x", "kind": "email", "email": {"host": "smtp.example.org", "from": "not an address", "to": ["b@example.org"]}}""", "email.from", "sender")]
    [InlineData("""{"name": "x", "kind": "email", "email": {"host": "smtp.example.org", "from": "a@example.org", "to": []}}""", "email.to", "1 to 50")]
    [InlineData("""{"kind": "slack", "slack": {"url": "https://hooks.slack.com/services/x"}}""", "name", "1 to 100")]
    public async Task BadChannels_Get400_NamingTheField(string body, string field, string reason)
    {
        await using var app = await postgres.StartAppAsync(NotificationSettings(listLoopback: false));
        var response = await app.CreateClient(FlowLensApp.AdminKey).PostAsync("/api/channels",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(reason, problem.GetProperty("errors").GetProperty(field)[0].GetString());
    }

    [Fact]
    public async Task ADuplicateName_Gets409_AndAKindCannotChange_AndDeleteRemovesTheLog()
    {
        await using var app = await postgres.StartAppAsync(NotificationSettings());
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        var first = await CreateChannelAsync(admin, Webhook("soc", "https://hooks.example.org/a"));
        await ProblemAssert.IsProblemAsync(await admin.PostAsJsonAsync("/api/channels", Webhook("soc", "https://hooks.example.org/b"), ct), HttpStatusCode.Conflict);
        await ProblemAssert.IsProblemAsync(await admin.PutAsJsonAsync($"/api/channels/{first.Id}", new { name = "x", kind = "slack" }, ct), HttpStatusCode.BadRequest);
        await EnqueueAsync(app, Notice, first.Id);
        Assert.Single(await DeliveriesAsync(admin, Notice.FindingId));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/channels/{first.Id}", ct)).StatusCode);
        Assert.Empty(await DeliveriesAsync(admin, Notice.FindingId));
        await ProblemAssert.IsProblemAsync(await admin.DeleteAsync($"/api/channels/{first.Id}", ct), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await admin.PostAsync($"/api/channels/{first.Id}/test", null, ct), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync("/api/deliveries", ct), HttpStatusCode.BadRequest);
        var events = (await admin.GetFromJsonAsync<AuditApi.AuditPage>("/api/audit?limit=2", ct))!.Items;
        Assert.Equal([AuditActions.ChannelDeleted, AuditActions.ChannelCreated], events.Select(e => e.Action));
    }
}
