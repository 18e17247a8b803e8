using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Data;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Context;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Features.Ingestion;

/// <summary>Server-side request forgery through a source's endpoint, region or redirects (the test app allows http://127.0.0.1, any port).</summary>
public sealed class SourceEndpointsTests(PostgresFixture postgres, EmptyApp empty) : IClassFixture<EmptyApp>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fd00:ec2::254]/")]
    [InlineData("http://10.0.0.5:9000/")]
    [InlineData("http://192.168.1.10/")]
    [InlineData("http://localhost:9000/")]
    [InlineData("http://0.0.0.0:9000/")]
    [InlineData("http://evil.example/")]
    [InlineData("http://user@127.0.0.1:9000/")]
    [InlineData("https://127.0.0.1:9000/")]
    public async Task CreateSource_RefusesAnEndpoint_NeitherAwsNorAllowed(string serviceUrl)
    {
        var app = empty.App; // refusals change nothing, so the rows share one host
        var admin = app.CreateClient(FlowLensApp.AdminKey);

        var s3 = await admin.PostAsJsonAsync("/api/sources", new
        {
            name = "s3",
            kind = "s3",
            s3 = new { bucket = "flow-logs", region = "us-east-1", serviceUrl, forcePathStyle = true },
        }, Ct);
        var cloudWatch = await admin.PostAsJsonAsync("/api/sources", new
        {
            name = "cw",
            kind = "cloudwatch",
            cloudWatch = new { logGroupName = "/vpc/flow-logs", region = "eu-west-1", serviceUrl },
        }, Ct);

        await ProblemAssert.IsBadParameterAsync(s3, "s3.serviceUrl");
        await ProblemAssert.IsBadParameterAsync(cloudWatch, "cloudWatch.serviceUrl");
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from sources"));
    }

    [Theory]
    [InlineData("https://logs.eu-west-1.amazonaws.com/")]
    [InlineData("https://s3.cn-north-1.amazonaws.com.cn")]
    [InlineData("http://127.0.0.1:9000/")]
    public async Task CreateSource_AcceptsAnAwsOrAllowedEndpoint(string serviceUrl)
    {
        await using var app = await postgres.StartAppAsync();
        var response = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", new
        {
            name = "cw",
            kind = "cloudwatch",
            enabled = false,
            cloudWatch = new { logGroupName = "/vpc/flow-logs", region = "eu-west-1", serviceUrl },
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("x@attacker.example#")]
    [InlineData("eu-west-1.attacker.example/")]
    [InlineData("attacker.example:443/x?")]
    [InlineData("EU-WEST-1")]
    public async Task CreateSource_RefusesARegion_ThatIsNoAwsRegionName(string region)
    {
        var app = empty.App; // refusals change nothing, so the rows share one host
        var admin = app.CreateClient(FlowLensApp.AdminKey);

        var cloudWatch = await admin.PostAsJsonAsync("/api/sources", new
        {
            name = "cw",
            kind = "cloudwatch",
            cloudWatch = new { logGroupName = "/vpc/flow-logs", region },
        }, Ct);
        var s3 = await admin.PostAsJsonAsync("/api/sources", new { name = "s3", kind = "s3", s3 = new { bucket = "flow-logs", region } }, Ct);

        await ProblemAssert.IsBadParameterAsync(cloudWatch, "cloudWatch.region");
        await ProblemAssert.IsBadParameterAsync(s3, "s3.region");
    }

    [Fact]
    public async Task Sync_RefusesToConnect_ToAnUnlistedNameThatResolvesToLoopback()
    {
        await using var stub = await HttpStub.StartAsync((context, _) => context.Response.WriteAsync("{}"));
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Sources:CloudWatchRequestsPerSecond", "500"));
        var cloudWatch = await CreateAsync(app, new
        {
            name = "cw",
            kind = "cloudwatch",
            enabled = false,
            cloudWatch = new { logGroupName = "/vpc/flow-logs", region = "eu-west-1", serviceUrl = stub.Url }
        });
        var s3 = await CreateAsync(app, new
        {
            name = "s3",
            kind = "s3",
            enabled = false,
            s3 = new { bucket = "flow-logs", region = "us-east-1", serviceUrl = stub.Url, forcePathStyle = true }
        });
        // As a source saved before the rule, or a name re-pointed after the check: localhost is not listed, 127.0.0.1 is.
        var url = $"http://localhost:{stub.Port}/";
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<FlowLensDb>();
            foreach (var source in await db.Sources.ToListAsync(Ct))
            {
                source.S3 = source.S3 is null ? null : source.S3 with { ServiceUrl = url };
                source.CloudWatch = source.CloudWatch is null ? null : source.CloudWatch with { ServiceUrl = url };
            }
            await db.SaveChangesAsync(Ct);
        }

        await app.IngestAsync(cloudWatch);
        await app.IngestAsync(s3);

        Assert.Equal(0, stub.Requests);
        foreach (var id in new[] { cloudWatch, s3 })
        {
            var status = (await app.GetSourceAsync(id)).Status;
            Assert.Equal(SourceStates.Failed, status.State);
            Assert.StartsWith("the endpoint is not allowed", status.LastError);
        }
    }

    [Fact]
    public async Task CloudWatchSync_DoesNotFollowARedirect_ToAnotherLoopbackPort()
    {
        await using var inside = await HttpStub.StartAsync((context, _) => context.Response.WriteAsync("""{"events":[]}"""));
        await using var redirecting = await HttpStub.StartAsync((context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = inside.Url;
            return Task.CompletedTask;
        });
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Sources:CloudWatchRequestsPerSecond", "500"));
        var id = await CreateAsync(app, new
        {
            name = "cw",
            kind = "cloudwatch",
            enabled = false,
            cloudWatch = new { logGroupName = "/vpc/flow-logs", region = "eu-west-1", serviceUrl = redirecting.Url }
        });

        await app.IngestAsync(id);

        Assert.Equal(0, inside.Requests);
        var status = (await app.GetSourceAsync(id)).Status;
        Assert.Equal(SourceStates.Failed, status.State);
        Assert.StartsWith("CloudWatch Logs answered 302", status.LastError);
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.0.1", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00:ec2::254", false)]
    [InlineData("::ffff:169.254.169.254", false)]
    [InlineData("52.95.110.1", true)]
    [InlineData("2600:1f18::1", true)]
    public void IsPublic_RefusesLoopbackLinkLocalPrivateAndUnspecified(string address, bool expected) =>
        Assert.Equal(expected, PublicAddresses.IsPublic(IPAddress.Parse(address)));

    private static async Task<long> CreateAsync(FlowLensApp app, object body)
    {
        var response = await app.CreateClient(FlowLensApp.AdminKey).PostAsJsonAsync("/api/sources", body, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();
    }
}
