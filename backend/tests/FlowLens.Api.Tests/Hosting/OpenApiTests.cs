using System.Net;
using System.Text.Json;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Hosting;

public sealed class OpenApiTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Document_DescribesEndpoints_AndTheApiKeyScheme()
    {
        await using var app = await postgres.StartAppAsync();
        var ct = TestContext.Current.CancellationToken;
        var json = await app.CreateClient(apiKey: null).GetStringAsync("/swagger/v1/swagger.json", ct);
        var document = JsonDocument.Parse(json).RootElement;

        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/me", out _));
        Assert.True(paths.TryGetProperty("/api/health", out _));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal("header", scheme.GetProperty("in").GetString());
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());

        var ui = await app.CreateClient(apiKey: null).GetAsync("/swagger/index.html", ct);
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
    }
}
