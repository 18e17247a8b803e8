using System.Net;
using System.Text.Json;

namespace FlowLens.Api.Tests.Infrastructure;

public static class ProblemAssert
{
    /// <summary>Asserts an RFC 7807 answer with this status, and returns its body.</summary>
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        return problem;
    }

    /// <summary>Asserts a 400 ProblemDetails whose <c>errors</c> name <paramref name="parameter"/>.</summary>
    public static async Task IsBadParameterAsync(HttpResponseMessage response, string parameter)
    {
        var problem = await IsProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(parameter, out _), problem.ToString());
    }
}
