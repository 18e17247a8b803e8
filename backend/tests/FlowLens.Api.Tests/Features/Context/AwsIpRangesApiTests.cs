using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Audit;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FlowLens.Api.Tests.Features.Context;

public sealed class AwsIpRangesApiTests(PostgresFixture postgres)
{
    /// <summary>The trimmed copy of AWS's real file (its README says where from).</summary>
    public static string Fixture => Repository.PathOf("backend/tests/FlowLens.Core.Tests/testdata/aws-ip-ranges/ip-ranges.json");

    [Fact]
    public async Task AnUploadedFile_GivesAddressesTheirServiceAndRegion_AndTheStatusSaysWhatIsLoaded()
    {
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Enrichment:RefreshAwsIpRanges", "false"));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;

        var none = await admin.GetFromJsonAsync<ContextApi.AwsIpRangesStatus>("/api/context/aws-ip-ranges", ct);
        Assert.Equal(new ContextApi.AwsIpRangesStatus(false, "https://ip-ranges.amazonaws.com/ip-ranges.json", null, null, 0), none);

        var record = await UploadAsync(admin, File.ReadAllText(Fixture));
        Assert.Equal(("upload", "1787411825", new DateTimeOffset(2026, 8, 22, 15, 17, 5, TimeSpan.Zero), 45, 11, (string?)null),
            (record.Origin, record.SyncToken, record.CreateDate, record.Ipv4Prefixes, record.Ipv6Prefixes, record.Error));

        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var s3 = await NetworksApiTests.AddressAsync(viewer, "52.218.10.27");
        Assert.Equal(new AwsServiceMatch("52.218.0.0/17", "S3", "eu-west-1", "eu-west-1"), s3.Aws);
        Assert.Equal(("S3", "GLOBAL"), ((await NetworksApiTests.AddressAsync(viewer, "76.223.102.9")).Aws?.Service, (await NetworksApiTests.AddressAsync(viewer, "76.223.102.9")).Aws?.Region));
        Assert.Equal("AMAZON", (await NetworksApiTests.AddressAsync(viewer, "76.223.1.1")).Aws?.Service);
        Assert.Equal("S3", (await NetworksApiTests.AddressAsync(viewer, "2a05:d031:8000::10")).Aws?.Service);
        Assert.Equal("EC2", (await NetworksApiTests.AddressAsync(viewer, "15.181.232.9")).Aws?.Service);
        Assert.Equal("us-east-1-iah-1", (await NetworksApiTests.AddressAsync(viewer, "15.181.232.9")).Aws?.NetworkBorderGroup);
        Assert.Null((await NetworksApiTests.AddressAsync(viewer, "10.0.0.1")).Aws);

        var status = (await viewer.GetFromJsonAsync<ContextApi.AwsIpRangesStatus>("/api/context/aws-ip-ranges", ct))!;
        Assert.Equal(record, status.Current);
        Assert.Equal(record, status.LastAttempt);
        Assert.Equal(25 + 5, status.LoadedPrefixes); // distinct prefixes: AMAZON lists each named one again

        var audit = (await admin.GetFromJsonAsync<AuditApi.AuditPage>($"/api/audit?action={AuditActions.AwsIpRangesImported}", ct))!.Items;
        Assert.Equal("syncToken 1787411825, 45 IPv4 and 11 IPv6 prefixes", Assert.Single(audit).Detail);
    }

    [Fact]
    public async Task ABadUpload_Gets400_AndTheImportedRangesStay()
    {
        await using var app = await postgres.StartAppAsync();
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var ct = TestContext.Current.CancellationToken;
        var good = await UploadAsync(admin, File.ReadAllText(Fixture));

        var response = await admin.PostAsync("/api/context/aws-ip-ranges", Json("""{"syncToken": "2", "createDate": "2026-09-01-00-00-00", "prefixes": [{"ip_prefix": "52.218.0.0/33", "region": "eu-west-1", "service": "S3"}]}"""), ct);
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("prefix length of 0 to 32", problem.GetProperty("errors").GetProperty("body")[0].GetString());
        await ProblemAssert.IsBadParameterAsync(await admin.PostAsync("/api/context/aws-ip-ranges", Json("<html>"), ct), "body");

        var status = (await admin.GetFromJsonAsync<ContextApi.AwsIpRangesStatus>("/api/context/aws-ip-ranges", ct))!;
        Assert.Equal(good, status.Current);
        Assert.Contains("Not valid JSON", status.LastAttempt!.Error);
        Assert.Equal("S3", (await NetworksApiTests.AddressAsync(admin, "52.218.10.27")).Aws?.Service);
    }

    [Fact]
    public async Task AViewer_Gets403_OnUpload()
    {
        await using var app = await postgres.StartAppAsync();
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var response = await viewer.PostAsync("/api/context/aws-ip-ranges", Json(File.ReadAllText(Fixture)), TestContext.Current.CancellationToken);
        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(0L, await app.ScalarAsync<long>("select count(*) from aws_ip_ranges_imports"));
    }

