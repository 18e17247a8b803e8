using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Detections;
using FlowLens.Api.Features.Flows;
using FlowLens.Api.Features.Stats;
using FlowLens.Api.Tests.Features.Flows;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Auth;

/// <summary>
/// Scopes (#25): three teams' accounts in one source; keys scoped to one account, to one VPC, and to both, walk every
/// read endpoint. Nothing of another team may show: no row, key, sum or count — in tops, time series' "other",
/// totals, exports, pages after a cursor taken from another team's rows, filters naming another account, sources,
/// findings, and the inventory's names of the other teams' resources.
/// </summary>
[Slow]
public sealed class ScopeTests(PostgresFixture postgres) : IDisposable
{
    private static readonly long Start = DateTimeOffset.UtcNow.AddMinutes(-50).ToUnixTimeSeconds();
    private readonly FlowLogFolder _folder = new();

    /// <summary>A team: its account, VPC, ENIs, inside and internet addresses, its port, and its inventory's names.</summary>
    private sealed record Team(string Account, string Vpc, string Eni, string Inside, string Internet, int Port, string Instance, string Group)
    {
        /// <summary>What only this team's data holds: none of it may reach another team's caller.</summary>
        public string[] Tokens => [Account, Vpc, Eni, Internet, Instance, Group];
    }

    private static readonly Team A = new("111111111111", "vpc-0aaaaaaaaaaaaaaaa", "eni-aaaa", "10.1.0.", "198.18.1.", 1111, "a-web-server", "sg-aaaa1");
    private static readonly Team B = new("222222222222", "vpc-0bbbbbbbbbbbbbbbb", "eni-bbbb", "10.2.0.", "198.18.2.", 2222, "b-secret-db", "sg-bbbb1");
    private static readonly Team C = new("333333333333", "vpc-0cccccccccccccccc", "eni-cccc", "10.3.0.", "198.18.3.", 3333, "c-batch-host", "sg-cccc1");

    /// <summary>One record as written, with the fields the checks group by.</summary>
    private sealed record Line(Team Team, string Eni, string Src, string Dst, int DstPort, long Bytes, long Packets, bool Rejected, bool NoData)
    {
        public string Text(int i) => NoData
            ? $"3 {Team.Account} {Eni} - - - - - - - {Start + i} {Start + 60 + i} - NODATA {Team.Vpc} subnet-0{Team.Port} -"
            : $"3 {Team.Account} {Eni} {Src} {Dst} {40000 + i} {DstPort} 6 {Packets} {Bytes} {Start + i} {Start + 60 + i} {(Rejected ? "REJECT" : "ACCEPT")} OK {Team.Vpc} subnet-0{Team.Port} i-0{Team.Port}";

        public string? Value(string field) => NoData && field is "srcaddr" or "dstaddr" or "dstport" ? null : field switch
        {
            "srcaddr" => Src,
            "dstaddr" => Dst,
            "dstport" => DstPort.ToString(CultureInfo.InvariantCulture),
            "interface-id" => Eni,
            "account-id" => Team.Account,
            "vpc-id" => Team.Vpc,
            _ => throw new ArgumentException(field),
        };
    }

    private static List<Line> Lines(Team team, int count) =>
    [
        .. Enumerable.Range(0, count).Select(i => new Line(team, $"{team.Eni}{i % 3}", $"{team.Internet}{i % 9 + 1}", $"{team.Inside}{i % 4 + 1}",
            team.Port, 100 + i * 37 % 1000, 1 + i % 5, Rejected: i % 4 == 0, NoData: false)),
        new Line(team, team.Eni + "0", "", "", 0, 0, 0, false, NoData: true),
    ];

    private static readonly List<Line> ALines = [.. Lines(A, 40), new Line(A, "eni-aaaa0", "10.1.0.1", "10.2.0.9", 5432, 777, 3, false, false)];
    private static readonly List<Line> BLines = Lines(B, 30);
    private static readonly List<Line> CLines = Lines(C, 20);

