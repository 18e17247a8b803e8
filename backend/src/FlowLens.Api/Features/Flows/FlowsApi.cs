using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Hosting;
using FlowLens.Api.Queries;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;
using FlowLens.Core.Scopes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace FlowLens.Api.Features.Flows;

public static class FlowsApi
{
    public const int MaxLimit = 10_000;

    /// <summary>Export rows described per inventory query.</summary>
    public const int ExportBatch = 1_000;

    public static void MapFlows(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/flows", SearchFlows).WithTags("Flows").RequireAuthorization(Policies.Viewer).LimitQueries(IsExport)
            .WithSummary("Flows of a time range matching a filter, newest first; a page of JSON, or the whole result as CSV, NDJSON or OCSF Network Activity events (NDJSON).")
            .Produces<FlowPage>(StatusCodes.Status200OK, "application/json", "text/csv", "application/x-ndjson");
    }

    /// <param name="Items">The flows, newest first (by start, then object and line).</param>
    /// <param name="NextCursor">Pass as <c>cursor</c> for the next page; null on the last page.</param>
    public sealed record FlowPage(List<FlowItem> Items, string? NextCursor)
    {
        public static FlowPage Example => new([FlowItem.Example], new FlowCursor(FlowItem.Example.Start!.Value, 42, 1877).Encode());
    }

    /// <summary>Searches flows.</summary>
    /// <param name="from" example="now-24h">Start of the range, inclusive: ISO 8601 UTC (<c>2024-11-24T00:00:00Z</c>) or relative (<c>now-24h</c>). Default: an hour ago.</param>
    /// <param name="to" example="now">End of the range, exclusive. Default: now.</param>
    /// <param name="q" example="action = REJECT and dstport in (22, 3389)">A filter, e.g. <c>action = REJECT and dstport in (22, 3389)</c> (see docs/filters.md).</param>
    /// <param name="limit" example="100">Flows per page, 1 to 10000 (default 100). Exports have no limit.</param>
    /// <param name="cursor">The <c>nextCursor</c> of the previous page.</param>
    /// <param name="format" example="csv"><c>json</c> (default), <c>csv</c> (AWS field names as header, then the context columns <c>src-network</c> … <c>security-groups</c>; text fields starting with = + - @ get a leading ' against spreadsheet formulas), <c>ndjson</c> (items as in JSON) or <c>ocsf</c> (one OCSF Network Activity event, class 4001, per line: docs/ocsf.md); CSV also with <c>Accept: text/csv</c>.</param>
    internal static async Task<Results<Ok<FlowPage>, EmptyHttpResult, ValidationProblem>> SearchFlows(
        HttpContext http, QueryDatabase database, ContextFilters context, FlowStrings strings, AddressDescriber describer, TimeProvider clock,
        string? from, string? to, string? q, int? limit, string? cursor, string? format, CancellationToken ct)
    {
        var (query, problem) = await QueryRequest.ParseAsync(from, to, q, CallerScope.Of(http.User), clock, database.FilterLimits, context.ResolveAsync, ct);
        if (problem is not null)
        {
            return problem;
        }
        format = FormatOf(http.Request);
        if (format is not ("json" or "csv" or "ndjson" or "ocsf"))
        {
            return Problems.Invalid("format", "format must be json, csv, ndjson or ocsf");
        }
        FlowCursor? after = null;
        if (cursor is not null)
        {
            if (!FlowCursor.TryDecode(cursor, out var decoded))
            {
                return Problems.Invalid("cursor", "cursor is not a nextCursor of this API");
            }
            after = decoded;
        }
        var (pageSize, limitProblem) = QueryRequest.Limit("limit", limit, 100, MaxLimit);
        if (limitProblem is not null)
        {
            return limitProblem;
        }

        if (format != "json")
        {
            var (exportSql, exportParameters) = FlowSearchSql.Build(query!.Range, query.Filter, after, limit: null);
            var rows = await database.ReadAsync(http, exportSql, exportParameters, ct, export: true);
            http.Response.RegisterForDisposeAsync(rows);
            http.Response.ContentType = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"{(format == "ocsf" ? "flows.ocsf.ndjson" : $"flows.{format}")}\"";
            var described = DescribedAsync(rows, strings, describer, CallerScope.Of(http.User), ct);
            await (format switch
            {
                "csv" => WriteCsvAsync(described, http.Response.Body, ct),
                "ocsf" => WriteNdjsonAsync(described, http.Response.Body, (flow, context) => FlowOcsf.Event(flow, context).ToJsonString(), ct),
                _ => WriteNdjsonAsync(described, http.Response.Body, (flow, context) => JsonSerializer.Serialize(FlowItem.From(flow, context), JsonSerializerOptions.Web), ct),
            });
            return TypedResults.Empty;
        }

        // One more than asked tells whether there is a next page.
        var (sql, parameters) = FlowSearchSql.Build(query!.Range, query.Filter, after, pageSize + 1);
        var items = new List<StoredFlow>();
        await using (var reader = await database.ReadAsync(http, sql, parameters, ct))
        {
            var flows = new FlowRows(reader, strings);
            while (await reader.ReadAsync(ct))
            {
                items.Add(flows.Read());
            }
        }
        var more = items.Count > pageSize;
        var page = items.Take(pageSize).ToList();
        var last = page.LastOrDefault();
        var next = more && last is not null ? new FlowCursor(last.Record.Start!.Value, last.ObjectId, last.Line).Encode() : null;
        var contexts = await FlowContext.DescribeAsync(page, describer, CallerScope.Of(http.User), ct);
        return TypedResults.Ok(new FlowPage([.. page.Select((flow, i) => FlowItem.From(flow, contexts[i]))], next));
    }

