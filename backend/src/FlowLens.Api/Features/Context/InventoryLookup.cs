using System.Net;
using FlowLens.Api.Features.Auth;
using FlowLens.Core.Scopes;
using Npgsql;
using NpgsqlTypes;

namespace FlowLens.Api.Features.Context;

/// <summary>An address (<c>10.0.1.10</c>, <c>2001:db8::1</c>) or an ENI id (<c>eni-0a1b…</c>) at a flow's time.</summary>
public readonly record struct InventoryKey(string Value, DateTimeOffset At);

/// <summary>What an address or ENI was at a time: the ENI, what it belonged to, where it was, and its security groups.</summary>
/// <param name="AddressKind"><c>private</c>, <c>public</c> (public or elastic) or <c>ipv6</c>; null when asked by ENI id.</param>
/// <param name="Kind">What the ENI belongs to: <c>instance</c>, <c>nat-gateway</c>, <c>vpc-endpoint</c>, <c>load-balancer</c>, <c>lambda</c>, … or its interface type.</param>
/// <param name="ResourceId">The instance, NAT gateway, endpoint id, load balancer name or function name, when known.</param>
public sealed record InventoryContext(
    string InterfaceId, string? AddressKind, string? AccountId, string Region, string Kind, string? ResourceId, string? ResourceName,
    string? ResourceType, string? ResourceState, string? InterfaceType, string? Description, string? InstanceId,
    string? VpcId, string? VpcName, string? SubnetId, string? SubnetName, string? AvailabilityZone, IReadOnlyList<SecurityGroupContext> SecurityGroups);

/// <param name="GroupName">The group's own name; <paramref name="Name"/> is its Name tag.</param>
public sealed record SecurityGroupContext(string Id, string? GroupName, string? Name);

/// <summary>
/// Describes addresses and ENIs as they were at given times, a batch (a page of flows) in one query: each key finds
/// the address's ENI version valid then (the latest valid_from wins where versions overlap), then that ENI's version,
/// its resource, subnet, VPC and security groups as they were at the same time.
/// </summary>
public sealed class InventoryLookup(NpgsqlDataSource dataSource)
{
    internal static readonly string Sql = $"""
        select q.i, n.interface_id, a.kind, n.account_id, n.region, n.kind, n.resource_id, res.name, res.type, res.attributes ->> 'state',
            n.interface_type, n.description, n.instance_id, n.vpc_id, vpc.name, n.subnet_id, subnet.name, n.availability_zone,
            n.security_group_ids, sg.group_names, sg.names
        from unnest($1::inet[], $2::text[], $3::timestamptz[]) with ordinality as q(address, eni, at, i)
        left join lateral (
            select x.interface_id, x.kind from inventory_addresses x
            where x.address = q.address and x.valid_from <= q.at and x.valid_to > q.at
            order by x.valid_from desc, x.id desc limit 1
        ) a on true
        join lateral (
            select x.* from inventory_interfaces x
            where x.interface_id = coalesce(a.interface_id, q.eni) and x.valid_from <= q.at and x.valid_to > q.at
                and {CallerScope.InventoryCondition("x", 4)}
            order by x.valid_from desc, x.id desc limit 1
        ) n on true
        left join lateral ({ResourceAt("n.resource_id")}) res on true
        left join lateral ({ResourceAt("n.subnet_id")}) subnet on true
        left join lateral ({ResourceAt("n.vpc_id")}) vpc on true
        left join lateral (
            select array_agg(g.attributes ->> 'groupName' order by s.ord) as group_names, array_agg(g.name order by s.ord) as names
            from unnest(n.security_group_ids) with ordinality s(id, ord)
            left join lateral ({ResourceAt("s.id")}) g on true
        ) sg on true
        """;

    /// <summary>The version of resource <paramref name="id"/> valid at the key's time.</summary>
    private static string ResourceAt(string id) =>
        $"select r.name, r.type, r.attributes from inventory_resources r where r.resource_id = {id} and r.valid_from <= q.at and r.valid_to > q.at order by r.valid_from desc, r.id desc limit 1";

    /// <summary>
    /// The context of each key found; keys the inventory does not know are left out, and so are interfaces outside
    /// <paramref name="scope"/> (of an account or VPC the caller may not read), in the SQL.
    /// </summary>
    public async Task<IReadOnlyDictionary<InventoryKey, InventoryContext>> DescribeAsync(IEnumerable<InventoryKey> keys, AccessScope scope, CancellationToken ct = default)
    {
        var list = keys.Distinct().ToList();
        var result = new Dictionary<InventoryKey, InventoryContext>();
        if (list.Count == 0)
        {
            return result;
        }
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<IPAddress?[]>
        {
            TypedValue = [.. list.Select(k => IPAddress.TryParse(k.Value, out var a) ? a : null)],
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Inet,
        });
        command.Parameters.Add(new NpgsqlParameter<string?[]>
        {
            TypedValue = [.. list.Select(k => IPAddress.TryParse(k.Value, out _) ? null : k.Value)],
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text,
        });
        command.Parameters.Add(new NpgsqlParameter { Value = list.Select(k => k.At.UtcDateTime).ToArray() });
        command.Parameters.AddRange(CallerScope.InventoryParameters(scope));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            string?[] Texts(int i) => reader.IsDBNull(i) ? [] : reader.GetFieldValue<string?[]>(i);
            var groups = Texts(18);
            var (groupNames, names) = (Texts(19), Texts(20));
            var key = list[(int)reader.GetInt64(0) - 1];
            result[key] = new InventoryContext(reader.GetString(1), Text(2), Text(3), reader.GetString(4), reader.GetString(5), Text(6), Text(7),
                Text(8), Text(9), Text(10), Text(11), Text(12), Text(13), Text(14), Text(15), Text(16), Text(17),
                [.. groups.Select((id, i) => new SecurityGroupContext(id!, i < groupNames.Length ? groupNames[i] : null, i < names.Length ? names[i] : null))]);
        }
        return result;
    }
}