    private const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id";

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ScopedKeys_WalkEveryReadEndpoint_AndSeeNothingOfAnotherTeam()
    {
        var ct = TestContext.Current.CancellationToken;
        var day = DateTimeOffset.FromUnixTimeSeconds(Start).UtcDateTime;
        var all = ALines.Concat(BLines).Concat(CLines).ToList();
        // One object per team, as AWS writes one per account, and one holding all three (an organisation's trail).
        foreach (var (team, lines) in new[] { (A, ALines[..20]), (B, BLines[..15]), (C, CLines[..10]) })
        {
            _folder.WriteGzip($"AWSLogs/{team.Account}/vpcflowlogs/us-east-1/{day:yyyy/MM/dd}/{team.Account}_vpcflowlogs_us-east-1_fl-0_{day:yyyyMMdd'T'HHmm'Z'}_{team.Port}.log.gz",
                Header + "\n" + string.Join("\n", lines.Select((l, i) => l.Text(i))) + "\n");
        }
        var rest = ALines[20..].Concat(BLines[15..]).Concat(CLines[10..]).ToList();
        _folder.WriteGzip($"AWSLogs/999999999999/vpcflowlogs/us-east-1/{day:yyyy/MM/dd}/999999999999_vpcflowlogs_us-east-1_fl-0_{day:yyyyMMdd'T'HHmm'Z'}_all.log.gz",
            Header + "\n" + string.Join("\n", rest.Select((l, i) => l.Text(100 + i))) + "\n");
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var sourceId = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(sourceId);
        Assert.Equal(all.Count, (await app.GetSourceAsync(sourceId)).Status.RecordsIngested);
        await AddInventoryAsync(app, sourceId);
        var findingId = await app.ScalarAsync<long>("""
            insert into findings (rule_id, group_key, severity, status, first_seen, last_seen, count, evidence_filter, evidence_from, evidence_to, details, opened_at, created_at, updated_at)
            select id, '198.18.2.1', 'high', 'open', now(), now(), 1, 'srcaddr = 198.18.2.1', now() - interval '1 hour', now(), '{}', now(), now(), now() from rules order by id limit 1
            returning id
            """);
        var admin = app.CreateClient(FlowLensApp.AdminKey);

        // The unscoped answers hold every team: the walk below would find another team's data if the scope let it through.
        await AssertSumsAsync(admin, "", all);
        var adminFlows = await admin.GetStringAsync(FlowsUrl(""), ct);
        Assert.All(B.Tokens.Concat(C.Tokens), token => Assert.Contains(token, adminFlows));

        var onlyA = await CreateKeyAsync(admin, new { accounts = new[] { A.Account } });
        var onlyC = await CreateKeyAsync(admin, new { vpcs = new[] { C.Vpc } });
        var aAndC = await CreateKeyAsync(admin, new { accounts = new[] { A.Account }, vpcs = new[] { C.Vpc } });

        await WalkAsync(app, onlyA, ALines, [B, C], sourceId, findingId);
        await WalkAsync(app, onlyC, CLines, [A, B], sourceId, findingId);
        await WalkAsync(app, aAndC, [.. ALines, .. CLines], [B], sourceId, findingId);

        // The scoped viewer sees its own inventory; the admin sees every team's.
        var aContext = await app.CreateClient(onlyA).GetStringAsync($"/api/context/address/{A.Inside}1", ct);
        Assert.Contains(A.Instance, aContext);
        Assert.Contains(B.Instance, await admin.GetStringAsync($"/api/context/address/{B.Inside}9", ct));
        Assert.Contains(B.Instance, await admin.GetStringAsync("/api/filter/values?field=instance-name", ct));
        var me = await app.CreateClient(aAndC).GetFromJsonAsync<MeApi.Me>("/api/me", ct);
        Assert.Equal(new[] { A.Account }, me!.Scope.Accounts);
        Assert.Equal(new[] { C.Vpc }, me.Scope.Vpcs);
    }

