using Microsoft.AspNetCore.Http.HttpResults;

namespace FlowLens.Api.Hosting;

/// <summary>The ProblemDetails answers endpoints give again and again.</summary>
public static class Problems
{
    /// <summary>404: <paramref name="what"/> (<c>source</c>, <c>user</c>...) with this id does not exist.</summary>
    public static ProblemHttpResult NotFound(string what, long id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"There is no {what} {id}.");

    /// <summary>400 naming one parameter or field under <c>errors</c>.</summary>
    public static ValidationProblem Invalid(string field, string message) => TypedResults.ValidationProblem(
        new Dictionary<string, string[]> { [field] = [message] },
        title: $"'{field}' is not valid");
}
