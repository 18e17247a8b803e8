using System.Globalization;
using System.Net;
using FlowLens.Api.Features.Context;
using FlowLens.Api.Queries;
using FlowLens.Core.Filters;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;
using FlowLens.Core.Stats;

namespace FlowLens.Api.Features.Stats;

/// <summary>
/// Tops by context (<c>by=dst-country</c>, <c>src-network</c>, <c>dst-aws-service</c>, <c>src-asn</c>,
/// <c>instance-name</c>...: <see cref="StatsSql.IsContextGroupField"/>). PostgreSQL sums the raw flows of the range
/// and filter per address (or, for <c>instance-name</c>, per interface, named there from the inventory); each
/// address is labelled here (<see cref="AddressContext"/>, <see cref="GeoDatabases"/>) and the sums are added up per
/// label. An address or interface without the context counts under <c>-</c>; records without the address (NODATA)
/// are left out, as for <c>by=dstaddr</c>. Ranked by the metric, ties by key; always exact, from the raw flows: the
/// 5-minute totals keep no addresses and the top summaries only a bounded top of them, which a sum per label
/// cannot be built from.
/// </summary>
/// <remarks>
/// Cost: the scan and hash aggregate of the raw flows that <c>by=dstaddr&amp;exact=true</c> does, then one row per
/// distinct address streamed to this node (about 200,000 a day at internet scale, ~60 bytes each) and one in-memory
/// lookup per row (prefix maps, or a memory-mapped .mmdb read: about a microsecond). Only the sums per label are
/// held (at most a few hundred countries or services; one per ASN seen), never the addresses. A week of a busy
/// account is a million rows or more: narrow the range or the filter if it runs into the query timeout.
/// </remarks>
public static class ContextTops
{
    /// <summary>
    /// Rows <c>value, flows, bytes, packets, rejected_flows</c>: per address of the field's column (an <c>inet</c>),
    /// or for <c>instance-name</c> per name of the resource the interface belonged to (text, null when the inventory
    /// does not know it): the latest version of the interface, and of its resource, that began before the range's
    /// end — the one valid at the end of the range, or the last one of an interface gone by then. Unordered.
    /// </summary>
    public static StatsStatement Statement(TimeRange range, FilterNode? filter, string by)
    {
        if (!StatsSql.IsContextGroupField(by) || !FilterFields.TryFind(by, out var field))
        {
            throw new ArgumentException($"'{by}' is not a context field a top can group by", nameof(by));
        }
        var column = field.Columns[0];
        var parameters = new List<object> { range.From, range.To };
        var condition = "true";
        if (filter is not null)
        {
            (condition, var values) = FilterSql.Build(filter, parameters.Count + 1);
            parameters.AddRange(values);
        }
        var columns = new[] { column, "log_status", "bytes", "packets", "action" }.Concat(filter is null ? [] : FilterSql.Columns(filter));
        var flows = FlowChunks.Rows(columns.Select(FlowColumns.Named), "$1", "$2");
        // The sums per address (or interface id) of the range: labelled in C#, or, for instance-name, here by the inventory.
        var sums = $"""
            select f.{column} as value,
                count(*) filter (where f.log_status = 1)::bigint as flows,
                coalesce(sum(f.bytes), 0)::bigint as bytes,
                coalesce(sum(f.packets), 0)::bigint as packets,
                count(*) filter (where f.log_status = 1 and f.action = 2)::bigint as rejected_flows
            from {flows} f
            where f.{column} is not null and {condition}
            group by f.{column}
            """;
        if (field.Attribute != ContextAttribute.InstanceName)
        {
            return new StatsStatement(sums, parameters, StatsPath.Raw);
        }
        return new StatsStatement($"""
            with interfaces as ({sums})
            select r.name as value, sum(i.flows)::bigint as flows, sum(i.bytes)::bigint as bytes, sum(i.packets)::bigint as packets,
                sum(i.rejected_flows)::bigint as rejected_flows
            from interfaces i
            join flow_strings s on s.id = i.value
            left join lateral (
                select x.resource_id from inventory_interfaces x
                where x.interface_id = s.value and x.valid_from < $2
                order by x.valid_from desc, x.id desc limit 1
            ) n on true
            left join lateral (
                select x.name from inventory_resources x
                where x.resource_id = n.resource_id and x.valid_from < $2
                order by x.valid_from desc, x.id desc limit 1
            ) r on true
            group by r.name
            """, parameters, StatsPath.Raw);
    }

    /// <summary>Runs <paramref name="statement"/> (<see cref="Statement"/> of <paramref name="by"/>) and ranks its labels.</summary>
    public static async Task<List<StatsApi.TopItem>> TopAsync(
        HttpContext http, QueryDatabase database, AddressContext context, GeoDatabases geo, StatsStatement statement, string by,
        StatsMetric metric, int limit, CancellationToken ct)
    {
        FilterFields.TryFind(by, out var field);
        Func<IPAddress, string?> label = field!.Attribute switch
        {
            ContextAttribute.Country => geo.Country,
            ContextAttribute.Asn => address => geo.Asn(address).Number?.ToString(CultureInfo.InvariantCulture),
            ContextAttribute.Network => address => context.Network(address)?.Name,
            ContextAttribute.AwsService => address => context.Aws(address)?.Service,
            _ => _ => null,
        };
        if (field.Attribute is ContextAttribute.Network or ContextAttribute.AwsService)
        {
            await context.RefreshAsync(force: false, ct); // cheap when nothing changed: two aggregate queries
        }

        var sums = new Dictionary<string, long[]>(StringComparer.Ordinal);
        await using (var reader = await database.ReadAsync(http, statement.Sql, statement.Parameters, ct))
        {
            var named = field.Attribute == ContextAttribute.InstanceName;
            while (await reader.ReadAsync(ct))
            {
                var key = (reader.IsDBNull(0) ? null : named ? reader.GetString(0) : label(reader.GetFieldValue<IPAddress>(0))) ?? "-";
                if (!sums.TryGetValue(key, out var sum))
                {
                    sums[key] = sum = new long[4];
                }
                for (var i = 0; i < 4; i++)
                {
                    sum[i] += reader.GetInt64(i + 1);
                }
            }
        }
        var rank = metric switch { StatsMetric.Bytes => 1, StatsMetric.Packets => 2, _ => 0 };
        return [.. sums
            .OrderByDescending(s => s.Value[rank]).ThenBy(s => s.Key, StringComparer.Ordinal)
            .Take(limit)
            .Select(s => new StatsApi.TopItem(s.Key, s.Value[0], s.Value[1], s.Value[2], s.Value[3]))];
    }
}
