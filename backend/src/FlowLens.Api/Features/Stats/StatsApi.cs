using System.Text.Json.Serialization;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Hosting;
using FlowLens.Api.Queries;
using FlowLens.Core.Queries;
using FlowLens.Core.Stats;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Stats;

public static class StatsApi
{
    /// <summary>Names the table that answered: <c>rollup-5m</c> (exact totals), <c>rollup-top</c> (top summaries) or <c>raw</c>.</summary>
    public const string PathHeader = "X-FlowLens-Path";
    public const int MaxTopLimit = 1000;
    public const int MaxGroups = 100;
    public const int MaxPoints = 5000;

    public static void MapStats(this IEndpointRouteBuilder app)
    {
        // 503 when the database is down or the query ran past FlowLens:Queries:TimeoutSeconds (OpenApiOperationsFilter documents it, and 429, on every operation).
        var stats = app.MapGroup("/api/stats").WithTags("Stats").RequireAuthorization(Policies.Viewer).LimitQueries();
        stats.MapGet("/summary", GetSummary).WithName("getStatsSummary").WithSummary("Totals of the flows of a time range matching a filter.");
        stats.MapGet("/top", GetTop).WithName("getStatsTop").WithSummary("The values of a field (or of 2 or 3 fields together) with the most bytes, packets or flows.");
        stats.MapGet("/scans", GetScans).WithName("getStatsScans").WithSummary("The sources that hit the most distinct destination ports or hosts (likely scans).");
        stats.MapGet("/timeseries", GetTimeSeries).WithName("getStatsTimeSeries").WithSummary("A metric over time, in UTC-aligned buckets, optionally one series per value of a field.");
    }

    /// <param name="Flows">Records with log-status OK (each is one flow in one aggregation interval).</param>
    /// <param name="Bytes">Bytes of all records.</param>
    /// <param name="Packets">Packets of all records.</param>
    /// <param name="AcceptedFlows">Flows with action ACCEPT.</param>
    /// <param name="RejectedFlows">Flows with action REJECT.</param>
    /// <param name="NoDataRecords">Records with log-status NODATA (no traffic on the interface in the interval).</param>
    /// <param name="SkipDataRecords">Records with log-status SKIPDATA (AWS skipped records in the interval).</param>
    public sealed record Summary(long Flows, long Bytes, long Packets, long AcceptedFlows, long RejectedFlows, long NoDataRecords, long SkipDataRecords)
    {
        public static Summary Example => new(2_861_402, 9_876_543_210, 12_345_678, 2_463_117, 398_285, 14_310, 0);
    }

    /// <param name="Key">The field's value as text: <c>10.0.0.5</c>, <c>443</c>, <c>6</c>, <c>ACCEPT</c>, <c>10.0.0.5 -> 10.0.0.9</c> for pairs; for a list of fields, their values in its order joined by <c> -> </c>, <c>-</c> for each the record does not have (<c>10.0.0.5 -> 443 -> 10.0.0.9</c>).</param>
    public sealed record TopItem(string Key, long Flows, long Bytes, long Packets, long RejectedFlows);

    /// <param name="Approximate">True when the answer came from top summaries that left keys out: each listed value of the ranked metric is then a lower bound, at most <c>maxError</c> below the true one.</param>
    /// <param name="MaxError">The bound of the ranked metric's error: every listed value v has v ≤ true ≤ v + maxError, and a value not listed is at most the last listed one + maxError. 0 when exact.</param>
    public sealed record TopResponse(List<TopItem> Items, bool Approximate, long MaxError)
    {
        public static TopResponse Example => new([new("10.0.7.23", 18_234, 987_654_321, 812_345, 12), new("10.0.3.9", 9_120, 455_000_120, 401_220, 0)], false, 0);
    }