    [Fact]
    public async Task TheDailyJob_FetchesTheConfiguredUrl_AndImportsIt()
    {
        var body = await File.ReadAllBytesAsync(Fixture, TestContext.Current.CancellationToken);
        var paths = new List<string>();
        await using var aws = await HttpStub.StartAsync(async (context, _) =>
        {
            lock (paths)
            {
                paths.Add(context.Request.Path);
            }
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(body);
        });
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Enrichment:AwsIpRangesUrl", aws.Url + "ip-ranges.json"));

        await app.RunJobAsync<AwsIpRangesJob>(job => job.RunAsync(CancellationToken.None));

        Assert.Equal(["/ip-ranges.json"], paths);
        var status = (await app.CreateClient(FlowLensApp.AdminKey).GetFromJsonAsync<ContextApi.AwsIpRangesStatus>("/api/context/aws-ip-ranges", TestContext.Current.CancellationToken))!;
        Assert.Equal(("url", aws.Url + "ip-ranges.json", "1787411825", (string?)null), (status.Current?.Origin, status.Current?.Url, status.Current?.SyncToken, status.LastAttempt?.Error));
        Assert.True(status.RefreshEnabled);
        Assert.Equal("S3", (await NetworksApiTests.AddressAsync(app.CreateClient(FlowLensApp.AdminKey), "52.218.10.27")).Aws?.Service);
    }

    [Theory]
    [InlineData("unreachable", "could not be fetched")]
    [InlineData("500", "answered 500")]
    [InlineData("redirect", "answered 302")]
    [InlineData("not-json", "Not valid JSON")]
    public async Task AFailedRefresh_IsRecordedAndLogged_NeverThrown_AndTheStoredRangesStay(string failure, string reason)
    {
        var redirected = 0;
        await using var stub = await HttpStub.StartAsync(async (context, _) =>
        {
            switch (failure)
            {
                case "500":
                    context.Response.StatusCode = 500;
                    break;
                case "redirect" when context.Request.Path == "/elsewhere":
                    Interlocked.Increment(ref redirected);
                    await context.Response.Body.WriteAsync(await File.ReadAllBytesAsync(Fixture));
                    break;
                case "redirect":
                    context.Response.Redirect("/elsewhere");
                    break;
                default:
                    await context.Response.WriteAsync("<html>maintenance</html>");
                    break;
            }
        });
        var url = failure == "unreachable" ? $"http://127.0.0.1:{LoopbackPort.Free()}/ip-ranges.json" : stub.Url + "ip-ranges.json";
        await using var app = await postgres.StartAppAsync(b => b.UseSetting("FlowLens:Enrichment:AwsIpRangesUrl", url));
        var admin = app.CreateClient(FlowLensApp.AdminKey);
        var good = await UploadAsync(admin, File.ReadAllText(Fixture));

        await app.RunJobAsync<AwsIpRangesJob>(job => job.RunAsync(CancellationToken.None));

        var status = (await admin.GetFromJsonAsync<ContextApi.AwsIpRangesStatus>("/api/context/aws-ip-ranges", TestContext.Current.CancellationToken))!;
        Assert.Equal(good, status.Current);
        Assert.Equal(("url", url), (status.LastAttempt!.Origin, status.LastAttempt.Url));
        Assert.Contains(reason, status.LastAttempt.Error);
        Assert.Equal(0, redirected); // the refresh goes to the configured URL only
        Assert.Equal("S3", (await NetworksApiTests.AddressAsync(admin, "52.218.10.27")).Aws?.Service);
    }

    [Fact]
    public async Task TheStatus_CarriesEverySourceOfContext()
    {
        await using var app = await postgres.StartAppAsync(b => b
            .UseSetting("FlowLens:Enrichment:GeoIpDatabase", TestGeoDatabases.PathOf(TestGeoDatabases.CountryFile))
            .UseSetting("FlowLens:Enrichment:AsnDatabase", TestGeoDatabases.PathOf("missing.mmdb")));
        var viewer = app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer));
        var ct = TestContext.Current.CancellationToken;

        var status = (await viewer.GetFromJsonAsync<ContextApi.ContextStatus>("/api/context/status", ct))!;
        Assert.Equal(0, status.Networks);
        Assert.Equal(("GeoLite2-Country", true), (status.Country.DatabaseType, status.Country.Loaded));
        Assert.Equal((true, false, "The file does not exist."), (status.Asn.Configured, status.Asn.Loaded, status.Asn.Error));
        Assert.DoesNotContain("missing.mmdb", await viewer.GetStringAsync("/api/context/status", ct)); // paths go to the log only

        var address = await NetworksApiTests.AddressAsync(viewer, "::ffff:52.218.10.27");
        Assert.Equal(new AddressInfo("52.218.10.27", null, null, "IE", null, null, null), address);
        await ProblemAssert.IsBadParameterAsync(await viewer.GetAsync("/api/context/address/10.0.0", ct), "addr");
        await ProblemAssert.IsBadParameterAsync(await viewer.GetAsync("/api/context/address/prod", ct), "addr");
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");

    private static async Task<AwsIpRangesImportRecord> UploadAsync(HttpClient admin, string json)
    {
        var response = await admin.PostAsync("/api/context/aws-ip-ranges", Json(json), TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<AwsIpRangesImportRecord>(TestContext.Current.CancellationToken))!;
    }
}
