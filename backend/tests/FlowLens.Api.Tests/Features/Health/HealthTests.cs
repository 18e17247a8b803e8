using System.Net;
using System.Net.Http.Json;
using FlowLens.Api.Features.Health;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Health;

public sealed class HealthTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Health_Answers200_WithoutKey_WhenDatabaseIsUp()
    {
        await using var app = await postgres.StartAppAsync();
        var health = await app.CreateClient(apiKey: null).GetFromJsonAsync<HealthApi.Health>("/api/health", TestContext.Current.CancellationToken);
        Assert.Equal(new HealthApi.Health("healthy", "up"), health);
    }

    [Fact]
    public async Task Readiness_Answers503_LivenessStays200_AndOtherCallsAProblemWithoutStackTrace_WhenDatabaseStops()
    {
        // A cluster of its own: this test stops it.
        await using var server = await PostgresServer.StartAsync();
        await using var app = new FlowLensApp(await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString));
        var ct = TestContext.Current.CancellationToken;
        var anonymous = app.CreateClient(apiKey: null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/health", ct)).StatusCode);

        await server.StopAsync();

        var health = await ProblemAssert.IsProblemAsync(await anonymous.GetAsync("/api/health", ct), HttpStatusCode.ServiceUnavailable);
        Assert.Equal("down", health.GetProperty("database").GetString());
        // Not ready, but alive: an orchestrator should stop routing to it, not restart it.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/health/live", ct)).StatusCode);

        var me = await app.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", ct);
        var problem = await ProblemAssert.IsProblemAsync(me, HttpStatusCode.ServiceUnavailable);
        var text = problem.ToString();
        Assert.DoesNotContain("   at ", text);
        Assert.DoesNotContain("Npgsql", text);
        Assert.False(problem.TryGetProperty("exception", out _));
    }

    [Fact]
    public async Task AnonymousHealth_GivesNoDatabaseErrorText_WhenDatabaseIsDown()
    {
        // A cluster of its own: this test stops it.
        await using var server = await PostgresServer.StartAsync();
        var connectionString = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
        await using var app = new FlowLensApp(connectionString);
        var ct = TestContext.Current.CancellationToken;
        var anonymous = app.CreateClient(apiKey: null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/health", ct)).StatusCode);

        await server.StopAsync();

        // The first call finds its pooled connection broken, the second cannot connect: Npgsql's words for either
        // (host, port, user, "exception while reading from stream") are for the log, not for an anonymous caller.
        var host = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Host!;
        for (var call = 0; call < 2; call++)
        {
            var response = await anonymous.GetAsync("/api/health", ct);
            var text = (await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable)).ToString();
            foreach (var leak in new[] { host, "exception", "stream", "connect", "refused", "postgres" })
            {
                Assert.DoesNotContain(leak, text, StringComparison.OrdinalIgnoreCase);
            }
        }
    }
}
