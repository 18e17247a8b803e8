using System.Net;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Auth;

/// <summary>
/// Each endpoint group against no credentials, a viewer and an admin, on one host for the class. Ids name nothing
/// that exists, so no row changes what another row sees.
/// </summary>
public sealed class RoleMatrixTests(EmptyApp empty) : IClassFixture<EmptyApp>
{
    public static TheoryData<string, string, bool> Endpoints => new()
    {
        // method, path, admin only
        { "GET", "/api/me", false },
        { "GET", "/api/flows", false },
        { "GET", "/api/stats/summary", false },
        { "GET", "/api/stats/top", false },
        { "GET", "/api/stats/timeseries", false },
        { "GET", "/api/stats/scans", false },
        { "GET", "/api/filter/fields", false },
        { "GET", "/api/sources", false },
        { "GET", "/api/sources/999999/objects", false },
        { "POST", "/api/sources", true },
        { "PUT", "/api/sources/999999", true },
        { "DELETE", "/api/sources/999999", true },
        { "POST", "/api/sources/999999/sync", true },
        { "POST", "/api/sources/999999/objects/retry", true },
        { "POST", "/api/sources/999999/inventory/refresh", true },
        { "GET", "/api/keys", true },
        { "POST", "/api/keys", true },
        { "DELETE", "/api/keys/999999", true },
        { "GET", "/api/users", true },
        { "POST", "/api/users", true },
        { "POST", "/api/users/999999/sign-out", true },
        { "GET", "/api/audit", true },
        { "GET", "/api/settings", true },
        { "GET", "/api/auth/sessions", false },
        { "GET", "/api/networks", false },
        { "POST", "/api/networks", true },
        { "PUT", "/api/networks/999999", true },
        { "DELETE", "/api/networks/999999", true },
        { "GET", "/api/context/status", false },
        { "GET", "/api/context/address/10.0.0.1", false },
        { "GET", "/api/context/addresses?addr=10.0.0.1", false },
        { "GET", "/api/context/aws-ip-ranges", false },
        { "POST", "/api/context/aws-ip-ranges", true },
        { "GET", "/api/threat-lists", false },
        { "GET", "/api/threat-lists/999999", false },
        { "POST", "/api/threat-lists", true },
        { "PUT", "/api/threat-lists/999999", true },
        { "DELETE", "/api/threat-lists/999999", true },
        { "POST", "/api/threat-lists/999999/entries", true },
        { "POST", "/api/threat-lists/999999/refresh", true },
        { "GET", "/api/searches", false },
        { "GET", "/api/searches/999999", false },
        { "POST", "/api/searches", false },
        { "PUT", "/api/searches/999999", false },
        { "DELETE", "/api/searches/999999", false },
        // Notifications
        { "GET", "/api/channels", false },
        { "POST", "/api/channels", true },
        { "PUT", "/api/channels/999999", true },
        { "DELETE", "/api/channels/999999", true },
        { "POST", "/api/channels/999999/test", true },
        { "GET", "/api/deliveries?findingId=999999", false },
        { "GET", "/api/rules", false },
        { "GET", "/api/rules/999999", false },
        { "POST", "/api/rules", true },
        { "PUT", "/api/rules/999999", true },
        { "DELETE", "/api/rules/999999", true },
        { "GET", "/api/findings", false },
        { "GET", "/api/findings/counts", false },
        { "GET", "/api/findings/999999", false },
        { "PATCH", "/api/findings/999999", false },
        { "POST", "/api/findings/bulk", false },
        { "GET", "/hangfire", true },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task NoCredentialsGet401_AViewerGets403OnAdminEndpoints_AndAnAdminGetsThrough(string method, string path, bool adminOnly)
    {
        var app = empty.App;
        var ct = TestContext.Current.CancellationToken;
        HttpRequestMessage Request() => new(new HttpMethod(method), path)
        {
            Content = method is "POST" or "PUT" or "PATCH" ? new StringContent("{}", System.Text.Encoding.UTF8, "application/json") : null,
        };

        var anonymous = await app.CreateClient(apiKey: null).SendAsync(Request(), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var viewer = await app.CreateClient(await app.CreateApiKeyAsync(Roles.Viewer)).SendAsync(Request(), ct);
        if (adminOnly)
        {
            await ProblemAssert.IsProblemAsync(viewer, HttpStatusCode.Forbidden);
        }
        else
        {
            Assert.NotEqual(HttpStatusCode.Forbidden, viewer.StatusCode);
            Assert.NotEqual(HttpStatusCode.Unauthorized, viewer.StatusCode);
        }

        var admin = await app.CreateClient(FlowLensApp.AdminKey).SendAsync(Request(), ct);
        Assert.NotEqual(HttpStatusCode.Forbidden, admin.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, admin.StatusCode);
    }
}
