-- InventoryLookup: a batch of (address or ENI, time) keys, each the latest version valid then
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
        and ($4::text[] is null or x.account_id = any($4) or x.vpc_id = any($5))
    order by x.valid_from desc, x.id desc limit 1
) n on true
left join lateral (select r.name, r.type, r.attributes from inventory_resources r where r.resource_id = n.resource_id and r.valid_from <= q.at and r.valid_to > q.at order by r.valid_from desc, r.id desc limit 1) res on true
left join lateral (select r.name, r.type, r.attributes from inventory_resources r where r.resource_id = n.subnet_id and r.valid_from <= q.at and r.valid_to > q.at order by r.valid_from desc, r.id desc limit 1) subnet on true
left join lateral (select r.name, r.type, r.attributes from inventory_resources r where r.resource_id = n.vpc_id and r.valid_from <= q.at and r.valid_to > q.at order by r.valid_from desc, r.id desc limit 1) vpc on true
left join lateral (
    select array_agg(g.attributes ->> 'groupName' order by s.ord) as group_names, array_agg(g.name order by s.ord) as names
    from unnest(n.security_group_ids) with ordinality s(id, ord)
    left join lateral (select r.name, r.type, r.attributes from inventory_resources r where r.resource_id = s.id and r.valid_from <= q.at and r.valid_to > q.at order by r.valid_from desc, r.id desc limit 1) g on true
) sg on true
