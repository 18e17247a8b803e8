using FlowLens.Api.Hosting;
using FlowLens.Core.Filters;
using FlowLens.Core.Queries;
using FlowLens.Core.Scopes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlowLens.Api.Queries;

/// <summary>What every query endpoint takes: a time range on the flows' start and a filter.</summary>
public sealed record FlowQuery(TimeRange Range, FilterNode? Filter);

public static class QueryRequest
{
    /// <summary>
    /// The query, the filter's context comparisons resolved by <paramref name="resolve"/> (the Context feature's
    /// <c>ContextFilters.ResolveAsync</c>) and the caller's <paramref name="scope"/> added to it (Auth's <c>CallerScope</c>),
    /// so that the scope is in the SQL of every read; or the 400 that says which parameter is wrong (with the position, for the filter).
    /// </summary>
    public static async Task<(FlowQuery? Query, ValidationProblem? Problem)> ParseAsync(string? from, string? to, string? q, AccessScope scope, TimeProvider clock,
        FilterLimits limits, Func<FilterNode?, TimeRange, CancellationToken, Task<FilterNode?>> resolve, CancellationToken ct)
    {
        var (range, field, error) = TimeRange.Parse(from, to, clock.GetUtcNow());
        if (error is not null)
        {
            return (null, Problems.Invalid(field!, error));
        }
        var (filter, filterError) = FilterParser.Parse(q, limits);
        return filterError is not null
            ? (null, Problems.InvalidFilter(filterError))
            : (new FlowQuery(range, scope.Restrict(await resolve(filter, range, ct))), null);
    }

    /// <summary>A whole-number parameter between 1 and <paramref name="max"/>, or its default when absent.</summary>
    public static (int Value, ValidationProblem? Problem) Limit(string name, int? value, int fallback, int max) =>
        value is null ? (fallback, null)
        : value < 1 || value > max ? (0, Problems.Invalid(name, $"{name} must be between 1 and {max}"))
        : (value.Value, null);

}
