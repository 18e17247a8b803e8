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

    [Theory]
    [InlineData("/api/flows", "from,to,q,limit,cursor,format")]
    [InlineData("/api/stats/summary", "from,to,q,rollups")]
    [InlineData("/api/stats/top", "from,to,q,by,metric,limit,rollups")]
    [InlineData("/api/stats/timeseries", "from,to,q,interval,metric,groupBy,limit,rollups")]
    [InlineData("/api/stats/scans", "from,to,q,by,limit")]
    public async Task QueryEndpoints_DescribeEveryParameter_WithAnExample_AndTheirResponses(string path, string parameterNames)
    {
        await using var app = await postgres.StartAppAsync();
        var json = await app.CreateClient(apiKey: null).GetStringAsync("/swagger/v1/swagger.json", TestContext.Current.CancellationToken);
        var document = JsonDocument.Parse(json).RootElement;
        var get = document.GetProperty("paths").GetProperty(path).GetProperty("get");

        var parameters = get.GetProperty("parameters").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(parameterNames.Split(',').Order(), parameters.Keys.Order());
        foreach (var (name, parameter) in parameters)
        {
            Assert.False(string.IsNullOrWhiteSpace(parameter.GetProperty("description").GetString()), name);
            Assert.True(name == "cursor" || parameter.TryGetProperty("example", out _), $"{name} has no example");
        }
        var responses = get.GetProperty("responses");
        foreach (var status in new[] { "200", "400", "503" })
        {
            Assert.True(responses.TryGetProperty(status, out _), $"{path} does not describe {status}");
        }
        // The 200 body's schema carries an example.
        var schema = responses.GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
        var component = document.GetProperty("components").GetProperty("schemas").GetProperty(schema.Split('/').Last());
        Assert.True(component.TryGetProperty("example", out _), $"{schema} has no example");
    }
}
