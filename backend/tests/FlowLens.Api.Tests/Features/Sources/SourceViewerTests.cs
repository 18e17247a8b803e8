using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Sources;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FlowLens.Api.Tests.Features.Sources;

/// <summary>What a viewer reads of sources: no external ids, no endpoints, no upstream error text.</summary>
public sealed class SourceViewerTests(PostgresFixture postgres) : IDisposable
{
    private const string Secret = "SECRET-MARKER-7f3a";
    private readonly FlowLogFolder _folder = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Viewers_SeeNeitherExternalIdsNorEndpointsNorUpstreamErrorBodies_AdminsSeeTheSettings()
    {
        // An endpoint that answers an error whose body holds what must not reach a viewer (a secret, an inside address).
        await using var upstream = await HttpStub.StartAsync((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return context.Response.WriteAsync($$"""{"__type":"AccessDeniedException","message":"{{Secret}} from http://10.1.2.3:8080/"}""");
        });
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Sources:CloudWatchRequestsPerSecond", "500"));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var created = await admin.PostAsJsonAsync("/api/sources", new
        {
            name = "cw",
            kind = "cloudwatch",
            enabled = false,
            cloudWatch = new { logGroupName = "/vpc/flow-logs", region = "eu-west-1", serviceUrl = upstream.Url, externalId = "ext-" + Secret },
        }, Ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        await app.IngestAsync(id);

        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        foreach (var path in new[] { "/api/sources", $"/api/sources/{id}" })
        {
            var text = await viewer.GetStringAsync(path, Ct);
            Assert.DoesNotContain(Secret, text);
            Assert.DoesNotContain(upstream.Url.TrimEnd('/'), text);
            Assert.DoesNotContain("10.1.2.3", text);
            Assert.Contains("AccessDeniedException", text);
        }
        var asAdmin = await admin.GetFromJsonAsync<SourcesApi.SourceResponse>($"/api/sources/{id}", Ct);
        Assert.Equal(("ext-" + Secret, upstream.Url), (asAdmin!.CloudWatch!.ExternalId, asAdmin.CloudWatch.ServiceUrl));
        Assert.DoesNotContain(Secret, asAdmin.Status.LastError);
        Assert.Matches(@"^CloudWatch Logs answered 400 AccessDeniedException \(error [0-9a-f]{12} in the log\)$", asAdmin.Status.LastError);
    }

    [Fact]
    public async Task TheQueuesExternalIdAndEndpoint_AreForAdminsOnly()
    {
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var created = await admin.PostAsJsonAsync("/api/sources", new
        {
            name = "queued", kind = "s3", enabled = false,
            s3 = new
            {
                bucket = "flow-logs", region = "eu-west-1",
                sqs = new { queueUrl = "https://sqs.eu-west-1.amazonaws.com/123456789012/flow-logs", externalId = "ext-" + Secret, serviceUrl = "http://127.0.0.1:9/" },
            },
        }, Ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();

        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        foreach (var path in new[] { "/api/sources", $"/api/sources/{id}" })
        {
            var text = await viewer.GetStringAsync(path, Ct);
            Assert.DoesNotContain(Secret, text);
            Assert.DoesNotContain("127.0.0.1:9", text);
            Assert.Contains("/123456789012/flow-logs", text);
        }
        var asAdmin = await admin.GetFromJsonAsync<SourcesApi.SourceResponse>($"/api/sources/{id}", Ct);
        Assert.Equal(("ext-" + Secret, "http://127.0.0.1:9/"), (asAdmin!.S3!.Sqs!.ExternalId, asAdmin.S3.Sqs.ServiceUrl));
    }

    [Fact]
    public async Task ObjectErrors_NameNoInsideAddress_WhenTheEndpointIsGone()
    {
        _folder.WriteDay(files: 1, recordsPerFile: 10);
        var s3 = await S3Server.StartAsync();
        await s3.UploadFolderAsync(_folder.Root);
        await using var app = await postgres.StartAppAsync();
        var created = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name = "bucket",
            kind = "s3",
            enabled = false,
            s3 = new { bucket = s3.Bucket, region = "us-east-1", serviceUrl = s3.Url, forcePathStyle = true },
        }, Ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
        await app.RunJobAsync<Api.Features.Ingestion.SyncJob>(job => job.RunAsync(id, false, CancellationToken.None));
        await s3.DisposeAsync(); // listed, then gone: the object's download cannot connect

        var objectId = await app.ScalarAsync<long>("select id from source_objects where source_id = $1", id);
        await Assert.ThrowsAnyAsync<Exception>(() => app.RunJobAsync<Api.Features.Ingestion.IngestObjectJob>(job => job.RunAsync(objectId, CancellationToken.None)));

        var page = await app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer)).GetStringAsync($"/api/sources/{id}/objects", Ct);
        Assert.DoesNotContain("127.0.0.1", page);
        Assert.Contains("could not connect to the endpoint", page);
    }

    public void Dispose() => _folder.Dispose();
}