    /// <summary>The format asked for, from <c>format</c> or else the Accept header (lower case, unchecked).</summary>
    private static string FormatOf(HttpRequest request) =>
        (request.Query["format"].FirstOrDefault()
         ?? (AcceptsOnly(request, "text/csv") ? "csv" : AcceptsOnly(request, "application/x-ndjson") ? "ndjson" : "json")).ToLowerInvariant();

    /// <summary>Whether a request is an export (CSV, NDJSON or OCSF), for the limit on exports at once.</summary>
    private static bool IsExport(HttpRequest request) => FormatOf(request) is "csv" or "ndjson" or "ocsf";

    private static bool AcceptsOnly(HttpRequest request, string mediaType) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)
        && accepted.Count > 0 && accepted.All(a => a.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase));

    /// <summary>The rows with their context, read and described <see cref="ExportBatch"/> at a time: the export is never held whole.</summary>
    private static async IAsyncEnumerable<(StoredFlow Flow, FlowContext Context)> DescribedAsync(
        Npgsql.NpgsqlDataReader rows, FlowStrings strings, AddressDescriber describer, AccessScope scope, [EnumeratorCancellation] CancellationToken ct)
    {
        var flows = new FlowRows(rows, strings);
        var batch = new List<StoredFlow>(ExportBatch);
        var more = true;
        while (more)
        {
            batch.Clear();
            while (batch.Count < ExportBatch && (more = await rows.ReadAsync(ct)))
            {
                batch.Add(flows.Read());
            }
            var contexts = batch.Count == 0 ? [] : await FlowContext.DescribeAsync(batch, describer, scope, ct);
            for (var i = 0; i < batch.Count; i++)
            {
                yield return (batch[i], contexts[i]);
            }
        }
    }

    /// <summary>The CSV columns after the AWS fields, each with its value from a flow's context.</summary>
    internal static readonly (string Name, Func<FlowContext, string?> Value)[] ContextColumns =
    [
        .. Side("src", c => c.Src),
        .. Side("dst", c => c.Dst),
        ("instance-name", c => c.Interface?.ResourceName),
        ("security-groups", c => c.Interface is { SecurityGroups.Count: > 0 } i ? string.Join(' ', i.SecurityGroups.Select(g => g.Id)) : null),
    ];

    private static (string, Func<FlowContext, string?>)[] Side(string side, Func<FlowContext, AddressInfo?> of) =>
    [
        ($"{side}-network", c => of(c)?.Network?.Name),
        ($"{side}-aws-service", c => of(c)?.Aws?.Service),
        ($"{side}-country", c => of(c)?.Country),
        ($"{side}-asn", c => of(c)?.Asn?.ToString(CultureInfo.InvariantCulture)),
        // The resource, or the ENI where the inventory knows no more (an ENI of a kind it does not name).
        ($"{side}-resource-id", c => of(c)?.Resource is { } r ? r.ResourceId ?? r.InterfaceId : null),
        ($"{side}-name", c => of(c)?.Resource?.ResourceName),
    ];

    /// <summary>
    /// The rows as CSV: a header of AWS field names, values as AWS writes them (times in Unix seconds), then the
    /// context columns; empty when absent.
    /// </summary>
    private static async Task WriteCsvAsync(IAsyncEnumerable<(StoredFlow Flow, FlowContext Context)> rows, Stream body, CancellationToken ct)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await writer.WriteLineAsync(string.Join(',', FlowFields.All.Select(f => f.Name).Concat(ContextColumns.Select(c => c.Name))));
        var line = new StringBuilder();
        await foreach (var (flow, context) in rows.WithCancellation(ct))
        {
            var record = flow.Record;
            line.Clear();
            foreach (var field in FlowFields.All)
            {
                if (field.Field != FlowField.Version)
                {
                    line.Append(',');
                }
                if (record.Get(field.Field) is not null)
                {
                    var value = FlowLogText.Value(record, field.Field);
                    line.Append(Csv(field.Kind == FlowFieldKind.Text ? NeutraliseFormula(value) : value));
                }
            }
            foreach (var (_, value) in ContextColumns)
            {
                line.Append(',');
                // Names come from whoever can tag resources or name networks: text, like the flow's text fields.
                if (value(context) is { } text)
                {
                    line.Append(Csv(NeutraliseFormula(text)));
                }
            }
            await writer.WriteLineAsync(line, ct);
        }
    }

    /// <summary>The rows as NDJSON, one JSON object per flow: a flow item as the JSON page writes it, or an OCSF event.</summary>
    private static async Task WriteNdjsonAsync(
        IAsyncEnumerable<(StoredFlow Flow, FlowContext Context)> rows, Stream body, Func<StoredFlow, FlowContext, string> line, CancellationToken ct)
    {
        await using var writer = new StreamWriter(body, new UTF8Encoding(false), 64 * 1024, leaveOpen: true);
        await foreach (var (flow, context) in rows.WithCancellation(ct))
        {
            await writer.WriteLineAsync(line(flow, context));
        }
    }

    /// <summary>
    /// A text field starting with = + - @, a tab or a CR gets a leading <c>'</c>, so a spreadsheet shows it rather than
    /// run it as a formula (OWASP CSV injection). Only text fields (interface-id, vpc-id, ARNs...): they come from
    /// whoever can write flow logs. Numbers, addresses and AWS keywords are written as they are, and never start so.
    /// </summary>
    internal static string NeutraliseFormula(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
