using FlowLens.Core.Filters;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlowLens.Api.Hosting;

/// <summary>The ProblemDetails answers endpoints give again and again.</summary>
public static class Problems
{
    /// <summary>404: <paramref name="what"/> (<c>source</c>, <c>user</c>...) with this id does not exist.</summary>
    public static ProblemHttpResult NotFound(string what, long id) => NotFound(what, id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public static ProblemHttpResult NotFound(string what, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no {what} {id}.");

    /// <summary>400 naming one parameter or field under <c>errors</c>.</summary>
    public static ValidationProblem Invalid(string field, string message) => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { [field] = [message] },
        title: $"'{field}' is not valid");

    /// <summary>A bad filter as a 400 ProblemDetails: the message under <c>errors.q</c>, the position as <c>position</c>.</summary>
    public static ValidationProblem InvalidFilter(FilterError error) => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { ["q"] = [error.ToString()] },
        title: "The filter is not valid",
        extensions: new Dictionary<string, object?> { ["position"] = error.Position });

    /// <summary>A value echoed into a message or the audit log, cut to <paramref name="max"/> characters (the last one "…").</summary>
    public static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>Sets the status and writes a ProblemDetails body, for middleware and handlers outside an endpoint.</summary>
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
