using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Queries;
using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlowLens.Api.Features.TransitGateway;

/// <summary>
/// The Transit Gateway view: what Transit Gateway flow logs say crossed the hub in a time range, in total, per
/// attachment and its pair, and per source and destination VPC, with the packets the gateway dropped by reason. Read
/// from the raw flows (only chunks of Transit Gateway records are unpacked), one scan with grouping sets.
/// </summary>
public static class TransitGatewayApi
{
    public const int MaxRows = 500;

    public static void MapTransitGateway(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/stats/transit-gateway", GetReport).WithName("getTransitGatewayReport").WithTags("Stats").RequireAuthorization(Policies.Viewer).LimitQueries()
            .WithSummary("Transit Gateway flow logs: traffic and packets lost by reason, in total, per attachment pair and per VPC pair.");

    /// <summary>Packets the transit gateway dropped, by AWS's four reasons (the <c>packets-lost-*</c> fields).</summary>
    public sealed record PacketsLost(long NoRoute, long Blackhole, long MtuExceeded, long TtlExpired);

    /// <param name="Records">Transit Gateway flow log records (records with <c>resource-type</c>, <c>tgw-id</c> or <c>tgw-attachment-id</c>).</param>
    public sealed record TransitGatewayTotals(long Records, long Bytes, long Packets, PacketsLost PacketsLost);

    /// <param name="TgwId">The transit gateway (<c>tgw-id</c>).</param>
    /// <param name="AttachmentId">The attachment the records were captured on (<c>tgw-attachment-id</c>).</param>
    /// <param name="PairAttachmentId">The flow's other attachment (<c>tgw-pair-attachment-id</c>).</param>
    /// <param name="FlowDirection"><c>ingress</c> or <c>egress</c> with respect to the attachment.</param>
    public sealed record AttachmentTraffic(
        string? TgwId, string? AttachmentId, string? PairAttachmentId, string? FlowDirection, long Records, long Bytes, long Packets, PacketsLost PacketsLost);

    /// <param name="SrcVpcId"><c>tgw-src-vpc-id</c>; null when the traffic came from no VPC (VPN, Direct Connect, peering).</param>
    /// <param name="DstVpcId"><c>tgw-dst-vpc-id</c>.</param>
    public sealed record VpcTraffic(
        string? SrcVpcId, string? DstVpcId, string? SrcVpcAccountId, string? DstVpcAccountId, long Records, long Bytes, long Packets, PacketsLost PacketsLost);

    /// <param name="Attachments">Attachment pairs by bytes, at most <c>limit</c>.</param>
    /// <param name="Vpcs">VPC pairs by bytes, at most <c>limit</c>.</param>
    public sealed record TransitGatewayReport(TransitGatewayTotals Totals, List<AttachmentTraffic> Attachments, List<VpcTraffic> Vpcs)
    {
        public static TransitGatewayReport Example => new(
            new(48_210, 9_876_543_210, 8_123_456, new(12, 0, 310, 0)),
            [new("tgw-0a12bc34de56f7890", "tgw-attach-0123456789abcdef0", "tgw-attach-0fedcba9876543210", "ingress", 30_110, 6_543_210_000, 5_120_300, new(0, 0, 310, 0))],
            [new("vpc-0abc1234def567890", "vpc-0def5678abc123456", "111122223333", "444455556666", 30_110, 6_543_210_000, 5_120_300, new(0, 0, 310, 0))]);
    }

    /// <summary>The Transit Gateway view.</summary>
    /// <param name="from" example="now-24h">Start of the range, inclusive: ISO 8601 UTC or relative (<c>now-24h</c>). Default: an hour ago.</param>
    /// <param name="to" example="now">End of the range, exclusive. Default: now.</param>
    /// <param name="q" example="tgw-id = tgw-0a12bc34de56f7890">A filter (docs/filters.md), on the Transit Gateway records.</param>
    /// <param name="limit" example="50">Attachment pairs and VPC pairs to list, each, 1 to 500 (default 50).</param>
    internal static async Task<Results<Ok<TransitGatewayReport>, ValidationProblem>> GetReport(
        HttpContext http, QueryDatabase database, ContextFilters context, FlowStrings strings, TimeProvider clock, string? from, string? to, string? q, int? limit,
        CancellationToken ct)
    {
        var (query, problem) = await QueryRequest.ParseAsync(from, to, q, CallerScope.Of(http.User), clock, database.FilterLimits, context.ResolveAsync, ct);
        var (count, limitProblem) = QueryRequest.Limit("limit", limit, 50, MaxRows);
        if ((problem ?? limitProblem) is { } invalid)
        {
            return invalid;
        }
        var (sql, parameters) = Sql(query!.Range.From, query.Range.To, query.Filter);
        await using var reader = await database.ReadAsync(http, sql, parameters, ct);
        var totals = new TransitGatewayTotals(0, 0, 0, new PacketsLost(0, 0, 0, 0));
        var attachments = new List<AttachmentTraffic>();
        var vpcs = new List<VpcTraffic>();
        string? Text(int i) => reader.IsDBNull(i) ? null : strings.ValueOf(reader.GetInt32(i));
        while (await reader.ReadAsync(ct))
        {
            var (records, bytes, packets) = (reader.GetInt64(9), reader.GetInt64(10), reader.GetInt64(11));
            var lost = new PacketsLost(reader.GetInt64(12), reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15));
            switch (reader.GetInt32(0))
            {
                case 0:
                    totals = new TransitGatewayTotals(records, bytes, packets, lost);
                    break;
                case 1:
                    var direction = reader.IsDBNull(4) ? null : reader.GetInt16(4) == (short)FlowDirection.Ingress ? "ingress" : "egress";
                    attachments.Add(new AttachmentTraffic(Text(1), Text(2), Text(3), direction, records, bytes, packets, lost));
                    break;
                default:
                    vpcs.Add(new VpcTraffic(Text(5), Text(6), Text(7), Text(8), records, bytes, packets, lost));
                    break;
            }
        }
        return TypedResults.Ok(new TransitGatewayReport(totals,
            [.. attachments.OrderByDescending(a => a.Bytes).ThenBy(a => a.AttachmentId, StringComparer.Ordinal).ThenBy(a => a.PairAttachmentId, StringComparer.Ordinal).Take(count)],
            [.. vpcs.OrderByDescending(v => v.Bytes).ThenBy(v => v.SrcVpcId, StringComparer.Ordinal).ThenBy(v => v.DstVpcId, StringComparer.Ordinal).Take(count)]));
    }

