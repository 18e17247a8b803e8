using FlowLens.Api.Features.ThreatLists;
using FlowLens.Core.Context;
using FlowLens.Core.Filters;
using FlowLens.Core.Queries;
using Npgsql;

namespace FlowLens.Api.Features.Context;

/// <summary>
/// Turns the context comparisons of a filter (<c>dst-country = CN</c>, <c>instance-name = web-*</c>) into what SQL
/// can test on stored flows: the address ranges of the networks, AWS prefixes, countries or ASNs named (the same
/// most-specific answers <see cref="AddressContext.Lookup"/> gives), or the interfaces whose resource or security
/// groups matched during the query's range, with the spans of time they did. Values are case-insensitive; text ones
/// may use <c>*</c> (<see cref="Glob"/>). A value nothing has matches nothing.
/// </summary>
public sealed class ContextFilters(AddressContext addresses, GeoDatabases geo, ThreatListStore threatLists, NpgsqlDataSource dataSource)
{
    /// <summary>The filter with each context comparison resolved (<see cref="ContextNode"/>); others unchanged.</summary>
    public async Task<FilterNode?> ResolveAsync(FilterNode? filter, TimeRange range, CancellationToken ct)
    {
        if (filter is null)
        {
            return null;
        }
        var matches = new Dictionary<ComparisonNode, ContextMatch>();
        foreach (var comparison in FilterTree.Comparisons(filter).Where(c => c.Field.Kind == FilterKind.Context))
        {
            matches[comparison] = await MatchAsync(comparison, range, ct);
        }
        return matches.Count == 0 ? filter : FilterTree.Replace(filter, c => matches.TryGetValue(c, out var match) ? new ContextNode(c, match) : c);
    }

    private async Task<ContextMatch> MatchAsync(ComparisonNode comparison, TimeRange range, CancellationToken ct)
    {
        var texts = comparison.Values.Select(v => v.Text).OfType<string>().ToList();
        bool Named(string? name) => texts.Any(pattern => Glob.Matches(pattern, name));
        return comparison.Field.Attribute switch
        {
            ContextAttribute.Network => Set(await addresses.NetworkRangesAsync(n => Named(n.Name), ct)),
            ContextAttribute.AwsService => Set(await addresses.AwsRangesAsync(p => Named(p.Service), ct)),
            ContextAttribute.Country => Set(geo.CountryRanges(texts)),
            ContextAttribute.Asn => Set(geo.AsnRanges(comparison.Values.Select(v => v.Number).OfType<long>())),
            ContextAttribute.ThreatList => Set(await threatLists.RangesWhereAsync(name => Named(name), ct)),
            ContextAttribute.InstanceName => await InterfacesAsync(InstanceNameSql, texts, range, ct),
            ContextAttribute.SecurityGroup => await InterfacesAsync(SecurityGroupSql, texts, range, ct),
            var other => throw new ArgumentOutOfRangeException(nameof(comparison), other, "no context for this field"),
        };
    }

    private static AddressSetMatch Set(List<AddressRange> ranges) => new(AddressRanges.ToMultirange(ranges), ranges.Count);

    /// <summary>Spans of the range during which an interface's resource (its Name tag or name) matched ($3, ilike patterns).</summary>
    internal const string InstanceNameSql = """
        select n.interface_id, greatest(n.valid_from, r.valid_from, $1), least(n.valid_to, r.valid_to, $2)
        from inventory_interfaces n
        join inventory_resources r on r.resource_id = n.resource_id and r.valid_from < n.valid_to and r.valid_to > n.valid_from
        where n.valid_from < $2 and n.valid_to > $1 and r.valid_from < $2 and r.valid_to > $1 and r.name ilike any($3)
        """;

    /// <summary>Spans of the range during which an interface had a security group matching by id, group name or Name tag.</summary>
    internal const string SecurityGroupSql = """
        select n.interface_id, greatest(n.valid_from, $1), least(n.valid_to, $2)
        from inventory_interfaces n
        where n.valid_from < $2 and n.valid_to > $1 and exists (
            select 1 from unnest(n.security_group_ids) g(id)
            where g.id ilike any($3) or exists (
                select 1 from inventory_resources r
                where r.resource_id = g.id and r.valid_from < n.valid_to and r.valid_to > n.valid_from
                    and (r.name ilike any($3) or r.attributes ->> 'groupName' ilike any($3))))
        """;

    /// <summary>
    /// The interfaces that matched at some time of the range: those that matched all of it in <c>Always</c> (the
    /// usual case: the flow's start need not be checked), the others with their spans.
    /// </summary>
    private async Task<InterfaceSetMatch> InterfacesAsync(string sql, List<string> patterns, TimeRange range, CancellationToken ct)
    {
        var spans = new Dictionary<string, List<(DateTimeOffset From, DateTimeOffset To)>>();
        await using (var command = dataSource.CreateCommand(sql))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = range.From.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter { Value = range.To.UtcDateTime });
            command.Parameters.Add(new NpgsqlParameter { Value = patterns.Select(Glob.ToLike).ToArray() });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var id = reader.GetString(0);
                if (!spans.TryGetValue(id, out var list))
                {
                    spans[id] = list = [];
                }
                list.Add((new DateTimeOffset(reader.GetDateTime(1)), new DateTimeOffset(reader.GetDateTime(2))));
            }
        }
        var always = new List<string>();
        var during = new List<InterfaceSpan>();
        foreach (var (id, list) in spans)
        {
            var merged = Merge(list);
            if (merged is [var only] && only.From <= range.From && only.To >= range.To)
            {
                always.Add(id);
            }
            else
            {
                during.AddRange(merged.Select(s => new InterfaceSpan(id, s.From, s.To)));
            }
        }
        return new InterfaceSetMatch([.. always.Order(StringComparer.Ordinal)], during);
    }

    private static List<(DateTimeOffset From, DateTimeOffset To)> Merge(List<(DateTimeOffset From, DateTimeOffset To)> spans)
    {
        var merged = new List<(DateTimeOffset From, DateTimeOffset To)>();
        foreach (var span in spans.OrderBy(s => s.From))
        {
            if (merged.Count > 0 && merged[^1].To >= span.From)
            {
                merged[^1] = (merged[^1].From, span.To > merged[^1].To ? span.To : merged[^1].To);
            }
            else
            {
                merged.Add(span);
            }
        }
        return merged;
    }
}