    /// <summary>Every read endpoint with <paramref name="key"/>: the answers equal the sums of <paramref name="mine"/>, and no token of <paramref name="others"/> appears.</summary>
    private static async Task WalkAsync(FlowLensApp app, string key, List<Line> mine, Team[] others, long sourceId, long findingId)
    {
        var ct = TestContext.Current.CancellationToken;
        var client = app.CreateClient(key);
        var tokens = others.SelectMany(t => t.Tokens).ToArray();
        async Task<string> GetAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
        {
            var response = await client.GetAsync(url, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            Assert.True(expected == response.StatusCode, $"{url}: {response.StatusCode} {body}");
            foreach (var token in tokens)
            {
                Assert.False(body.Contains(token, StringComparison.Ordinal), $"{url} shows '{token}' of another team: {body[..Math.Min(body.Length, 2000)]}");
            }
            return body;
        }

        foreach (var range in Ranges)
        {
            await AssertSumsAsync(client, range, mine);
            foreach (var q in new[] { "", "action = REJECT", "protocol = tcp" })
            {
                var filtered = q switch { "action = REJECT" => mine.Where(l => l.Rejected && !l.NoData).ToList(), "protocol = tcp" => mine.Where(l => !l.NoData).ToList(), _ => mine };
                var summary = JsonSerializer.Deserialize<StatsApi.Summary>(await GetAsync($"/api/stats/summary?{range}&q={Uri.EscapeDataString(q)}"), JsonSerializerOptions.Web)!;
                Assert.Equal(filtered.Sum(l => l.Bytes), summary.Bytes);
                foreach (var by in new[] { "srcaddr", "dstaddr", "dstport", "interface-id", "account-id", "vpc-id" })
                {
                    foreach (var metric in new[] { "bytes", "flows" })
                    {
                        var top = JsonSerializer.Deserialize<StatsApi.TopResponse>(
                            await GetAsync($"/api/stats/top?{range}&by={by}&metric={metric}&limit=100&q={Uri.EscapeDataString(q)}"), JsonSerializerOptions.Web)!;
                        var expected = filtered.Where(l => l.Value(by) is not null).GroupBy(l => l.Value(by)!)
                            .ToDictionary(g => g.Key, g => (Bytes: g.Sum(l => l.Bytes), Flows: (long)g.Count(l => !l.NoData)));
                        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), top.Items.Select(i => i.Key).Order(StringComparer.Ordinal));
                        Assert.All(top.Items, i => Assert.Equal(expected[i.Key], (i.Bytes, i.Flows)));
                    }
                }
            }
            // A time series of the busiest destination alone: "other" holds the rest of this caller's bytes, and no more.
            var series = JsonSerializer.Deserialize<StatsApi.TimeSeriesResponse>(
                await GetAsync($"/api/stats/timeseries?{range}&interval=5m&groupBy=dstaddr&limit=1&metric=bytes"), JsonSerializerOptions.Web)!;
            Assert.Equal(mine.Sum(l => l.Bytes), series.Series.Sum(s => s.Points.Sum(p => p.Value)));
            Assert.Contains(series.Series, s => s.Key == "other");
            var scans = await GetAsync($"/api/stats/scans?{range}&by=hosts");
            Assert.All(JsonSerializer.Deserialize<StatsApi.ScansResponse>(scans, JsonSerializerOptions.Web)!.Items,
                s => Assert.Contains(mine, l => l.Src == s.SrcAddr));
            await GetAsync($"/api/stats/top?{range}&by=pair&limit=100");
            await GetAsync($"/api/stats/top?{range}&by=srcaddr,dstport,dstaddr&limit=100");
            await GetAsync($"/api/stats/transit-gateway?{range}");
        }

        // Pages: every record of the caller's once, over pages of 7 after each cursor.
        var seen = new List<FlowItem>();
        string? cursor = null;
        do
        {
            var page = JsonSerializer.Deserialize<FlowsApi.FlowPage>(await GetAsync(FlowsUrl(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor), limit: 7)), JsonSerializerOptions.Web)!;
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(mine.Count, seen.Count);
        Assert.Equal(mine.Sum(l => l.Bytes), seen.Sum(f => f.Bytes ?? 0));

        // The feed: every record of the caller's once, over pages of 7; a filter naming another team's account finds none.
        var (fed, _) = await FlowFeedTests.ReadAsync(client, "from=now-1h", mine.Count, limit: 7);
        Assert.Equal(mine.Count, fed.Count);
        Assert.Equal(mine.Sum(l => l.Bytes), fed.Sum(f => f.Bytes ?? 0));
        Assert.All(fed, f => Assert.DoesNotContain(tokens, t => JsonSerializer.Serialize(f, JsonSerializerOptions.Web).Contains(t, StringComparison.Ordinal)));
        var (foreign, _) = await FlowFeedTests.ReadAsync(client, "from=now-1h", 0, $"&q={Uri.EscapeDataString($"account-id = {others[0].Account}")}");
        Assert.Empty(foreign);

