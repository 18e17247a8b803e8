using System.Net.Http.Json;
using FlowLens.Api.Features.Demo;
using FlowLens.Api.Features.Detections;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Detections;
using FlowLens.Core.Synthetic;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Features.Demo;

/// <summary>
/// The demo's day as demo-data writes it (fewer background records), ingested, then the detection job run once as
/// the worker runs it with its default options: the planted port scan, host sweep and brute force are findings,
/// each with the evidence of its own window. One run is what "within a minute of the ingestion" takes.
/// </summary>
public sealed class DemoAttacksTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();

    [Fact]
    public async Task ThePlantedAttacks_AreFindings_AfterTheFirstDetectionRun()
    {
        var ct = TestContext.Current.CancellationToken;
        var now = DateTimeOffset.UtcNow;
        DemoData.Write(_folder.Root, now, recordsPerFile: 20);
        // The scheduled evaluation off (yearly): a run while the day's objects are still coming would judge windows on
        // part of their records; here the day is judged once it is in, as "the first run after the ingestion".
        await using var app = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Detections:Interval", "0 0 1 1 *");
        });
        // As the demo's seeder does at start, before the source exists: its threat list, and the baseline detectors fitted
        // to one day (after the ingestion, a scheduled run could judge the windows with the defaults first).
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var demo = scope.ServiceProvider.GetRequiredService<DemoContext>();
            Assert.True(await demo.SeedThreatListAsync(ct));
            Assert.Equal(2, await demo.SeedRulesAsync(ct));
        }
        var source = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(source);

        await app.RunJobAsync<DetectionJob>(job => job.RunAsync(ct));

        var page = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<FindingsApi.FindingPage>("/api/findings?limit=500", ct);
        var day = DetectionWindows.Floor(now.AddDays(-1), TimeSpan.FromMinutes(5));
        var found = page!.Items.Where(f => f.RuleKind is "port-scan" or "host-sweep" or "brute-force")
            .Select(f => (f.RuleKind, f.Key, f.Evidence.Filter, f.Evidence.From, f.Evidence.To, f.Status)).OrderBy(f => f.From).ToList();
        (string, string, string, DateTimeOffset, DateTimeOffset, string) Expected(string kind, string key, string filter, TimeSpan at) =>
            (kind, key, filter, day + at, day + at + TimeSpan.FromMinutes(5), "open");
        Assert.Equal(
        [
            Expected("port-scan", "198.51.100.23 -> 10.0.2.10", "srcaddr = 198.51.100.23 and dstaddr = 10.0.2.10", SyntheticAttacks.PortScanAt),
            Expected("host-sweep", "198.51.100.45 -> port 445", "srcaddr = 198.51.100.45 and dstport = 445", SyntheticAttacks.HostSweepAt),
            Expected("brute-force", "198.51.100.66 -> port 22", "srcaddr = 198.51.100.66 and dstport = 22", SyntheticAttacks.BruteForceAt),
        ], found);

        // The baseline detectors find the new port and the exfiltration once every window of the day is judged (oldest
        // first, a bounded number a run; a run the scheduled one holds the lock against judges nothing and says so).
        DetectionRun? run = null;
        do
        {
            await app.RunJobAsync<DetectionJob>(async job => run = await job.EvaluateAsync(ct));
        }
        while (!run!.Ran || run.Windows > 0);
        page = await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<FindingsApi.FindingPage>("/api/findings?limit=500", ct);
        var baseline = page!.Items.Where(f => f.RuleKind is "new-port" or "exfiltration").OrderBy(f => f.RuleKind).ToList();
        Assert.Equal(["exfiltration", "new-port"], baseline.Select(f => f.RuleKind));
        // The listed address's accepted visit; and S3 through the internet gateway, one finding a VPC (the reports host's
        // uploads, and the background's S3 and DynamoDB calls, as a VPC without gateway endpoints makes them).
        var listed = Assert.Single(page.Items, f => f.RuleKind == "threat-list");
        Assert.Equal($"from {SyntheticAttacks.ThreatListed}", listed.Key);
        Assert.Contains(page.Items, f => f.RuleKind == "s3-dynamodb-igw");
        Assert.EndsWith($"port {SyntheticAttacks.NewPort}", baseline[1].Key);
        // The 15 minutes of upload, judged whole in the hour where they end, also when they straddle two (the day ends at
        // the clock, so they do in the last quarter of an hour).
        Assert.Equal(SyntheticAttacks.ExfilMinutes / 5 * 50 * SyntheticAttacks.ExfilBaselineBytes + SyntheticAttacks.ExfilBaselineBytes * 12,
            baseline[0].Details.GetProperty("bytes").GetInt64());
    }

    public void Dispose() => _folder.Dispose();
}
