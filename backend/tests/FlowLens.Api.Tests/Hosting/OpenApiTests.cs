using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Hosting;

/// <summary>The served document, read from one host for the class.</summary>
public sealed class OpenApiTests(EmptyApp empty) : IClassFixture<EmptyApp>
{
    [Fact]
    public async Task Document_DescribesEndpoints_AndTheApiKeyScheme()
    {
        var app = empty.App;
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

    /// <summary>
    /// The frontend's copy of the document, which its TypeScript types are generated from: when the API changes a
    /// field's name or type, this fails until the copy is regenerated, and then the frontend's typecheck fails
    /// wherever it uses the old shape.
    /// </summary>
    [Fact]
    public async Task Document_MatchesTheFrontendsCopy()
    {
        var app = empty.App;
        var json = await app.CreateClient(apiKey: null).GetStringAsync("/swagger/v1/swagger.json", TestContext.Current.CancellationToken);

        GoldenFile.Assert("frontend/src/types/openapi.json", Sorted(JsonNode.Parse(json)!).ToJsonString(Indented));
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    // Keys in ordinal order, arrays as they are: the file changes only when the document does.
    private static JsonNode Sorted(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : Sorted(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(v => v is null ? null : Sorted(v))]),
        _ => node.DeepClone(),
    };

    [Theory]
    [InlineData("/api/flows", "from,to,q,limit,cursor,format")]
    [InlineData("/api/stats/summary", "from,to,q,rollups")]
    [InlineData("/api/stats/top", "from,to,q,by,metric,limit,rollups,exact")]
    [InlineData("/api/stats/timeseries", "from,to,q,interval,metric,groupBy,limit,rollups")]
    [InlineData("/api/stats/scans", "from,to,q,by,limit")]
    public async Task QueryEndpoints_DescribeEveryParameter_WithAnExample_AndTheirResponses(string path, string parameterNames)
    {
        var app = empty.App;
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