    /// <summary>
    /// The three groupings in one scan: the total (set 0), per attachment, pair and direction (1), per VPC pair (2);
    /// ids as flow_strings ids. Only chunks holding a Transit Gateway field are unpacked.
    /// </summary>
    internal static (string Sql, List<object> Parameters) Sql(DateTimeOffset from, DateTimeOffset to, FilterNode? filter)
    {
        var parameters = new List<object> { from, to };
        var condition = "true";
        if (filter is not null)
        {
            (condition, var values) = FilterSql.Build(filter, parameters.Count + 1);
            parameters.AddRange(values);
        }
        string[] columns =
        [
            "tgw_id", "tgw_attachment_id", "tgw_pair_attachment_id", "flow_direction", "tgw_src_vpc_id", "tgw_dst_vpc_id",
            "tgw_src_vpc_account_id", "tgw_dst_vpc_account_id", "bytes", "packets", "packets_lost_no_route", "packets_lost_blackhole",
            "packets_lost_mtu_exceeded", "packets_lost_ttl_expired", "resource_type",
        ];
        var rows = FlowChunks.Rows(columns.Concat(filter is null ? [] : FilterSql.Columns(filter)).Select(FlowColumns.Named), "$1", "$2",
            chunks: "(c.resource_type is not null or c.tgw_id is not null or c.tgw_attachment_id is not null)");
        return ($"""
            select case when grouping(f.tgw_id, f.tgw_attachment_id, f.tgw_pair_attachment_id, f.flow_direction) = 0 then 1
                        when grouping(f.tgw_src_vpc_id, f.tgw_dst_vpc_id, f.tgw_src_vpc_account_id, f.tgw_dst_vpc_account_id) = 0 then 2
                        else 0 end as grouping_set,
                f.tgw_id, f.tgw_attachment_id, f.tgw_pair_attachment_id, f.flow_direction,
                f.tgw_src_vpc_id, f.tgw_dst_vpc_id, f.tgw_src_vpc_account_id, f.tgw_dst_vpc_account_id,
                count(*)::bigint as records,
                coalesce(sum(f.bytes), 0)::bigint as bytes,
                coalesce(sum(f.packets), 0)::bigint as packets,
                coalesce(sum(f.packets_lost_no_route), 0)::bigint as lost_no_route,
                coalesce(sum(f.packets_lost_blackhole), 0)::bigint as lost_blackhole,
                coalesce(sum(f.packets_lost_mtu_exceeded), 0)::bigint as lost_mtu_exceeded,
                coalesce(sum(f.packets_lost_ttl_expired), 0)::bigint as lost_ttl_expired
            from {rows} f
            where (f.resource_type is not null or f.tgw_id is not null or f.tgw_attachment_id is not null) and {condition}
            group by grouping sets ((), (f.tgw_id, f.tgw_attachment_id, f.tgw_pair_attachment_id, f.flow_direction),
                (f.tgw_src_vpc_id, f.tgw_dst_vpc_id, f.tgw_src_vpc_account_id, f.tgw_dst_vpc_account_id))
            """, parameters);
    }
}