        // A cursor taken from another team's rows (by an admin) leads to this caller's rows after it, not theirs.
        var theirs = JsonSerializer.Deserialize<FlowsApi.FlowPage>(await app.CreateClient(FlowLensApp.AdminKey).GetStringAsync(
            FlowsUrl($"&q={Uri.EscapeDataString($"account-id = {others[0].Account}")}", limit: 2), ct), JsonSerializerOptions.Web)!;
        Assert.NotNull(theirs.NextCursor);
        await GetAsync(FlowsUrl("&cursor=" + Uri.EscapeDataString(theirs.NextCursor!)));

        // Exports: every line is the caller's.
        foreach (var format in new[] { "csv", "ndjson", "ocsf" })
        {
            var export = await GetAsync(FlowsUrl("&format=" + format));
            Assert.Equal(mine.Count + (format == "csv" ? 1 : 0), export.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }

        // Filters naming another team find nothing.
        foreach (var other in others)
        {
            foreach (var q in new[] { $"account-id = {other.Account}", $"vpc-id = {other.Vpc}", $"srcaddr = {other.Internet}1", $"interface-id = {other.Eni}0" })
            {
                var page = JsonSerializer.Deserialize<FlowsApi.FlowPage>(await GetAsync(FlowsUrl("&q=" + Uri.EscapeDataString(q))), JsonSerializerOptions.Web)!;
                Assert.Empty(page.Items);
                var summary = JsonSerializer.Deserialize<StatsApi.Summary>(await GetAsync($"/api/stats/summary?{Ranges[1]}&q={Uri.EscapeDataString(q)}"), JsonSerializerOptions.Web)!;
                Assert.Equal(new StatsApi.Summary(0, 0, 0, 0, 0, 0, 0), summary);
            }
        }

        // Sources and their ledgers hold every account: a scoped caller sees none.
        Assert.Equal("[]", await GetAsync("/api/sources"));
        await GetAsync($"/api/sources/{sourceId}", HttpStatusCode.NotFound);
        await GetAsync($"/api/sources/{sourceId}/objects", HttpStatusCode.NotFound);

        // Findings are not tied to an account yet: a scoped caller sees none, and cannot triage them.
        Assert.Empty(JsonSerializer.Deserialize<FindingsApi.FindingPage>(await GetAsync("/api/findings"), JsonSerializerOptions.Web)!.Items);
        Assert.Equal(new FindingsApi.FindingCounts(0, 0, 0, 0, 0, 0), JsonSerializer.Deserialize<FindingsApi.FindingCounts>(await GetAsync("/api/findings/counts"), JsonSerializerOptions.Web));
        await GetAsync($"/api/findings/{findingId}", HttpStatusCode.NotFound);
        Assert.Equal("[]", await GetAsync($"/api/deliveries?findingId={findingId}"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.PatchAsJsonAsync($"/api/findings/{findingId}", new { status = "resolved" }, ct)).StatusCode);
        var bulk = await client.PostAsJsonAsync("/api/findings/bulk", new { ids = new[] { findingId }, status = "resolved" }, ct);
        Assert.Equal(0, (await bulk.Content.ReadFromJsonAsync<FindingsApi.BulkResponse>(ct))!.Updated);
        Assert.Equal("open", await app.ScalarAsync<string>("select status from findings where id = $1", findingId));

        // The inventory: another team's resources are not described, nor offered for completion.
        foreach (var other in others)
        {
            await GetAsync($"/api/context/address/{other.Inside}1");
            await GetAsync($"/api/context/addresses?addr={other.Inside}1&addr={other.Inside}9");
        }
        await GetAsync("/api/filter/values?field=instance-name");
        await GetAsync("/api/filter/values?field=security-group");
        foreach (var path in new[] { "/api/me", "/api/filter/fields", "/api/context/status", "/api/searches", "/api/rules", "/api/networks", "/api/threat-lists", "/api/channels" })
        {
            await GetAsync(path);
        }
    }

    /// <summary>The ranges walked: unaligned (the raw flows) and on whole hours (where the rollups answer an unscoped caller).</summary>
    private static readonly string[] Ranges =
    [
        "from=now-3h&to=now",
        $"from={Hour(-3):yyyy-MM-ddTHH:mm:ssZ}&to={Hour(1):yyyy-MM-ddTHH:mm:ssZ}",
    ];

    private static DateTime Hour(int offset)
    {
        var now = DateTime.UtcNow;
        return new DateTime(now.Year, now.Month, now.Day, now.Hour, 0, 0, DateTimeKind.Utc).AddHours(offset);
    }

