using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace FlowLens.Api.Hosting;

public static class ErrorsSetup
{
    /// <summary>Every 4xx/5xx is RFC 7807 ProblemDetails carrying the request's trace id.</summary>
    public static void AddFlowLensErrors(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
            context.ProblemDetails.Extensions.TryAdd("traceId", Activity.Current?.Id ?? context.HttpContext.TraceIdentifier);
        });
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
    }
}

/// <summary>Logs an unhandled exception with its trace id and answers a ProblemDetails without the stack trace.</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        // EF wraps the driver's error; any NpgsqlException in the chain means the database failed, not the request.
        var databaseDown = Causes(exception).Any(e => e is NpgsqlException or TimeoutException);
        // The statement timeout of API queries (FlowLens:Queries:TimeoutSeconds) cancelled the query.
        var tooLong = Causes(exception).Any(e => e is PostgresException { SqlState: PostgresErrorCodes.QueryCanceled });
        // Every query place stayed taken (FlowLens:Queries:MaxConcurrent, QueueSeconds): not a fault, a crowd.
        var busy = exception is Queries.QueriesBusyException;
        if (busy)
        {
            logger.LogWarning("No query place became free in time for {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Headers.RetryAfter = "10";
        }
        else
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", context.Request.Method, context.Request.Path);
        }
        context.Response.StatusCode = databaseDown || busy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status500InternalServerError;
        var (title, detail) = tooLong
            ? ("The query took too long", "The database cancelled it at the statement timeout; narrow the time range or the filter.")
            : busy ? ("FlowLens is busy", "Every place for a query stayed taken; retry after the Retry-After seconds.")
            : (databaseDown ? "The database is unavailable" : "An unexpected error occurred", "The error was logged with this response's traceId.");
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = context.Response.StatusCode, Title = title, Detail = detail },
        });
    }

    /// <summary>The exception and each inner exception, outermost first.</summary>
    internal static IEnumerable<Exception> Causes(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            yield return exception;
        }
    }
}
