-- Data checks and the test addresses.
vacuum analyze stage;
select start::date as day, count(*) as records, count(distinct a) filter (where a << '10.0.0.0/8' is false) as internet_addrs
from (select start, srcaddr as a from stage where flow_direction = 1 union all select start, dstaddr from stage where flow_direction = 2) x group by 1 order by 1;
create table addr_counts as
  select a, count(*) as n, min(start) as first, max(start) as last
  from (select srcaddr a, start from stage union all select dstaddr, start from stage where dstaddr is distinct from srcaddr) x
  where a is not null group by a;
select count(*) filter (where a << '10.0.0.0/8') as inside, count(*) filter (where not a << '10.0.0.0/8') as internet from addr_counts;
select * from addr_counts order by n desc limit 3;
-- ~1/3000 of records: 20M/3000 = 6,667
select * from addr_counts where a << '10.0.0.0/8' and n between 6000 and 7300 order by n desc limit 2;
-- mid internet: ~100-300 records in the week
select * from addr_counts where not a << '10.0.0.0/8' and n between 150 and 250 order by a limit 2;
-- rare: once, on the first day (worst case: the search walks back 7 days)
select * from addr_counts where not a << '10.0.0.0/8' and n = 1 and last < '2026-11-23 12:00+00' order by a limit 2;