    /// <param name="SrcAddr">The source address.</param>
    /// <param name="Ports">Distinct destination ports it sent to (any protocol; records without a port do not count).</param>
    /// <param name="Hosts">Distinct destination addresses it sent to.</param>
    /// <param name="Flows">Its records with log-status OK.</param>
    /// <param name="Bytes">Bytes of those records.</param>
    /// <param name="Packets">Packets of those records.</param>
    /// <param name="RejectedFlows">Those with action REJECT.</param>
    /// <param name="FirstSeen">The earliest start of its records in the range (UTC).</param>
    /// <param name="LastSeen">The latest end of its records in the range (UTC; a record without an end counts its start).</param>
    public sealed record ScanItem(
        [property: JsonPropertyName("srcaddr")] string SrcAddr, long Ports, long Hosts, long Flows, long Bytes, long Packets,
        long RejectedFlows, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

    public sealed record ScansResponse(List<ScanItem> Items)
    {
        private static readonly DateTimeOffset T = new(2026, 11, 24, 0, 0, 12, TimeSpan.Zero);

        public static ScansResponse Example => new(
        [
            new("198.51.100.7", 1024, 212, 3_310, 145_640, 3_310, 3_310, T, T.AddHours(23).AddMinutes(59)),
            new("203.0.113.45", 2, 187, 402, 30_150, 603, 402, T.AddHours(2), T.AddHours(9)),
        ]);
    }

    /// <param name="T">The bucket's start (UTC).</param>
    public sealed record Point(DateTimeOffset T, long Value);

    /// <param name="Key">The group's value, <c>total</c> without groupBy, <c>other</c> for the groups past the limit, <c>-</c> for records without the field.</param>
    public sealed record Series(string Key, List<Point> Points);

    public sealed record TimeSeriesResponse(string Interval, List<Series> Series)
    {
        private static readonly DateTimeOffset T = new(2026, 11, 24, 13, 0, 0, TimeSpan.Zero);

        public static TimeSeriesResponse Example => new("5m",
        [
            new("ACCEPT", [new(T, 10_234), new(T.AddMinutes(5), 10_517)]),
            new("REJECT", [new(T, 1_402), new(T.AddMinutes(5), 3_980)]),
        ]);
    }

    /// <summary>Totals.</summary>
    /// <param name="from" example="now-24h">Start of the range, inclusive: ISO 8601 UTC or relative (<c>now-24h</c>). Default: an hour ago.</param>
    /// <param name="to" example="now">End of the range, exclusive. Default: now.</param>
    /// <param name="q" example="action = REJECT and dstport in (22, 3389)">A filter (docs/filters.md).</param>
    /// <param name="rollups" example="true">false answers from the raw flows even when the rollups could (to check them).</param>
    internal static async Task<Results<Ok<Summary>, ValidationProblem>> GetSummary(
        HttpContext http, QueryDatabase database, ContextFilters context, TimeProvider clock, string? from, string? to, string? q, bool? rollups, CancellationToken ct)
    {
        var (query, problem) = await QueryRequest.ParseAsync(from, to, q, CallerScope.Of(http.User), clock, database.FilterLimits, context.ResolveAsync, ct);
        if (problem is not null)
        {
            return problem;
        }
        var statement = StatsSql.Summary(query!.Range, query.Filter, rollups ?? true);
        await using var reader = await database.ReadAsync(http, statement.Sql, statement.Parameters, ct);
        await reader.ReadAsync(ct);
        SetPath(http, statement);
        return TypedResults.Ok(new Summary(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
            reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6)));
    }

