using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Detections;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Detections;

/// <summary>
/// The detections end to end: planted flow logs ingested through a directory source, the evaluation job run as the
/// worker would, findings read through the API. Each detector has a planted case and look-alikes that must not fire.
/// </summary>
public sealed class DetectionTests(PostgresFixture postgres) : IDisposable
{
    private readonly FlowLogFolder _folder = new();
    private int _objects;

    /// <summary>The first planted window: a whole hour three hours ago, well inside the lookback.</summary>
    private static readonly DateTimeOffset T0 = new(DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - 3), TimeSpan.Zero);

    private async Task<(FlowLensApp App, long Source)> StartAsync(int lookbackHours = 4)
    {
        var app = await postgres.StartAppAsync(b =>
        {
            _folder.Allow(b);
            b.UseSetting("FlowLens:Detections:LookbackHours", lookbackHours.ToString(System.Globalization.CultureInfo.InvariantCulture));
        });
        return (app, await _folder.CreateSourceAsync(app));
    }

    private static string Flow(string src, string dst, int srcPort, int dstPort, string action, DateTimeOffset at) =>
        $"2 123456789010 eni-0a1b2c3d {src} {dst} {srcPort} {dstPort} 6 3 180 {at.ToUnixTimeSeconds()} {at.ToUnixTimeSeconds() + 50} {action} OK";

    /// <summary>A record an hour after T0: the watermark it sets lets the windows before T0 + 50 minutes be judged.</summary>
    private static string Tail => Flow("10.0.0.1", "10.0.0.2", 40000, 443, "ACCEPT", T0.AddHours(1));

    private async Task IngestAsync(FlowLensApp app, long source, IEnumerable<string> lines)
    {
        _folder.WriteGzip($"AWSLogs/o{++_objects}.log.gz", "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
            + string.Join('\n', lines));
        await app.IngestAsync(source);
    }

    private static async Task<DetectionRun> EvaluateAsync(FlowLensApp app)
    {
        DetectionRun? run = null;
        await app.RunJobAsync<DetectionJob>(async job => run = await job.EvaluateAsync(TestContext.Current.CancellationToken));
        return run!;
    }

    private static async Task<List<FindingsApi.FindingResponse>> FindingsAsync(HttpClient client, string query = "") =>
        (await client.GetFromJsonAsync<FindingsApi.FindingPage>($"/api/findings?limit=500{query}", TestContext.Current.CancellationToken))!.Items;

    /// <summary>A port scan: one source to <paramref name="ports"/> ports of one host, rejected.</summary>
    private static IEnumerable<string> Scan(string src, string dst, IEnumerable<int> ports, DateTimeOffset at) =>
        ports.Select(p => Flow(src, dst, 50000 + p, p, "REJECT", at.AddSeconds(p % 60)));

    [Fact]
    public async Task PlantedAttacks_Fire_AndTheirLookAlikes_DoNot()
    {
        var (app, source) = await StartAsync();
        await using var _ = app;
        var ct = TestContext.Current.CancellationToken;
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var rule = await admin.PostAsJsonAsync("/api/rules", new
        {
            name = "Rejected SSH/RDP by source",
            filter = "action = REJECT and dstport in (22, 3389)",
            groupBy = "srcaddr",
            metric = "flows",
            threshold = 3,
            severity = "low",
        }, ct);
        Assert.Equal(HttpStatusCode.Created, rule.StatusCode);

        var at = T0.AddMinutes(1);
        var lines = new List<string>();
        lines.AddRange(Scan("198.51.100.7", "10.0.1.5", Enumerable.Range(1, 30), at));                                             // port scan
        lines.AddRange(Enumerable.Range(1, 40).Select(i => Flow("198.51.100.8", $"10.0.3.{i}", 51000 + i, 445, "REJECT", at)));   // host sweep
        lines.AddRange(Enumerable.Range(1, 40).Select(i => Flow("192.0.2.66", "10.0.1.7", 52000 + i, 22, "ACCEPT", at)));         // brute force
        // Look-alikes: a busy client to one port; a server answering many clients (one of them on 25 ports); a few failed
        // SSH logins; one long SSH session; an admin reaching SSH on many hosts from inside.
        lines.AddRange(Enumerable.Range(1, 200).Select(i => Flow("10.0.2.9", "10.0.1.6", 30000 + i, 443, "ACCEPT", at)));
        lines.AddRange(Enumerable.Range(1, 30).Select(i => Flow("10.0.1.6", $"203.0.113.{i}", 443, 40000 + i, "ACCEPT", at)));
        lines.AddRange(Enumerable.Range(1, 25).Select(i => Flow("10.0.1.6", "203.0.113.200", 443, 41000 + i, "ACCEPT", at)));
        lines.AddRange(Enumerable.Range(1, 5).Select(i => Flow("192.0.2.77", "10.0.1.7", 53000 + i, 22, "REJECT", at)));
        lines.AddRange(Enumerable.Range(1, 30).Select(i => Flow("192.0.2.88", "10.0.1.7", 54000, 22, "ACCEPT", at.AddSeconds(i))));
        lines.AddRange(Enumerable.Range(1, 30).Select(i => Flow("10.0.9.9", $"10.0.1.{i}", 55000 + i, 22, "ACCEPT", at)));
        lines.Add(Tail);
        await IngestAsync(app, source, lines);

        var watch = Stopwatch.StartNew();
        var run = await EvaluateAsync(app);
        TestContext.Current.TestOutputHelper?.WriteLine($"Evaluated {run.Windows} windows of {lines.Count} records in {watch.ElapsedMilliseconds} ms");
        Assert.Equal((0, 0, 0, 0), (run.RawPasses, run.CheckedGroups, run.RawThresholdParts, run.CheckedThresholdGroups)); // the digests decided every group

        var findings = await FindingsAsync(admin);
        Assert.Equal(
            [("brute-force", "192.0.2.66 -> port 22"), ("host-sweep", "198.51.100.8 -> port 445"), ("port-scan", "198.51.100.7 -> 10.0.1.5"), ("threshold", "192.0.2.77")],
            findings.Select(f => (f.RuleKind, f.Key)).Order());
        Assert.Equal(findings.Select(f => f.Id).Order(), run.Opened.Select(o => o.FindingId).Order());
        Assert.All(findings, f => Assert.Equal(("open", 1L, T0, T0.AddMinutes(5)), (f.Status, f.Count, f.Evidence.From, f.Evidence.To)));

        // Each finding's evidence opens exactly its flows.
        var scan = findings.Single(f => f.RuleKind == "port-scan");
        Assert.Equal("srcaddr = 198.51.100.7 and dstaddr = 10.0.1.5", scan.Evidence.Filter);
        Assert.Equal(30, scan.Details.GetProperty("ports").GetInt64());
        foreach (var (finding, flows) in findings.Zip(findings.Select(f => f.RuleKind switch { "port-scan" => 30, "host-sweep" => 40, "brute-force" => 40, _ => 5 })))
        {
            var summary = await admin.GetFromJsonAsync<StatsApi.Summary>(
                "/api/stats/summary?" + QueryData.Query(finding.Evidence.From, finding.Evidence.To, ("q", finding.Evidence.Filter), ("rollups", "false")), ct);
            Assert.Equal(flows, summary!.Flows);
        }

        var counts = await admin.GetFromJsonAsync<FindingsApi.FindingCounts>("/api/findings/counts", ct);
        Assert.Equal(new FindingsApi.FindingCounts(1, 2, 1, 0, 4, 0), counts);

        // Running again with nothing new changes nothing.
        var again = await EvaluateAsync(app);
        Assert.Equal((0, 0), (again.Windows, again.Opened.Count));
        Assert.Equal(findings.Select(f => f.UpdatedAt), (await FindingsAsync(admin)).Select(f => f.UpdatedAt));
    }

    [Fact]
    public async Task LateObject_CompletingAWindow_FiresOnce_AndRerunsFireNothing()
    {
        var (app, source) = await StartAsync();
        await using var _ = app;
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var at = T0.AddMinutes(20);

        await IngestAsync(app, source, [.. Scan("198.51.100.7", "10.0.1.5", Enumerable.Range(1, 12), at), Tail]);
        Assert.Empty((await EvaluateAsync(app)).Opened);
        Assert.Empty(await FindingsAsync(admin));

        // The rest of the scan arrives late, in the window judged already: judged again, it fires.
        await IngestAsync(app, source, Scan("198.51.100.7", "10.0.1.5", Enumerable.Range(13, 18), at));
        var late = await EvaluateAsync(app);
        Assert.Equal(2, late.Windows); // its 5-minute window (port scan...) and its 15-minute one (new port)
        var opened = Assert.Single(late.Opened);
        Assert.Equal("198.51.100.7 -> 10.0.1.5", opened.Key);

        Assert.Empty((await EvaluateAsync(app)).Opened);

        // Later still, more of the same window: the finding is updated, never duplicated nor opened again.
        await IngestAsync(app, source, Scan("198.51.100.7", "10.0.1.5", Enumerable.Range(31, 10), at));
        var later = await EvaluateAsync(app);
        Assert.Equal((2, 0), (later.Windows, later.Opened.Count));
        var finding = Assert.Single(await FindingsAsync(admin));
        Assert.Equal((1L, 40L, "open"), (finding.Count, finding.Details.GetProperty("ports").GetInt64(), finding.Status));
    }

    [Fact]
    public async Task Digests_DecideWhatTheirBoundsDecide_AndTheFlowsTheRest()
    {
        var (app, source) = await StartAsync();
        await using var _ = app;
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        // Four windows, each scanned by its own source in two objects (12 ports, then the rest). Ingestion keeps every
        // group of so few flows; what it does when an object has more groups than it keeps is made here by hand: a
        // group's row taken out of the second object's digest, and that slice's floor set to what the group had there.
        var (w1, w2, w3, w4) = (T0.AddMinutes(1), T0.AddMinutes(21), T0.AddMinutes(41), T0.AddMinutes(31));
        await IngestAsync(app, source, [
            .. Scan("198.51.100.1", "10.0.1.5", Enumerable.Range(1, 12), w1), .. Scan("198.51.100.2", "10.0.1.5", Enumerable.Range(1, 12), w2),
            .. Scan("198.51.100.3", "10.0.1.5", Enumerable.Range(1, 12), w3), .. Scan("198.51.100.4", "10.0.1.5", Enumerable.Range(1, 12), w4), Tail]);
        await IngestAsync(app, source, [
            .. Scan("198.51.100.1", "10.0.1.5", Enumerable.Range(13, 18), w1), .. Scan("198.51.100.2", "10.0.1.5", Enumerable.Range(13, 18), w2),
            .. Scan("198.51.100.3", "10.0.1.5", Enumerable.Range(13, 3), w3), .. Scan("198.51.100.4", "10.0.1.5", Enumerable.Range(13, 18), w4)]);
        var second = await Sql.ScalarAsync<long>(app.ConnectionString, "select max(id) from source_objects");
        async Task LeaveOutAsync(string src, DateTimeOffset at, int floor)
        {
            await Sql.ScalarAsync<int>(app.ConnectionString, """
                with d as (delete from detection_digests where object_id = $1 and family = 1 and srcaddr = $2::inet and slice = $3),
                    s as (update detection_slices set floors[1] = $4 where object_id = $1 and slice = $3)
                select 0
                """, second, src, new DateTimeOffset(Core.Stats.Rollups.BucketOf(at, TimeSpan.FromMinutes(5)), TimeSpan.Zero), floor);
        }
        // w1: 12 ports listed, up to 18 more left out: undecided, counted again on its flows (30: fires).
        await LeaveOutAsync("198.51.100.1", w1, 18);
        // w2: left out of both objects: the window's floors (12 + 18) reach the threshold, so the family reads the flows.
        await LeaveOutAsync("198.51.100.2", w2, 18);
        await Sql.ScalarAsync<int>(app.ConnectionString, "update detection_slices set floors[1] = 12 where object_id <> $1 and slice = $2 returning 0", second,
            new DateTimeOffset(Core.Stats.Rollups.BucketOf(w2, TimeSpan.FromMinutes(5)), TimeSpan.Zero));
        await Sql.ScalarAsync<int>(app.ConnectionString, """
            delete from detection_digests where family = 1 and srcaddr = '198.51.100.2' returning 0
            """);
        // w3: 12 listed and at most 3 left out: under 20 whatever they were, decided without the flows.
        await LeaveOutAsync("198.51.100.3", w3, 3);
        // w4: no digests at all (objects ingested before them): the flows, whole.
        await Sql.ScalarAsync<int>(app.ConnectionString, "with d as (delete from detection_digests where slice >= $1 and slice < $2) delete from detection_slices where slice >= $1 and slice < $2 returning 0",
            T0.AddMinutes(30), T0.AddMinutes(35));

        var run = await EvaluateAsync(app);
        Assert.Equal((1, 2), (run.CheckedGroups, run.RawPasses));
        var findings = (await FindingsAsync(admin)).Where(f => f.RuleKind == "port-scan").ToList();
        Assert.Equal(["198.51.100.1 -> 10.0.1.5", "198.51.100.2 -> 10.0.1.5", "198.51.100.4 -> 10.0.1.5"], findings.Select(f => f.Key).Order());
        Assert.All(findings, f => Assert.Equal(30, f.Details.GetProperty("ports").GetInt64()));
    }

    [Fact]
    public async Task ThresholdRules_FromDigests_DecideWhatTheirBoundsDecide_AndTheFlowsTheRest()
    {
        var (app, source) = await StartAsync();
        await using var _ = app;
        var ct = TestContext.Current.CancellationToken;
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var (w1, w2, w3) = (T0.AddMinutes(1), T0.AddMinutes(6), T0.AddMinutes(11));
        IEnumerable<string> Logins(string src, int count, DateTimeOffset at, int from = 0) =>
            Enumerable.Range(from, count).Select(i => Flow(src, "10.0.1.7", 40000 + i, 22, "REJECT", at.AddSeconds(i)));
        // w3's object comes before the rules: no digest of theirs covers it, so both read its flows.
        await IngestAsync(app, source, Logins("203.0.113.30", 8, w3));
        foreach (var (name, filter, metric, threshold) in new[] { ("SSH rejected", "action = REJECT and dstport = 22", "records", 5L), ("Ports rejected", "action = REJECT", "distinct-dstport", 10L) })
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/rules", new { name, filter, groupBy = "srcaddr", metric, threshold }, ct)).StatusCode);
        }
        // w1: 8 and 5 rejected logins (over and at the threshold), 12 and 9 distinct ports (over and under); w2: one source's
        // 8 logins in two objects, the second's group left out (by hand: 4 under a floor of 4, as if ingestion had more).
        await IngestAsync(app, source, [.. Logins("203.0.113.1", 8, w1), .. Logins("203.0.113.2", 5, w1), .. Scan("203.0.113.3", "10.0.1.5", Enumerable.Range(100, 12), w1),
            .. Scan("203.0.113.4", "10.0.1.5", Enumerable.Range(100, 9), w1), .. Logins("203.0.113.6", 4, w2),
            .. Scan("203.0.113.5", "10.0.1.5", Enumerable.Range(100, 7), w1), .. Scan("203.0.113.7", "10.0.1.5", Enumerable.Range(100, 6), w1)]);
        // Both objects list w1's scans of .5 (7 + 8 ports, 12 distinct: fires) and .7 (the same 6 ports twice: 12 listed, 6 distinct: does not).
        await IngestAsync(app, source, [.. Logins("203.0.113.6", 4, w2, from: 4), .. Scan("203.0.113.5", "10.0.1.5", Enumerable.Range(104, 8), w1),
            .. Scan("203.0.113.7", "10.0.1.5", Enumerable.Range(100, 6), w1), Tail]);
        var second = await Sql.ScalarAsync<long>(app.ConnectionString, "select max(id) from source_objects");
        var ssh = await Sql.ScalarAsync<long>(app.ConnectionString, "select id from rules where name = 'SSH rejected'");
        await Sql.ScalarAsync<int>(app.ConnectionString, """
            with d as (delete from rule_digests where object_id = $1 and rule_id = $2 and key = '203.0.113.6')
            update rule_slices set floor = 4 where object_id = $1 and rule_id = $2 and slice = $3 returning 0
            """, second, ssh, new DateTimeOffset(Core.Stats.Rollups.BucketOf(w2, TimeSpan.FromMinutes(5)), TimeSpan.Zero));

        var run = await EvaluateAsync(app);
        Assert.Equal((2, 1), (run.RawThresholdParts, run.CheckedThresholdGroups)); // w3: both rules from the flows; w2: one group checked
        var findings = (await FindingsAsync(admin)).Where(f => f.RuleKind == "threshold").ToList();
        Assert.Equal([("Ports rejected", "203.0.113.3", 12L), ("Ports rejected", "203.0.113.5", 12L), ("SSH rejected", "203.0.113.1", 8L), ("SSH rejected", "203.0.113.30", 8L), ("SSH rejected", "203.0.113.6", 8L)],
            findings.Select(f => (f.RuleName, f.Key, f.Details.GetProperty("value").GetInt64())).Order());
        Assert.All(findings, f => Assert.True(f.Details.GetProperty("exact").GetBoolean()));
        // The evidence opens exactly the flows counted.
        var scan = findings.Single(f => f.RuleName == "Ports rejected" && f.Key == "203.0.113.3");
        Assert.Equal("(action = REJECT) and srcaddr = 203.0.113.3", scan.Evidence.Filter);
        var summary = await admin.GetFromJsonAsync<StatsApi.Summary>("/api/stats/summary?" + QueryData.Query(scan.Evidence.From, scan.Evidence.To,
            ("q", scan.Evidence.Filter), ("rollups", "false")), ct);
        Assert.Equal(12, summary!.Flows);

        // A rule changed after its digests were written reads the flows (its stamp differs), and judges alike.
        var ports = await Sql.ScalarAsync<long>(app.ConnectionString, "select id from rules where name = 'Ports rejected'");
        var changed = await admin.PutAsJsonAsync($"/api/rules/{ports}", new
        {
            name = "Ports rejected", filter = "action = REJECT and dstport >= 100", groupBy = "srcaddr",
            metric = "distinct-dstport", threshold = 8
        }, ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await Sql.ScalarAsync<int>(app.ConnectionString, "update rules set evaluated_to = null where id = $1 returning 0", ports); // judge its windows anew
        var again = await EvaluateAsync(app);
        Assert.Equal(3, again.RawThresholdParts); // its three windows
        Assert.Equal(["203.0.113.3", "203.0.113.4", "203.0.113.5"], (await FindingsAsync(admin)).Where(f => f.RuleName == "Ports rejected").Select(f => f.Key).Order());
    }

    [Fact]
    public async Task ThreatListTraffic_AndS3ThroughTheInternetGateway_Fire_AndTheirLookAlikes_DoNot()
    {
        var (app, source) = await StartAsync();
        await using var _ = app;
        var ct = TestContext.Current.CancellationToken;
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var list = await ThreatLists.ThreatListsApiTests.CreateAsync(admin, new { name = "bad-actors" });
        Assert.True((await ThreatLists.ThreatListsApiTests.UploadAsync(admin, list.Id, "203.0.113.0/24\n198.51.100.99\n")).IsSuccessStatusCode);

        var at = T0.AddMinutes(1);
        string V5(string src, string dst, int srcPort, int dstPort, string action, long bytes, string service, string path, string vpc = "vpc-0main") =>
            $"5 123456789010 eni-0a1b2c3d {vpc} {src} {dst} {srcPort} {dstPort} 6 3 {bytes} {at.ToUnixTimeSeconds()} {at.ToUnixTimeSeconds() + 50} {action} OK {service} {path}";
        _folder.WriteGzip("AWSLogs/v5.log.gz", "version account-id interface-id vpc-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status pkt-dst-aws-service traffic-path\n"
            + string.Join('\n', [
                V5("203.0.113.5", "10.0.1.7", 51000, 443, "ACCEPT", 900, "-", "-"),             // from a listed address, accepted: fires
                V5("10.0.1.8", "198.51.100.99", 42000, 8080, "REJECT", 120, "-", "8"),          // to a listed address, even rejected: fires
                V5("10.0.1.9", "52.216.8.1", 43000, 443, "ACCEPT", 5000, "S3", "8", "vpc-0s3igw"),  // S3 through the internet gateway: fires
                // Look-alikes: a listed scanner rejected; neighbours of listed addresses; S3 through the gateway endpoint (7) and DynamoDB
                // from the same VPC path (1); an ordinary internet call through the internet gateway.
                V5("203.0.113.6", "10.0.1.7", 51001, 22, "REJECT", 60, "-", "-"),
                V5("198.51.100.98", "10.0.1.7", 51002, 443, "ACCEPT", 900, "-", "-"),
                V5("10.0.1.8", "198.51.100.100", 42001, 8080, "ACCEPT", 900, "-", "8"),
                V5("10.0.1.10", "52.216.8.2", 43001, 443, "ACCEPT", 5000, "S3", "7", "vpc-0s3gwe"),
                V5("10.0.1.11", "3.5.0.9", 43002, 443, "ACCEPT", 5000, "DYNAMODB", "1", "vpc-0ddb"),
                V5("10.0.1.12", "93.184.216.34", 43003, 443, "ACCEPT", 5000, "-", "8", "vpc-0web"),
            ]));
        _folder.WriteGzip("AWSLogs/tail.log.gz", "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
            + Flow("10.0.0.1", "10.0.0.2", 40000, 443, "ACCEPT", T0.AddHours(2)));
        await app.IngestAsync(source);

        var run = await EvaluateAsync(app);
        Assert.Equal((0, 0), (run.RawThresholdParts, run.CheckedThresholdGroups));
        var findings = (await FindingsAsync(admin)).Where(f => f.RuleKind is "threat-list" or "s3-dynamodb-igw").ToList();
        Assert.Equal([("s3-dynamodb-igw", "vpc-0s3igw"), ("threat-list", "from 203.0.113.5"), ("threat-list", "to 198.51.100.99")],
            findings.Select(f => (f.RuleKind, f.Key)).Order());
        var hit = findings.Single(f => f.Key == "to 198.51.100.99");
        Assert.Equal("(dst-threat-list = '*') and dstaddr = 198.51.100.99", hit.Evidence.Filter);
        var summary = await admin.GetFromJsonAsync<StatsApi.Summary>("/api/stats/summary?" + QueryData.Query(hit.Evidence.From, hit.Evidence.To,
            ("q", hit.Evidence.Filter), ("rollups", "false")), ct);
        Assert.Equal(1, summary!.Flows);
        Assert.Equal(5000, findings.Single(f => f.RuleKind == "s3-dynamodb-igw").Details.GetProperty("value").GetInt64());

        // The list changes after the digests were written: they summed the old list, so the window is read from the flows.
        Assert.True((await ThreatLists.ThreatListsApiTests.UploadAsync(admin, list.Id, "203.0.113.0/24\n198.51.100.99\n198.51.100.98\n")).IsSuccessStatusCode);
        await Sql.ScalarAsync<int>(app.ConnectionString, "update rules set evaluated_to = null where kind = 'threat-list' returning 0");
        var again = await EvaluateAsync(app);
        Assert.Equal(2, again.RawThresholdParts); // from and to, in the one window with records
        Assert.Contains(await FindingsAsync(admin), f => f.Key == "from 198.51.100.98");
    }

    [Fact]
    public async Task ANewPort_AndBytesOutFarAboveBaseline_Fire_AndTheirLookAlikes_DoNot()
    {
        var (app, source) = await StartAsync(lookbackHours: 12);
        await using var _ = app;
        var ct = TestContext.Current.CancellationToken;
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var rules = (await admin.GetFromJsonAsync<List<RulesApi.RuleResponse>>("/api/rules", ct))!;
        async Task TuneAsync(string kind, object parameters)
        {
            var rule = rules.Single(r => r.Kind == kind);
            var tuned = await admin.PutAsJsonAsync($"/api/rules/{rule.Id}", new { name = rule.Name, parameters }, ct);
            Assert.Equal(HttpStatusCode.OK, tuned.StatusCode);
        }
        await TuneAsync("new-port", new { baselineHours = 2, minFlows = 3 });
        await TuneAsync("exfiltration", new { baselineHours = 24, factor = 10, minBytes = 10_000_000 });

        static string On(string eni, string src, string dst, int srcPort, int dstPort, long bytes, DateTimeOffset at) =>
            $"2 123456789010 {eni} {src} {dst} {srcPort} {dstPort} 6 10 {bytes} {at.ToUnixTimeSeconds()} {at.ToUnixTimeSeconds() + 50} ACCEPT OK";
        var h0 = new DateTimeOffset(DateTime.UtcNow.Date.AddHours(DateTime.UtcNow.Hour - 11), TimeSpan.Zero);
        var lines = new List<string>();
        for (var h = 0; h < 8; h++)
        {
            var at = h0.AddHours(h).AddMinutes(7);
            // A web server's usual hour: clients to 443, its answers, its own calls out (and their replies), 1 MB out;
            // a database server that sends 40 MB out every hour.
            lines.AddRange(Enumerable.Range(1, 5).Select(i => On("eni-web", $"203.0.113.{i}", "10.0.1.10", 50000 + i, 443, 5000, at)));
            lines.AddRange(Enumerable.Range(1, 5).Select(i => On("eni-web", "10.0.1.10", $"203.0.113.{i}", 443, 50000 + i, 200_000, at)));
            lines.Add(On("eni-web", "198.51.100.50", "10.0.1.10", 443, 40001, 3000, at));
            lines.Add(On("eni-db", "10.0.2.20", "198.51.100.60", 41000 + h, 443, 40_000_000, at));
            lines.Add(On("eni-app", "10.0.4.40", "198.51.100.70", 42000 + h, 443, 1_000_000, at));
        }
        var spike = h0.AddHours(8).AddMinutes(7);
        lines.AddRange(Enumerable.Range(1, 5).Select(i => On("eni-web", $"203.0.113.{i}", "10.0.1.10", 50000 + i, 443, 5000, spike)));
        lines.AddRange(Enumerable.Range(1, 4).Select(i => On("eni-web", $"203.0.113.{i}", "10.0.1.10", 51000 + i, 8081, 5000, spike)));  // new port
        lines.AddRange(Enumerable.Range(1, 2).Select(i => On("eni-web", $"203.0.113.{i}", "10.0.1.10", 52000 + i, 9090, 5000, spike)));  // under minFlows
        lines.AddRange(Enumerable.Range(1, 5).Select(i => On("eni-new", $"203.0.113.{i}", "10.0.3.30", 53000 + i, 9000, 5000, spike)));  // no history
        lines.Add(On("eni-web", "10.0.1.10", "198.51.100.99", 44000, 443, 50_000_000, spike));                                            // exfiltration
        lines.Add(On("eni-db", "10.0.2.20", "198.51.100.60", 41100, 443, 45_000_000, spike));                                             // its usual
        lines.Add(On("eni-web", "10.0.1.10", "10.0.2.20", 45000, 5432, 500_000_000, spike));                                              // inside to inside
        // Across a window's end: a new port with 2 flows in the last minutes of one 15-minute window and 2 in the next, and
        // 6 MB out in the last slice of one hour and 6 MB in the first of the next (each hour under minBytes alone).
        lines.AddRange(Enumerable.Range(1, 2).Select(i => On("eni-web", $"203.0.113.{i}", "10.0.1.10", 54000 + i, 8443, 5000, h0.AddHours(8).AddMinutes(12))));
        lines.AddRange(Enumerable.Range(3, 2).Select(i => On("eni-web", $"203.0.113.{i}", "10.0.1.10", 54000 + i, 8443, 5000, h0.AddHours(8).AddMinutes(17))));
        lines.Add(On("eni-app", "10.0.4.40", "198.51.100.70", 42100, 443, 1_000_000, spike));
        lines.Add(On("eni-app", "10.0.4.40", "198.51.100.71", 42101, 443, 6_000_000, h0.AddHours(8).AddMinutes(57)));
        lines.Add(On("eni-app", "10.0.4.40", "198.51.100.71", 42102, 443, 6_000_000, h0.AddHours(9).AddMinutes(2)));
        lines.Add(On("eni-web", "10.0.1.10", "10.0.2.20", 45001, 5432, 1, h0.AddHours(10).AddMinutes(25)));                              // the watermark
        await IngestAsync(app, source, lines);

        while ((await EvaluateAsync(app)).Windows > 0)
        {
        }
        var findings = await FindingsAsync(admin);
        Assert.Equal([("exfiltration", "eni-app"), ("exfiltration", "eni-web"), ("new-port", "eni-web port 8081"), ("new-port", "eni-web port 8443")],
            findings.Select(f => (f.RuleKind, f.Key)).Order());
        // The two straddling cases are judged whole, in the window where their span ends, once.
        var straddling = findings.Single(f => f.Key == "eni-app");
        Assert.Equal((13_000_000L, h0.AddHours(8).AddMinutes(5)), (straddling.Details.GetProperty("bytes").GetInt64(), straddling.Evidence.From));
        Assert.Equal(4, findings.Single(f => f.Key == "eni-web port 8443").Details.GetProperty("flows").GetInt64());
        var exfiltration = findings.Single(f => f.Key == "eni-web");
        Assert.Equal(50_000_000, exfiltration.Details.GetProperty("bytes").GetInt64());
        Assert.Equal(1_000_000 * 8 / 24, exfiltration.Details.GetProperty("baselineBytes").GetInt64());
        var summary = await admin.GetFromJsonAsync<StatsApi.Summary>("/api/stats/summary?" + QueryData.Query(exfiltration.Evidence.From, exfiltration.Evidence.To,
            ("q", exfiltration.Evidence.Filter), ("rollups", "false")), ct);
        Assert.Equal(50_000_000, summary!.Bytes);
    }

    [Fact]
    public async Task Digests_GoWithTheirObjectWhenItIsReplaced_AndWithTheirSource()
    {
        var (app, source) = await StartAsync();
        await using var _ = app;
        const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n";
        _folder.WriteGzip("AWSLogs/replaced.log.gz", Header + string.Join('\n', Scan("198.51.100.7", "10.0.1.5", Enumerable.Range(1, 30), T0)));
        await app.IngestAsync(source);
        const string Digested = "select (select coalesce(sum(records), 0) from detection_slices) || ' ' || (select count(*) from detection_digests)";
        Assert.Equal("30 1", await Sql.ScalarAsync<string>(app.ConnectionString, Digested)); // a port-scan group (the host sweeps and the login have one member: not listed)
        // A new version of the object: the old one's digests go with its flows.
        _folder.WriteGzip("AWSLogs/replaced.log.gz", Header + string.Join('\n', Scan("198.51.100.7", "10.0.1.5", Enumerable.Range(1, 10), T0)));
        await app.IngestAsync(source);
        Assert.Equal("10 1", await Sql.ScalarAsync<string>(app.ConnectionString, Digested));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/sources/{source}", TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal("0 0", await Sql.ScalarAsync<string>(app.ConnectionString, Digested));
    }

    [Fact]
    public async Task ResolvedFinding_FiringInANewWindow_Reopens_ButNotForTheWindowItWasResolvedFrom()
    {
        var (app, source) = await StartAsync();
        await using var _ = app;
        var ct = TestContext.Current.CancellationToken;
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        await IngestAsync(app, source, [.. Scan("198.51.100.7", "10.0.1.5", Enumerable.Range(1, 30), T0.AddMinutes(1)), Tail]);
        var first = Assert.Single((await EvaluateAsync(app)).Opened);

        // A viewer triages: assigns, then resolves.
        var assigned = await viewer.PatchAsJsonAsync($"/api/findings/{first.FindingId}", new { assignee = "alice" }, ct);
        Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        var resolved = await viewer.PatchAsJsonAsync($"/api/findings/{first.FindingId}", new { status = "resolved" }, ct);
        Assert.Equal(("resolved", "alice"), await resolved.Content.ReadFromJsonAsync<FindingsApi.FindingResponse>(ct) is { } r ? (r.Status, r.Assignee) : default);

        // Late rows of the window it fired in: judged again, but that window counted already.
        await IngestAsync(app, source, Scan("198.51.100.7", "10.0.1.5", Enumerable.Range(31, 5), T0.AddMinutes(1)));
        Assert.Empty((await EvaluateAsync(app)).Opened);
        Assert.Equal("resolved", (await FindingsAsync(viewer)).Single().Status);

        // The same scan in a later window: reopened, and reported as opened.
        await IngestAsync(app, source, Scan("198.51.100.7", "10.0.1.5", Enumerable.Range(1, 30), T0.AddMinutes(16)));
        var reopened = Assert.Single((await EvaluateAsync(app)).Opened);
        Assert.Equal(first.FindingId, reopened.FindingId);
        var finding = Assert.Single(await FindingsAsync(viewer));
        Assert.Equal(("open", 2L, T0.AddMinutes(15), T0.AddMinutes(20)), (finding.Status, finding.Count, finding.Evidence.From, finding.Evidence.To));

        // Bulk acknowledge; the audit log has every triage.
        var bulk = await viewer.PostAsJsonAsync("/api/findings/bulk", new { ids = new[] { finding.Id, 999_999 }, status = "acknowledged" }, ct);
        Assert.Equal(1, (await bulk.Content.ReadFromJsonAsync<FindingsApi.BulkResponse>(ct))!.Updated);
        var actions = await Sql.ColumnAsync<string>(app.ConnectionString, "select action from audit_events where action like 'finding%' order by id");
        Assert.Equal([AuditActions.FindingUpdated, AuditActions.FindingUpdated, AuditActions.FindingsBulkUpdated], actions);
    }

    [Fact]
    public async Task TwoEvaluationsAtOnce_MakeOneFinding()
    {
        var (app, source) = await StartAsync();
        await using var _ = app;
        await IngestAsync(app, source, [.. Scan("198.51.100.7", "10.0.1.5", Enumerable.Range(1, 30), T0.AddMinutes(1)), Tail]);

        var runs = await Task.WhenAll(EvaluateAsync(app), EvaluateAsync(app), EvaluateAsync(app));

        Assert.Single(runs.SelectMany(r => r.Opened));
        Assert.Single(await FindingsAsync(app.CreateClient(FlowLensApp.AdminKey)));
        Assert.Empty((await EvaluateAsync(app)).Opened);
    }

    [Fact]
    public async Task Rules_AdminsWrite_ViewersRead_BadRulesAre400_BuiltInsAreTunedNotDeleted()
    {
        var (app, _) = await StartAsync();
        await using var __ = app;
        var ct = TestContext.Current.CancellationToken;
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));

        var rules = (await viewer.GetFromJsonAsync<List<RulesApi.RuleResponse>>("/api/rules", ct))!;
        Assert.Equal(["port-scan", "host-sweep", "brute-force", "source-silent", "new-port", "exfiltration", "threat-list", "s3-dynamodb-igw"], rules.Select(r => r.Kind));
        Assert.All(rules, r => Assert.True(r.BuiltIn && r.Enabled));
        Assert.Equal(20, rules[0].Parameters["minPorts"]);

        var good = new { name = "Big talkers", filter = "dstaddr = 10.0.0.0/8", groupBy = "srcaddr", metric = "bytes", threshold = 1_000_000, window = "1h" };
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/rules", good, ct)).StatusCode);

        var badFilter = await ProblemAssert.IsProblemAsync(await admin.PostAsJsonAsync("/api/rules", good with { filter = "dstport = 22 and" }, ct), HttpStatusCode.BadRequest);
        Assert.True(badFilter.GetProperty("errors").TryGetProperty("filter", out _));
        Assert.Equal(17, badFilter.GetProperty("position").GetInt32()); // the end: a comparison is missing
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/rules", good with { groupBy = "colour" }, ct), "groupBy");
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/rules", good with { window = "10m" }, ct), "window");
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/rules", new { name = "x", kind = "port-scan" }, ct), "kind");

        var created = await admin.PostAsJsonAsync("/api/rules", good, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var rule = (await created.Content.ReadFromJsonAsync<RulesApi.RuleResponse>(ct))!;
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/rules", good, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/rules/{rule.Id}", ct)).StatusCode);

        // A built-in detector: tuned and disabled, not deleted; its parameters checked.
        var scan = rules[0];
        await ProblemAssert.IsBadParameterAsync(await admin.PutAsJsonAsync($"/api/rules/{scan.Id}",
            new { name = scan.Name, parameters = new { minPorts = 1 } }, ct), "parameters");
        var tuned = await admin.PutAsJsonAsync($"/api/rules/{scan.Id}", new { name = scan.Name, enabled = false, window = "15m", parameters = new { minPorts = 50 } }, ct);
        Assert.Equal(HttpStatusCode.OK, tuned.StatusCode);
        var after = (await tuned.Content.ReadFromJsonAsync<RulesApi.RuleResponse>(ct))!;
        Assert.Equal((false, "15m", 50.0, 1), (after.Enabled, after.Window, after.Parameters["minPorts"], after.Parameters.Count));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.DeleteAsync($"/api/rules/{scan.Id}", ct)).StatusCode);

        var audited = await Sql.ColumnAsync<string>(app.ConnectionString, "select action from audit_events where action like 'rule.%' order by id");
        Assert.Equal([AuditActions.RuleCreated, AuditActions.RuleDeleted, AuditActions.RuleUpdated], audited);
    }

    [Fact]
    public async Task ARuleOnASavedSearch_TakesItsFilter_FollowsItsEdits_AndKeepsItWhenTheSearchIsDeleted()
    {
        var (app, source) = await StartAsync();
        await using var _ = app;
        var ct = TestContext.Current.CancellationToken;
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        async Task<long> SearchAsync(HttpClient client, string name, string filter, bool shared)
        {
            var response = await client.PostAsJsonAsync("/api/searches", new { name, filter, shared }, ct);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetInt64();
        }
        var ssh = await SearchAsync(admin, "SSH rejected", "action = REJECT and dstport = 22", shared: false);
        var theirs = await SearchAsync(viewer, "Viewer's own", "dstport = 443", shared: false);
        var team = await SearchAsync(viewer, "Team's", "dstport = 3389", shared: true);
        var rule = new { name = "Knocking", searchId = ssh, groupBy = "srcaddr", metric = "flows", threshold = 2 };

        // Only a search the admin sees: someone else's private one is as unknown as none; a filter of its own is refused.
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/rules", rule with { searchId = theirs }, ct), "searchId");
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/rules", rule with { searchId = 987_654L }, ct), "searchId");
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/rules", new { rule.name, rule.searchId, filter = "dstport = 23", rule.groupBy, rule.metric, rule.threshold }, ct), "filter");
        var portScan = (await admin.GetFromJsonAsync<List<RulesApi.RuleResponse>>("/api/rules", ct))![0];
        await ProblemAssert.IsBadParameterAsync(await admin.PutAsJsonAsync($"/api/rules/{portScan.Id}", new { name = portScan.Name, searchId = ssh }, ct), "searchId");
        var onTeam = await admin.PostAsJsonAsync("/api/rules", rule with { name = "On the team's", searchId = team }, ct);
        Assert.Equal("dstport = 3389", (await onTeam.Content.ReadFromJsonAsync<RulesApi.RuleResponse>(ct))!.Filter);

        var created = await admin.PostAsJsonAsync("/api/rules", rule, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var knocking = (await created.Content.ReadFromJsonAsync<RulesApi.RuleResponse>(ct))!;
        Assert.Equal(("action = REJECT and dstport = 22", ssh), (knocking.Filter, knocking.SearchId));

        // The search's edit is the rule's: its next windows count RDP, not SSH.
        var edited = await admin.PutAsJsonAsync($"/api/searches/{ssh}", new { name = "RDP rejected", filter = "action = REJECT and dstport = 3389" }, ct);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var followed = (await admin.GetFromJsonAsync<RulesApi.RuleResponse>($"/api/rules/{knocking.Id}", ct))!;
        Assert.Equal(("action = REJECT and dstport = 3389", ssh), (followed.Filter, followed.SearchId));
        Assert.True(followed.UpdatedAt > knocking.UpdatedAt);
        Assert.Equal($"Knocking (#{knocking.Id})|filter follows search:RDP rejected (#{ssh})", await Sql.ScalarAsync<string>(app.ConnectionString,
            "select target || '|' || detail from audit_events where action = 'rule.updated' order by id desc limit 1"));
        await ProblemAssert.IsBadParameterAsync(await admin.PutAsJsonAsync($"/api/rules/{knocking.Id}", new { rule.name, filter = "dstport = 22", rule.searchId, rule.groupBy, rule.metric, rule.threshold }, ct), "filter");
        // Re-saving the rule as the dashboard does (its filter as it is) is fine.
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/rules/{knocking.Id}",
            new { rule.name, followed.Filter, rule.searchId, rule.groupBy, rule.metric, threshold = 3 }, ct)).StatusCode);

        await IngestAsync(app, source, [
            .. Enumerable.Range(0, 5).Select(i => Flow("198.51.100.7", "10.0.0.5", 40000 + i, 3389, "REJECT", T0.AddSeconds(i))),
            .. Enumerable.Range(0, 5).Select(i => Flow("198.51.100.8", "10.0.0.5", 40000 + i, 22, "REJECT", T0.AddSeconds(i))),
            Tail]);
        await EvaluateAsync(app);
        var findings = await FindingsAsync(admin);
        Assert.Equal(["198.51.100.7"], findings.Where(f => f.RuleId == knocking.Id).Select(f => f.Key));

        // Deleted, the search leaves the rule its last filter.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/searches/{ssh}", ct)).StatusCode);
        var orphan = (await admin.GetFromJsonAsync<RulesApi.RuleResponse>($"/api/rules/{knocking.Id}", ct))!;
        Assert.Equal(("action = REJECT and dstport = 3389", (long?)null), (orphan.Filter, orphan.SearchId));
    }

    [Fact]
    public async Task ASourceGoneSilent_FiresOnce_ButNotALiveOne_NorADisabledOne()
    {
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        async Task<long> SourceAsync(string name)
        {
            _folder.WriteGzip($"{name}/o.log.gz", Tail);
            var created = await admin.PostAsJsonAsync("/api/sources", new { name, kind = "directory", directory = new { path = Path.Combine(_folder.Root, name) } });
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            await app.IngestAsync(id);
            return id;
        }
        var (silent, live, disabled) = (await SourceAsync("silent"), await SourceAsync("live"), await SourceAsync("disabled"));
        // Two of them last delivered three hours ago (past the default 60 minutes); one of those is switched off.
        await app.ScalarAsync<long>("with aged as (update source_objects set ingested_at = ingested_at - interval '3 hours' where source_id <> $1 returning 1) select count(*) from aged", live);
        await app.ScalarAsync<long>("with off as (update sources set enabled = false where id = $1 returning 1) select count(*) from off", disabled);

        var run = await EvaluateAsync(app);

        var finding = Assert.Single(await FindingsAsync(admin));
        Assert.Equal(("source-silent", "source silent", "high", silent), (finding.RuleKind, finding.Key, finding.Severity, finding.Details.GetProperty("sourceId").GetInt64()));
        Assert.Equal(finding.Id, Assert.Single(run.Opened).FindingId);
        Assert.Empty((await EvaluateAsync(app)).Opened);
    }

    public void Dispose() => _folder.Dispose();
}
