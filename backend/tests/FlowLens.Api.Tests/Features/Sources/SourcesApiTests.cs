using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Sources;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Sources;

public sealed class SourcesApiTests(PostgresFixture postgres, EmptyApp empty) : IClassFixture<EmptyApp>, IDisposable
{
    private readonly FlowLogFolder _folder = new();

    [Fact]
    public async Task Create_Answers201WithLocation_AndDefaults_ThenGetListPutDelete()
    {
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var client = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;

        var created = await client.PostAsJsonAsync("/api/sources", new
        {
            name = "prod-vpc", kind = "s3",
            s3 = new { bucket = "org-flow-logs", prefix = "AWSLogs/", region = "eu-west-1" },
        }, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var source = (await created.Content.ReadFromJsonAsync<SourcesApi.SourceResponse>(ct))!;
        Assert.Equal($"/api/sources/{source.Id}", created.Headers.Location?.ToString());
        Assert.Equal(("prod-vpc", "s3", true, "*/5 * * * *", "org-flow-logs"), (source.Name, source.Kind, source.Enabled, source.Schedule, source.S3!.Bucket));
        Assert.Equal((SourceStates.Idle, 0L, (DateTimeOffset?)null), (source.Status.State, source.Status.RecordsIngested, source.Status.NewestRecordAt));

        var list = await client.GetFromJsonAsync<List<SourcesApi.SourceResponse>>("/api/sources", ct);
        Assert.Equal(["prod-vpc"], list!.Select(s => s.Name));

        var updated = await client.PutAsJsonAsync($"/api/sources/{source.Id}", new
        {
            name = "prod-vpc", kind = "directory", enabled = false, schedule = "0 * * * *", directory = new { path = _folder.Root },
        }, ct);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = (await updated.Content.ReadFromJsonAsync<SourcesApi.SourceResponse>(ct))!;
        Assert.Equal(("directory", false, "0 * * * *", (S3Settings?)null), (after.Kind, after.Enabled, after.Schedule, after.S3));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/sources/{source.Id}", ct)).StatusCode);
        await ProblemAssert.IsProblemAsync(await client.GetAsync($"/api/sources/{source.Id}", ct), HttpStatusCode.NotFound);
    }

    public static TheoryData<string, string> InvalidRequests => new()
    {
        { """{"kind": "s3", "s3": {"bucket": "b-1", "region": "eu-west-1"}}""", "name" },
        { """{"name": "x", "kind": "ftp"}""", "kind" },
        { """{"name": "x", "kind": "cloudwatch"}""", "cloudWatch" },
        { """{"name": "x", "kind": "cloudwatch", "cloudWatch": {"region": "eu-west-1"}}""", "cloudWatch.logGroupName" },
        { """{"name": "x", "kind": "cloudwatch", "cloudWatch": {"logGroupName": "/vpc/flow-logs"}}""", "cloudWatch.region" },
        { """{"name": "x", "kind": "cloudwatch", "cloudWatch": {"logGroupName": "/vpc/flow-logs", "region": "eu-west-1", "logFormat": "${version} ${srcaddr} ${version}"}}""", "cloudWatch.logFormat" },
        { """{"name": "x", "kind": "cloudwatch", "cloudWatch": {"logGroupName": "/vpc/flow-logs", "region": "eu-west-1", "lookbackMinutes": -5}}""", "cloudWatch.lookbackMinutes" },
        { """{"name": "x", "kind": "s3"}""", "s3" },
        { """{"name": "x", "kind": "s3", "s3": {"bucket": "", "region": "eu-west-1"}}""", "s3.bucket" },
        { """{"name": "x", "kind": "s3", "s3": {"bucket": "bucket"}}""", "s3.region" },
        { """{"name": "x", "kind": "s3", "s3": {"bucket": "bucket", "serviceUrl": "not a url"}}""", "s3.serviceUrl" },
        { """{"name": "x", "kind": "s3", "s3": {"bucket": "bucket", "region": "eu-west-1", "roleArn": "role"}}""", "s3.roleArn" },
        { """{"name": "x", "kind": "s3", "schedule": "every minute", "s3": {"bucket": "bucket", "region": "eu-west-1"}}""", "schedule" },
        { """{"name": "x", "kind": "directory", "directory": {"path": "relative/path"}}""", "directory.path" },
        { """{"name": "x", "kind": "directory", "directory": {"path": "/etc"}}""", "directory.path" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task InvalidSettings_Get400_NamingTheField(string body, string field)
    {
        var response = await empty.App.CreateClient(FlowLensApp.AdminKey).PostAsync("/api/sources",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task DirectoryOutsideTheRoots_IsRefused_EvenByAPathTrick()
    {
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var response = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources",
            new { name = "sneaky", kind = "directory", directory = new { path = _folder.Root + "/../../etc" } }, TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task DuplicateName_Is409()
    {
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        await _folder.CreateSourceAsync(app, "same");
        var again = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources",
            new { name = "same", kind = "directory", directory = new { path = _folder.Root } }, TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(again, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Viewers_Read_ButOnlyAdminsWrite()
    {
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var id = await _folder.CreateSourceAsync(app);
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var ct = TestContext.Current.CancellationToken;

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/sources", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/sources/{id}", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync($"/api/sources/{id}/objects", ct)).StatusCode);
        await ProblemAssert.IsProblemAsync(await viewer.PostAsJsonAsync("/api/sources", new { name = "v", kind = "directory", directory = new { path = _folder.Root } }, ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await viewer.PostAsync($"/api/sources/{id}/sync", null, ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await viewer.DeleteAsync($"/api/sources/{id}", ct), HttpStatusCode.Forbidden);
        await ProblemAssert.IsProblemAsync(await app.CreateClient(apiKey: null).GetAsync("/api/sources", ct), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ObjectsListing_PagesByCursor_AndChecksItsParameters()
    {
        _folder.WriteDay(files: 5, recordsPerFile: 10);
        await using var app = await postgres.StartAppAsync(_folder.Allow);
        var id = await _folder.CreateSourceAsync(app);
        await app.IngestAsync(id);
        var client = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;

        var first = await client.GetFromJsonAsync<SourcesApi.ObjectPage>($"/api/sources/{id}/objects?state=ingested&limit=3", ct);
        Assert.Equal(3, first!.Items.Count);
        var second = await client.GetFromJsonAsync<SourcesApi.ObjectPage>($"/api/sources/{id}/objects?state=ingested&limit=3&cursor={first.NextCursor}", ct);
        Assert.Equal(2, second!.Items.Count);
        Assert.Null(second.NextCursor);
        Assert.Equal(5, first.Items.Concat(second.Items).Select(i => i.Key).Distinct().Count());

        await ProblemAssert.IsProblemAsync(await client.GetAsync($"/api/sources/{id}/objects?limit=0", ct), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await client.GetAsync($"/api/sources/{id}/objects?state=done", ct), HttpStatusCode.BadRequest);
        await ProblemAssert.IsProblemAsync(await client.GetAsync($"/api/sources/{id}/objects?cursor=abc", ct), HttpStatusCode.BadRequest);
    }

    public void Dispose() => _folder.Dispose();
}
