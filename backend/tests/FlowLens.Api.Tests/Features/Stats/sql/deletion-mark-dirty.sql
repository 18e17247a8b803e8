-- deleting flows: hours with a merged summary marked for a rebuild ($1 hours)
insert into flow_top_dirty (bucket)
select h from unnest($1::timestamptz[]) h where exists (select from flow_top_1h t where t.bucket = h)
on conflict do nothing
