using FlowLens.Api.Features.Auth;
using FlowLens.Api.Hosting;
using FlowLens.Api.Queries;
using FlowLens.Core.Filters;
using FlowLens.Core.Lookups;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Filters;

public static class FilterApi
{
    public static void MapFilter(this IEndpointRouteBuilder app)
    {
        var filter = app.MapGroup("/api/filter").WithTags("Filter").RequireAuthorization(Policies.Viewer);
        filter.MapGet("/fields", GetFields).WithSummary("The fields a filter can use: types, example values and the labels of coded values (protocol, traffic-path, tcp-flags).");
        filter.MapGet("/check", CheckFilter).WithSummary("Checks a filter: 200 when valid, 400 saying what is wrong and where.");
    }

    /// <param name="Name">The AWS field name, as written in filters (<c>dstport</c>, <c>log-status</c>).</param>
    /// <param name="Type"><c>address</c>, <c>number</c>, <c>protocol</c>, <c>enum</c> or <c>text</c>.</param>
    /// <param name="Operators">The comparisons the field takes.</param>
    /// <param name="Examples">Example values; for enums, every value.</param>
    /// <param name="Labels">What coded values mean, for display: protocol numbers, traffic-path codes, and for
    /// <c>tcp-flags</c> one entry per bit. Empty for fields whose values speak for themselves.</param>
    public sealed record FieldInfo(string Name, string Type, IReadOnlyList<string> Operators, IReadOnlyList<string> Examples, IReadOnlyList<ValueLabel> Labels);

    /// <param name="Value">The value as the API returns it (<c>6</c>; a single bit for <c>tcp-flags</c>).</param>
    /// <param name="Label">How it reads on screen (<c>TCP</c>, <c>Same VPC</c>).</param>
    /// <param name="Description">AWS's longer wording, where it has one.</param>
    public sealed record ValueLabel(string Value, string Label, string? Description);

    public sealed record FilterCheck(string Filter, bool Valid);

    private static readonly IReadOnlyList<string> EqualityOperators = ["=", "!=", "in", "not in"];
    private static readonly IReadOnlyList<string> AllOperators = ["=", "!=", "<", "<=", ">", ">=", "in", "not in"];

    internal static Ok<List<FieldInfo>> GetFields() => TypedResults.Ok(FilterFields.All
        .Select(f => new FieldInfo(f.Name, f.Kind.ToString().ToLowerInvariant(),
            f.Kind is FilterKind.Number or FilterKind.Protocol ? AllOperators : EqualityOperators, f.Examples,
            Labels.GetValueOrDefault(f.Name, [])))
        .ToList());

    // The one place labels come from: the core's lookups. The frontend has no copies.
    private static readonly Dictionary<string, IReadOnlyList<ValueLabel>> Labels = new()
    {
        ["protocol"] = [.. Protocols.All.Select(p => new ValueLabel(Invariant(p.Number), p.Name, null))],
        ["traffic-path"] = [.. TrafficPaths.All.Select(p => new ValueLabel(Invariant(p.Code), p.Short, p.Label))],
        ["tcp-flags"] = [.. TcpFlagNames.All.Select(f => new ValueLabel(Invariant(f.Bit), f.Name, null))],
    };

    private static string Invariant(int number) => number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static Results<Ok<FilterCheck>, ValidationProblem> CheckFilter(IOptions<QueryOptions> options, string? q)
    {
        var (_, error) = FilterParser.Parse(q, options.Value.FilterLimits);
        return error is null ? TypedResults.Ok(new FilterCheck(q ?? "", true)) : Problems.InvalidFilter(error);
    }
}
