-- GIN on a closed day: CREATE INDEX after the day is complete (bulk build) vs maintained during COPY (08_load.sh).
\timing on
drop index if exists c1_5_addrs_idx;
create index c1_5_addrs_idx on c1_5 using gin (addrs);
drop index c1_5_addrs_idx;
create index c1_5_addrs_idx on c1_5 using gin (addrs);
-- bloom-free, index-free lookup of one day (the open day's partition): x = any(addrs) over its 1,450 chunks
select count(*) from c1_5 where '10.0.93.243'::inet = any(addrs);
select count(*) from c1_5 where '20.163.159.223'::inet = any(addrs);
select count(*) from c1_5 where '20.163.159.223'::inet = any(addrs);