    /// <summary>Top values.</summary>
    /// <param name="from" example="now-24h">Start of the range, inclusive. Default: an hour ago.</param>
    /// <param name="to" example="now">End of the range, exclusive. Default: now.</param>
    /// <param name="q" example="action = REJECT and dstport in (22, 3389)">A filter.</param>
    /// <param name="by" example="srcaddr">The field: any filter field of one column (<c>srcaddr</c>, <c>dstport</c>, <c>interface-id</c>...) or <c>pair</c> (srcaddr -> dstaddr). Or 2 or 3 such fields separated by commas, none twice and not <c>pair</c> (<c>srcaddr,dstport,dstaddr</c>): one item per combination of their values, records with none of them left out; always answered from the raw flows. Or, alone, a context field: <c>src-</c>/<c>dst-network</c>, <c>-aws-service</c>, <c>-country</c>, <c>-asn</c> or <c>instance-name</c> (docs/enrichment.md): the addresses' (interfaces') sums added up per label, <c>-</c> for those without one; always exact, from the raw flows.</param>
    /// <param name="metric" example="bytes"><c>bytes</c> (default), <c>packets</c> or <c>flows</c>; ties are ordered by key.</param>
    /// <param name="limit" example="10">How many values, 1 to 1000 (default 10).</param>
    /// <param name="rollups" example="true">false answers from the raw flows even when the rollups could.</param>
    /// <param name="exact" example="false">true answers exactly, from the raw flows, where the top summaries would answer within maxError.</param>
    internal static async Task<Results<Ok<TopResponse>, ValidationProblem>> GetTop(
        HttpContext http, QueryDatabase database, ContextFilters filters, TimeProvider clock, string? from, string? to, string? q, string? by,
        string? metric, int? limit, bool? rollups, bool? exact, IOptions<RollupOptions> options, AddressContext context, GeoDatabases geo,
        CancellationToken ct)
    {
        var (query, problem) = await QueryRequest.ParseAsync(from, to, q, CallerScope.Of(http.User), clock, database.FilterLimits, filters.ResolveAsync, ct);
        var (count, limitProblem) = QueryRequest.Limit("limit", limit, 10, MaxTopLimit);
        var fieldProblem = StatsSql.TryParseGroupBy(by ?? "srcaddr", out var fields, out var error) ? null : Problems.Invalid("by", error!);
        var (parsedMetric, metricProblem) = Metric(metric, StatsMetric.Bytes);
        if ((problem ?? limitProblem ?? fieldProblem ?? metricProblem) is { } invalid)
        {
            return invalid;
        }
        if (fields is [var contextField] && StatsSql.IsContextGroupField(contextField))
        {
            var labelled = ContextTops.Statement(query!.Range, query.Filter, contextField);
            var top = await ContextTops.TopAsync(http, database, context, geo, labelled, contextField, parsedMetric, count, ct);
            SetPath(http, labelled);
            return TypedResults.Ok(new TopResponse(top, false, 0));
        }
        var statement = StatsSql.Top(query!.Range, query.Filter, fields, parsedMetric, count, (rollups ?? true) && exact != true);
        if (statement.Path == StatsPath.RollupTop && options.Value.ExactTopRecords > 0
            && await RecordsInAsync(http, database, query.Range, ct) <= options.Value.ExactTopRecords)
        {
            statement = StatsSql.Top(query.Range, query.Filter, fields, parsedMetric, count, useRollups: false);
        }
        var items = new List<TopItem>();
        long maxError = 0;
        await using (var reader = await database.ReadAsync(http, statement.Sql, statement.Parameters, ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(new TopItem(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4)));
                maxError = statement.Path == StatsPath.RollupTop ? reader.GetInt64(5) : 0;
            }
        }
        SetPath(http, statement);
        return TypedResults.Ok(new TopResponse(items, maxError > 0, maxError));
    }

    private static async Task<long> RecordsInAsync(HttpContext http, QueryDatabase database, TimeRange range, CancellationToken ct)
    {
        var statement = StatsSql.RecordsIn(range);
        await using var reader = await database.ReadAsync(http, statement.Sql, statement.Parameters, ct);
        return await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0;
    }

    /// <summary>Likely scans.</summary>
    /// <param name="from" example="now-24h">Start of the range, inclusive. Default: an hour ago.</param>
    /// <param name="to" example="now">End of the range, exclusive. Default: now.</param>
    /// <param name="q" example="action = REJECT">A filter.</param>
    /// <param name="by" example="ports"><c>ports</c> (default): rank sources by distinct destination ports; <c>hosts</c>: by distinct destination addresses. Ties by flows, then address.</param>
    /// <param name="limit" example="20">How many sources, 1 to 1000 (default 20).</param>
    internal static async Task<Results<Ok<ScansResponse>, ValidationProblem>> GetScans(
        HttpContext http, QueryDatabase database, ContextFilters context, TimeProvider clock, string? from, string? to, string? q, string? by,
        int? limit, CancellationToken ct)
    {
        var (query, problem) = await QueryRequest.ParseAsync(from, to, q, CallerScope.Of(http.User), clock, database.FilterLimits, context.ResolveAsync, ct);
        var (count, limitProblem) = QueryRequest.Limit("limit", limit, 20, MaxTopLimit);
        var (scanBy, byProblem) = by?.ToLowerInvariant() switch
        {
            null or "ports" => (ScanBy.Ports, (ValidationProblem?)null),
            "hosts" => (ScanBy.Hosts, null),
            _ => (ScanBy.Ports, Problems.Invalid("by", "by must be ports or hosts")),
        };
        if ((problem ?? limitProblem ?? byProblem) is { } invalid)
        {
            return invalid;
        }
        var statement = StatsSql.Scans(query!.Range, query.Filter, scanBy, count);
        var items = new List<ScanItem>();
        await using (var reader = await database.ReadAsync(http, statement.Sql, statement.Parameters, ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(new ScanItem(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.GetInt64(5), reader.GetInt64(6), new DateTimeOffset(reader.GetDateTime(7)), new DateTimeOffset(reader.GetDateTime(8))));
            }
        }
        SetPath(http, statement);
        return TypedResults.Ok(new ScansResponse(items));
    }

    /// <summary>Time series.</summary>
    /// <param name="from" example="now-24h">Start of the range, inclusive. Default: an hour ago.</param>
    /// <param name="to" example="now">End of the range, exclusive. Default: now.</param>
    /// <param name="q" example="action = REJECT and dstport in (22, 3389)">A filter.</param>
    /// <param name="interval" example="auto"><c>auto</c> (default: 1m up to 2 hours, 5m up to a day, 1h up to 14 days, else 1d), or <c>1m</c>, <c>5m</c>, <c>15m</c>, <c>1h</c>, <c>6h</c>, <c>1d</c>.</param>
    /// <param name="metric" example="bytes"><c>flows</c> (default), <c>bytes</c> or <c>packets</c>.</param>
    /// <param name="groupBy" example="action">One series per value of this field (as <c>by</c> of /top: one field, not a context field); none: one series, <c>total</c>.</param>
    /// <param name="limit" example="10">How many groups keep their own series, 1 to 100 (default 10); the rest sum into <c>other</c>.</param>
    /// <param name="rollups" example="true">false answers from the raw flows even when the rollups could.</param>
    internal static async Task<Results<Ok<TimeSeriesResponse>, ValidationProblem>> GetTimeSeries(
        HttpContext http, QueryDatabase database, ContextFilters context, TimeProvider clock, string? from, string? to, string? q, string? interval,
        string? metric, string? groupBy, int? limit, bool? rollups, CancellationToken ct)
    {
        var (query, problem) = await QueryRequest.ParseAsync(from, to, q, CallerScope.Of(http.User), clock, database.FilterLimits, context.ResolveAsync, ct);
        var (count, limitProblem) = QueryRequest.Limit("limit", limit, 10, MaxGroups);
        var (field, fieldProblem) = groupBy is null ? (null, null) : GroupField("groupBy", groupBy);
        var (parsedMetric, metricProblem) = Metric(metric, StatsMetric.Flows);
        if ((problem ?? limitProblem ?? fieldProblem ?? metricProblem) is { } invalid)
        {
            return invalid;
        }
        var range = query!.Range;
        var (name, step) = Interval(interval, range);
        if (step is null)
        {
            return Problems.Invalid("interval", "interval must be auto, 1m, 5m, 15m, 1h, 6h or 1d");
        }
        var first = Rollups.BucketOf(range.From, step.Value);
        var buckets = (int)Math.Ceiling((range.To.UtcDateTime - first).Ticks / (double)step.Value.Ticks);
        if (buckets > MaxPoints)
        {
            return Problems.Invalid("interval", $"{name} buckets over this range make {buckets} points; at most {MaxPoints}: choose a larger interval");
        }

        var statement = StatsSql.TimeSeries(range, query.Filter, step.Value, field, parsedMetric, count, rollups ?? true);
        var values = new Dictionary<string, Dictionary<DateTime, long>>();
        await using (var reader = await database.ReadAsync(http, statement.Sql, statement.Parameters, ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var key = reader.GetString(1);
                if (!values.TryGetValue(key, out var points))
                {
                    values[key] = points = [];
                }
                points[reader.GetDateTime(0)] = reader.GetInt64(2);
            }
        }
        SetPath(http, statement);
        // Largest group first, ties by key; other and - last. Every bucket of the range, zero when empty.
        var series = values
            .OrderBy(s => s.Key is "other" or "-" ? 1 : 0).ThenByDescending(s => s.Value.Values.Sum()).ThenBy(s => s.Key, StringComparer.Ordinal)
            .Select(s => new Series(s.Key, Enumerable.Range(0, buckets)
                .Select(i => first.AddTicks(step.Value.Ticks * i))
                .Select(t => new Point(new DateTimeOffset(t), s.Value.GetValueOrDefault(t)))
                .ToList()))
            .ToList();
        if (series.Count == 0 && field is null)
        {
            series.Add(new Series("total", Enumerable.Range(0, buckets).Select(i => new Point(new DateTimeOffset(first.AddTicks(step.Value.Ticks * i)), 0)).ToList()));
        }
        return TypedResults.Ok(new TimeSeriesResponse(name, series));
    }

    private static void SetPath(HttpContext http, StatsStatement statement) =>
        http.Response.Headers[PathHeader] = statement.Path switch
        {
            StatsPath.Rollup5m => "rollup-5m",
            StatsPath.RollupTop => "rollup-top",
            _ => "raw",
        };

    private static (string? Field, ValidationProblem? Problem) GroupField(string parameter, string name) =>
        StatsSql.IsGroupField(name) ? (name.ToLowerInvariant(), null)
        : StatsSql.IsContextGroupField(name) ? (null, Problems.Invalid(parameter, $"'{name}' is a context field: /api/stats/top groups by it (by={name.ToLowerInvariant()}), a time series cannot"))
        : (null, Problems.Invalid(parameter, $"'{name}' is not a field to group by; use one of: {string.Join(", ", StatsSql.GroupFields)}"));

    private static (StatsMetric Metric, ValidationProblem? Problem) Metric(string? text, StatsMetric fallback) => text?.ToLowerInvariant() switch
    {
        null => (fallback, null),
        "bytes" => (StatsMetric.Bytes, null),
        "packets" => (StatsMetric.Packets, null),
        "flows" => (StatsMetric.Flows, null),
        _ => (fallback, Problems.Invalid("metric", "metric must be bytes, packets or flows")),
    };

    private static (string Name, TimeSpan? Step) Interval(string? text, TimeRange range)
    {
        var span = range.To - range.From;
        var name = (text ?? "auto").ToLowerInvariant() switch
        {
            "auto" when span <= TimeSpan.FromHours(2) => "1m",
            "auto" when span <= TimeSpan.FromDays(1) => "5m",
            "auto" when span <= TimeSpan.FromDays(14) => "1h",
            "auto" => "1d",
            var other => other,
        };
        TimeSpan? step = name switch
        {
            "1m" => TimeSpan.FromMinutes(1),
            "5m" => TimeSpan.FromMinutes(5),
            "15m" => TimeSpan.FromMinutes(15),
            "1h" => TimeSpan.FromHours(1),
            "6h" => TimeSpan.FromHours(6),
            "1d" => TimeSpan.FromDays(1),
            _ => null,
        };
        return (name, step);
    }
}
