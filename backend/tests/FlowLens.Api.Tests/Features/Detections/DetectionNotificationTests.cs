using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Features.Detections;
using FlowLens.Api.Tests.Features.Notifications;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Detections;

/// <summary>
/// Detections to notifications, end to end: a planted attack ingested, the evaluation job run as the worker runs it,
/// its deliveries run, and a loopback webhook receiving the signed message once; a finding below its rule's minimum
/// severity is not sent, and running the job again sends nothing.
/// </summary>
public sealed class DetectionNotificationTests(PostgresFixture postgres) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - 3), TimeSpan.Zero);

    private readonly FlowLogFolder _folder = new();

    private static string Flow(string src, string dst, int srcPort, int dstPort, string action, DateTimeOffset at) =>
        $"2 123456789010 eni-0a1b2c3d {src} {dst} {srcPort} {dstPort} 6 3 180 {at.ToUnixTimeSeconds()} {at.ToUnixTimeSeconds() + 50} {action} OK";

    [Fact]
    public async Task AnOpenedFinding_IsSentToItsRulesChannels_Once_AndOnlyAtItsMinimumSeverity()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await postgres.StartAppAsync(NotificationTestKit.NotificationSettings(more: b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Detections:LookbackHours", "4");
        }));
        var source = await _folder.CreateSourceAsync(app);
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        await using var receiver = await Receiver.StartAsync();
        var channel = await NotificationTestKit.CreateChannelAsync(admin, NotificationTestKit.Webhook("soc", receiver.Url));

        async Task<RulesApi.RuleResponse> RuleAsync(string name, string severity) =>
            (await (await admin.PostAsJsonAsync("/api/rules", new
            {
                name, filter = "action = REJECT and dstport = 22", groupBy = "srcaddr", metric = "flows", threshold = 3, severity,
                channelIds = new[] { channel.Id }, minSeverity = "medium",
            }, ct)).Content.ReadFromJsonAsync<RulesApi.RuleResponse>(ct))!;
        var high = await RuleAsync("SSH refused, high", "high");
        await RuleAsync("SSH refused, low", "low");

        var at = T0.AddMinutes(1);
        _folder.WriteGzip("AWSLogs/o1.log.gz", "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
            + string.Join('\n', Enumerable.Range(1, 10).Select(i => Flow("192.0.2.77", "10.0.1.7", 53000 + i, 22, "REJECT", at)))
            + "\n" + Flow("10.0.0.1", "10.0.0.2", 40000, 443, "ACCEPT", T0.AddHours(1)));
        await app.IngestAsync(source);

        await app.RunJobAsync<DetectionJob>(job => job.RunAsync(ct));
        await NotificationTestKit.RunDeliveriesAsync(app);

        var findings = await app.ScalarAsync<long[]>("select array_agg(id order by rule_id) from findings");
        Assert.Equal(2, findings.Length); // both rules fired; only the high one is at its minimum severity
        var sent = Assert.Single(receiver.Requests);
        Assert.True(NotificationTestKit.SignatureIsValid(sent.Headers["X-FlowLens-Signature"], sent.Body, NotificationTestKit.SigningSecret));
        Assert.Equal("finding.opened", sent.Headers["X-FlowLens-Event"]);
        var finding = JsonDocument.Parse(sent.Body).RootElement.GetProperty("finding");
        Assert.Equal(high.Name, finding.GetProperty("ruleName").GetString());
        Assert.Equal(("srcaddr", "192.0.2.77", "high"), (finding.GetProperty("groupField").GetString(), finding.GetProperty("groupKey").GetString(), finding.GetProperty("severity").GetString()));
        var id = finding.GetProperty("findingId").GetInt64();
        Assert.Equal(1L, await app.ScalarAsync<long>($"select count(*) from findings where id = {id} and rule_id = {high.Id} and notified_at is not null"));
        Assert.Equal(1L, await app.ScalarAsync<long>("select count(*) from findings where notified_at is null")); // the low one

        // Again, with nothing new: nothing is sent twice.
        await app.RunJobAsync<DetectionJob>(job => job.RunAsync(ct));
        await NotificationTestKit.RunDeliveriesAsync(app);
        Assert.Single(receiver.Requests);
        Assert.Single(await NotificationTestKit.DeliveriesAsync(admin, id));
    }

    public void Dispose() => _folder.Dispose();
}
