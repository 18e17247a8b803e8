using FlowLens.Api.Features.Auth;
using FlowLens.Api.Hosting;
using FlowLens.Api.Queries;
using FlowLens.Core.Filters;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Filters;

public static class FilterApi
{
    public static void MapFilter(this IEndpointRouteBuilder app)
    {
        var filter = app.MapGroup("/api/filter").WithTags("Filter").RequireAuthorization(Policies.Viewer);
        filter.MapGet("/fields", GetFields).WithSummary("The fields a filter can use, their types and example values (for autocompletion).");
        filter.MapGet("/check", CheckFilter).WithSummary("Checks a filter: 200 when valid, 400 saying what is wrong and where.");
    }

    /// <param name="Name">The AWS field name, as written in filters (<c>dstport</c>, <c>log-status</c>).</param>
    /// <param name="Type"><c>address</c>, <c>number</c>, <c>protocol</c>, <c>enum</c> or <c>text</c>.</param>
    /// <param name="Operators">The comparisons the field takes.</param>
    /// <param name="Examples">Example values; for enums, every value.</param>
    public sealed record FieldInfo(string Name, string Type, IReadOnlyList<string> Operators, IReadOnlyList<string> Examples);

    public sealed record FilterCheck(string Filter, bool Valid);

    private static readonly IReadOnlyList<string> EqualityOperators = ["=", "!=", "in", "not in"];
    private static readonly IReadOnlyList<string> AllOperators = ["=", "!=", "<", "<=", ">", ">=", "in", "not in"];

    internal static Ok<List<FieldInfo>> GetFields() => TypedResults.Ok(FilterFields.All
        .Select(f => new FieldInfo(f.Name, f.Kind.ToString().ToLowerInvariant(),
            f.Kind is FilterKind.Number or FilterKind.Protocol ? AllOperators : EqualityOperators, f.Examples))
        .ToList());

    internal static Results<Ok<FilterCheck>, ValidationProblem> CheckFilter(IOptions<QueryOptions> options, string? q)
    {
        var (_, error) = FilterParser.Parse(q, options.Value.FilterLimits);
        return error is null ? TypedResults.Ok(new FilterCheck(q ?? "", true)) : Problems.InvalidFilter(error);
    }
}