    private static string FlowsUrl(string query, int limit = 10000) => $"/api/flows?from=now-3h&to=now&limit={limit}" + query;

    private static async Task AssertSumsAsync(HttpClient client, string range, List<Line> lines)
    {
        var summary = await client.GetFromJsonAsync<StatsApi.Summary>($"/api/stats/summary?{(range.Length == 0 ? Ranges[0] : range)}", TestContext.Current.CancellationToken);
        var flows = lines.Where(l => !l.NoData).ToList();
        Assert.Equal(new StatsApi.Summary(flows.Count, lines.Sum(l => l.Bytes), lines.Sum(l => l.Packets), flows.Count(l => !l.Rejected),
            flows.Count(l => l.Rejected), lines.Count(l => l.NoData), 0), summary);
    }

    private static async Task<string> CreateKeyAsync(HttpClient admin, object scope)
    {
        var response = await admin.PostAsJsonAsync("/api/keys", new { name = "team-" + Guid.NewGuid().ToString("N")[..8], role = "viewer", scope }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<KeysApi.CreatedKey>(TestContext.Current.CancellationToken))!.Secret;
    }

    /// <summary>Each team's instance (its ENI 0, its first inside address) and security group, as the inventory job writes them.</summary>
    private static async Task AddInventoryAsync(FlowLensApp app, long sourceId)
    {
        foreach (var (team, address) in new[] { (A, A.Inside + "1"), (B, B.Inside + "9"), (C, C.Inside + "1") })
        {
            await app.ScalarAsync<int>("""
                with i as (insert into inventory_interfaces (source_id, region, interface_id, account_id, kind, resource_id, vpc_id, security_group_ids, valid_from)
                    values ($1, 'us-east-1', $2, $3, 'instance', $4, $5, array[$7], now() - interval '1 day')),
                a as (insert into inventory_addresses (source_id, region, address, interface_id, kind, valid_from)
                    values ($1, 'us-east-1', $6::inet, $2, 'private', now() - interval '1 day')),
                r as (insert into inventory_resources (source_id, region, resource_id, kind, account_id, name, vpc_id, valid_from)
                    values ($1, 'us-east-1', $4, 'instance', $3, $8, $5, now() - interval '1 day'),
                        ($1, 'us-east-1', $7, 'security-group', $3, $7, $5, now() - interval '1 day'))
                select 1
                """, sourceId, team.Eni + "0", team.Account, "i-0" + team.Port, team.Vpc, address, team.Group, team.Instance);
        }
    }

    [Fact]
    public async Task Scopes_AreChecked_AndAdminsHaveNone()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        foreach (var (body, field) in new (object, string)[]
        {
            (new { name = "x", role = "viewer", scope = new { accounts = new[] { "12345" } } }, "scope.accounts"),
            (new { name = "x", role = "viewer", scope = new { accounts = new[] { "111111111111' or 1=1" } } }, "scope.accounts"),
            (new { name = "x", role = "viewer", scope = new { vpcs = new[] { "vpc-xyz" } } }, "scope.vpcs"),
            (new { name = "x", role = "viewer", scope = new { accounts = Enumerable.Range(0, 201).Select(i => $"{i:D12}").ToArray() } }, "scope.accounts"),
            (new { name = "x", role = "admin", scope = new { accounts = new[] { "111111111111" } } }, "scope"),
        })
        {
            await ProblemAssert.IsBadParameterAsync(await admin.PostAsJsonAsync("/api/keys", body, ct), field);
        }
        // A person: created scoped, listed with the scope; made admin only with the scope cleared.
        var created = await admin.PostAsJsonAsync("/api/users", new { email = "pay@example.org", role = "viewer", password = "a long enough password", scope = new { accounts = new[] { "111111111111" } } }, ct);
        var user = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<UsersApi.UserResponse>(ct))!;
        Assert.Equal(new[] { "111111111111" }, user.Scope.Accounts!);
        await ProblemAssert.IsProblemAsync(await admin.PutAsJsonAsync($"/api/users/{user.Id}", new { role = "admin" }, ct), HttpStatusCode.BadRequest);
        var promoted = await admin.PutAsJsonAsync($"/api/users/{user.Id}", new { role = "admin", scope = new { accounts = Array.Empty<string>() } }, ct);
        Assert.True((await promoted.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<UsersApi.UserResponse>(ct))!.Scope.Accounts!.Count == 0);
    }
}
