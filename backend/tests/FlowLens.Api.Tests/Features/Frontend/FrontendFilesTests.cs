using System.Net;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace FlowLens.Api.Tests.Features.Frontend;

public sealed class FrontendFilesTests(PostgresFixture postgres) : IDisposable
{
    private readonly string _webRoot = Directory.CreateTempSubdirectory("flowlens-web").FullName;

    [Fact]
    public async Task App_IsServedAtRoot_AndForClientRoutes_WithoutKey()
    {
        await File.WriteAllTextAsync(Path.Combine(_webRoot, "index.html"), "<html>FlowLens test shell</html>", TestContext.Current.CancellationToken);
        await using var app = await postgres.StartAppAsync(b => b.UseWebRoot(_webRoot));
        var client = app.CreateClient(apiKey: null);
        var ct = TestContext.Current.CancellationToken;

        foreach (var path in new[] { "/", "/explorer", "/sources/3" })
        {
            var response = await client.GetAsync(path, ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("FlowLens test shell", await response.Content.ReadAsStringAsync(ct));
        }
    }

    [Fact]
    public async Task UnknownApiPath_IsA404Problem_NotTheApp()
    {
        await File.WriteAllTextAsync(Path.Combine(_webRoot, "index.html"), "<html>shell</html>", TestContext.Current.CancellationToken);
        await using var app = await postgres.StartAppAsync(b => b.UseWebRoot(_webRoot));
        var ct = TestContext.Current.CancellationToken;

        await ProblemAssert.IsProblemAsync(await app.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/no-such-thing", ct), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await app.CreateClient(apiKey: null).GetAsync("/api/no-such-thing", ct), HttpStatusCode.Unauthorized);
    }

    public void Dispose() => Directory.Delete(_webRoot, recursive: true);
}
