-- stats top by context, from the raw flows: sums per interface, named from the inventory as of the range's end (by=instance-name): from=2026-11-24T00:00Z to=2026-11-25T00:00Z
with interfaces as (select f.interface_id as value,
    count(*) filter (where f.log_status = 1)::bigint as flows,
    coalesce(sum(f.bytes), 0)::bigint as bytes,
    coalesce(sum(f.packets), 0)::bigint as packets,
    count(*) filter (where f.log_status = 1 and f.action = 2)::bigint as rejected_flows
from (select u.packets as packets, u.bytes as bytes, c.base + u.t * interval '1 second' as start, u.interface_id as interface_id, u.action as action, u.log_status as log_status
    from flow_chunks c
    cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.interface_id), unnest(c.action), unnest(c.log_status)) with ordinality u(packets, bytes, t, interface_id, action, log_status, ord)
    where c.start_min < $2 and c.start_max >= $1 and c.start_min > $1 - interval '6 hours'
        and c.base + u.t * interval '1 second' >= $1 and c.base + u.t * interval '1 second' < $2) f
where f.interface_id is not null and true
group by f.interface_id)
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
-- parameters: $1=2026-11-24T00:00:00.0000000+00:00, $2=2026-11-25T00:00:00.0000000+00:00
