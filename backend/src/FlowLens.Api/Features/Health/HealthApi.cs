using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace FlowLens.Api.Features.Health;

public static class HealthApi
{
    public static void MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", GetHealth)
            .AllowAnonymous()
            .WithTags("Health")
            .WithSummary("Readiness: 200 when FlowLens and its database are up, 503 when the database is not reachable.");
        app.MapGet("/api/health/live", () => TypedResults.Ok(new Health("alive", "not checked"))).WithName("getLiveness")
            .AllowAnonymous()
            .WithTags("Health")
            .WithSummary("Liveness: 200 while the process answers, whatever the database (restart only when this fails).");
    }

    /// <summary>The state of FlowLens and of what it depends on.</summary>
    public sealed record Health(string Status, string Database);

    internal static async Task<Results<Ok<Health>, ProblemHttpResult>> GetHealth(
        NpgsqlDataSource dataSource, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("select 1");
            command.CommandTimeout = 5;
            await command.ExecuteScalarAsync(cancellationToken);
            return TypedResults.Ok(new Health("healthy", "up"));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // Anyone may ask: the error (host names, ports, user names) goes to the log only, found by the trace id.
            loggers.CreateLogger(typeof(HealthApi)).LogWarning(e, "Health check: the database did not answer");
            return TypedResults.Problem(
                title: "The database is unavailable",
                detail: "The database did not answer; the FlowLens log has the reason (search it for this trace id).",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                extensions: new Dictionary<string, object?> { ["database"] = "down" });
        }
    }
}
