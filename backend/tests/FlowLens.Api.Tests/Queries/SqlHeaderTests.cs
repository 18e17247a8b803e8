using System.Net;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Queries;
using FlowLens.Api.Tests.Features.Flows;
using FlowLens.Api.Tests.Features.Stats;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Queries;

/// <summary>X-FlowLens-Sql: admins see the SQL a request ran; nobody else ever does.</summary>
public sealed class SqlHeaderTests(EmptyApp empty, PostgresFixture postgres) : IClassFixture<EmptyApp>
{
    private const string Range = "from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z";
    private const string Q = "action = REJECT and dstport in (22, 3389) and not srcaddr = 10.0.0.0/8 and interface-id = eni-0a1b2c3d";
    private const string ViewerEmail = "viewer@example.org", ViewerPassword = "another correct horse battery";

    // The requests of every endpoint that runs a query, and the golden file of the SQL each runs.
    public static TheoryData<string, string> Requests => new()
    {
        { $"/api/stats/summary?{Range}&q={Uri.EscapeDataString("action = REJECT")}", StatsSqlGoldenTests.Folder + "summary-rollup-5m.sql" },
        { $"/api/stats/top?{Range}&q={Uri.EscapeDataString("protocol = tcp")}&by=action", StatsSqlGoldenTests.Folder + "top-rollup-5m.sql" },
        { $"/api/stats/timeseries?{Range}&interval=5m", StatsSqlGoldenTests.Folder + "timeseries-rollup-5m.sql" },
        { $"/api/stats/scans?{Range}&q={Uri.EscapeDataString("action = REJECT")}", StatsSqlGoldenTests.Folder + "scans-ports.sql" },
        { $"/api/flows?{Range}", FlowSearchSqlGoldenTests.Folder + "search-first-page.sql" },
        { $"/api/flows?{Range}&format=csv&q={Uri.EscapeDataString(Q)}", FlowSearchSqlGoldenTests.Folder + "export.sql" },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task AnAdmin_GetsTheSqlThatRan_OnOneLine_ByKeyAndBySignIn(string path, string golden)
    {
        var expected = QueryDatabase.OneLine(GoldenSql.SqlOf(golden));
        var (person, _) = await People.SignedInAsync(empty.App, People.AdminEmail, People.AdminPassword);
        foreach (var admin in new[] { empty.App.CreateClient(FlowLensApp.AdminKey), person })
        {
            var response = await admin.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(expected, Assert.Single(response.Headers.GetValues(QueryDatabase.SqlHeader)));
        }
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task AViewer_ByKeyOrBySignIn_AndNobody_NeverGetTheSql(string path, string golden)
    {
        Assert.NotEmpty(GoldenSql.SqlOf(golden));
        var viewerKey = empty.App.CreateClient(await empty.App.CreateApiKeyAsync(Roles.Viewer));
        var viewerPerson = await SignedInViewerAsync();
        foreach (var viewer in new[] { viewerKey, viewerPerson })
        {
            var response = await viewer.GetAsync(path, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains(QueryDatabase.SqlHeader));
            // Asking for it changes nothing.
            using var asking = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { QueryDatabase.SqlHeader, "1" } } };
            Assert.False((await viewer.SendAsync(asking, TestContext.Current.CancellationToken)).Headers.Contains(QueryDatabase.SqlHeader));
        }
        var anonymous = await empty.App.CreateClient(apiKey: null).GetAsync(path, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.False(anonymous.Headers.Contains(QueryDatabase.SqlHeader));
    }

    [Fact]
    public async Task TheSql_OfAHugeFilter_IsCutAt8KiB()
    {
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Queries:MaxFilterLength", "16384"));
        var q = string.Join(" or ", Enumerable.Range(1, 800).Select(port => $"dstport = {port}"));
        var response = await app.CreateClient(FlowLensApp.AdminKey).GetAsync($"/api/stats/summary?{Range}&q={Uri.EscapeDataString(q)}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var shown = Assert.Single(response.Headers.GetValues(QueryDatabase.SqlHeader));
        Assert.Equal(QueryDatabase.MaxSqlHeaderLength, shown.Length);
        Assert.StartsWith("select coalesce(sum(records)", shown, StringComparison.Ordinal);
        Assert.EndsWith(" ... (cut; the Debug log has the whole SQL)", shown, StringComparison.Ordinal);
    }

    private async Task<HttpClient> SignedInViewerAsync()
    {
        var signIn = await People.SignInAsync(empty.App.CreateClient(apiKey: null), ViewerEmail, ViewerPassword);
        if (signIn.StatusCode != HttpStatusCode.OK)
        {
            await People.CreateAsync(empty.App, ViewerEmail, Roles.Viewer, ViewerPassword);
        }
        return (await People.SignedInAsync(empty.App, ViewerEmail, ViewerPassword)).Browser;
    }
}
