using System.Threading.RateLimiting;
using FlowLens.Api.Hosting;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Queries;

/// <summary>Endpoint metadata: requests here run a query on the query pool; <see cref="IsExport"/> tells exports apart.</summary>
public sealed record QueryWork(Func<HttpRequest, bool> IsExport);

/// <summary>
/// How many queries and exports run at once (FlowLens:Queries): per caller, and exports of all callers together.
/// A request holds its place until it ends, completes or is aborted; past the limit it gets 429 at once.
/// </summary>
public static class QueryLimits
{
    /// <summary>Marks the endpoints as running queries (exports when <paramref name="isExport"/> says so).</summary>
    public static TBuilder LimitQueries<TBuilder>(this TBuilder builder, Func<HttpRequest, bool>? isExport = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new QueryWork(isExport ?? (_ => false)));

    public static PartitionedRateLimiter<HttpContext> Create() => PartitionedRateLimiter.CreateChained(
        PartitionedRateLimiter.Create<HttpContext, string>(context => Work(context) switch
        {
            null => RateLimitPartition.GetNoLimiter(""),
            var work when work.IsExport(context.Request) =>
                At("export:" + SecuritySetup.CallerOf(context), Options(context).ConcurrentExportsPerCaller),
            _ => At("query:" + SecuritySetup.CallerOf(context), Options(context).ConcurrentPerCaller),
        }),
        PartitionedRateLimiter.Create<HttpContext, string>(context =>
            Work(context) is { } work && work.IsExport(context.Request)
                ? At("exports", Options(context).ConcurrentExports)
                : RateLimitPartition.GetNoLimiter("")));

    private static QueryWork? Work(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<QueryWork>();

    private static QueryOptions Options(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<QueryOptions>>().Value;

    private static RateLimitPartition<string> At(string key, int permits) => RateLimitPartition.GetConcurrencyLimiter(key,
        _ => new ConcurrencyLimiterOptions { PermitLimit = permits, QueueLimit = 0 });
}
