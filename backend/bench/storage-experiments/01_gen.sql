-- Synthetic flow records, v5 shape with every field, in today's flows columns (text ids are flow_strings-style ints).
-- 20M records over 7 days (2026-11-23 .. 11-29 UTC), 400 objects of 50,000 records, rows in object order (object, line).
-- 3,000 inside addresses (10.x, power-law: the top one is in ~4% of records), 300 interfaces (10 addresses each),
-- ~210k distinct internet addresses a day (20k popular ones shared by every day, the rest new each day).
\set nrec 20000000
drop table if exists stage;
create unlogged table stage (like flows_template);
insert into stage
select object_id, packets, packets * (40 + (r_bytes*1400)::int) as bytes,
       start, start + ((r_dur*60)::int * interval '1 second') as "end",
       1 as source_id,
       1 + iface % 3, 100 + iface,
       case when nodata then null when dir = 0 then 1024 + (r_eph*64000)::int else port end,
       case when nodata then null when dir = 0 then port else 1024 + (r_eph*64000)::int end,
       10 + iface % 5, 20 + iface % 20, case when iface % 10 = 9 then null else 400 + iface end,
       5 + iface % 2, 7 + iface % 4, null, null,
       case when not nodata and r_svc < 0.05 then 50 end, case when not nodata and r_svc > 0.95 then 51 end,
       case when iface % 5 = 0 then 1000 + iface % 3 end, case when iface % 5 = 0 then 1010 + iface % 3 end,
       case when iface % 5 = 0 then 1020 + iface % 7 end, case when iface % 5 = 0 then 1030 + iface % 7 end,
       case when iface % 5 = 0 then 1100 + iface end, null,
       case when iface % 5 = 0 then 1040 + iface % 11 end, case when iface % 5 = 0 then 1060 + iface % 11 end,
       case when iface % 5 = 0 then 1400 + iface end, case when iface % 5 = 0 then 1700 + iface end,
       null,
       5::smallint, case when nodata then null else proto end::smallint,
       case when nodata then null when r_act < 0.08 then 2 else 1 end::smallint,
       case when nodata then 2 else 1 end::smallint,
       case when nodata then null when proto = 6 then (array[2,18,19,3,27,16,1,4])[1 + (r_flags*7)::int] else 0 end::smallint,
       case when nodata then null else 1 end::smallint,
       (case when dir = 0 then 1 else 2 end)::smallint,
       case when nodata or dir = 0 then null else (array[1,2,8])[1 + (r_path*2)::int] end::smallint,
       src, dst,
       case when nat and src is not null then '100.64.0.0'::inet + (iface * 7) else src end,
       dst,
       null::jsonb, line
from (
  select *,
         case when nodata then null when dir = 0 then ext else ins end as src,
         case when nodata then null when dir = 0 then ins when dir = 1 then ext else ins2 end as dst
  from (
    select *,
           case when idx < 20000 then '11.0.0.0'::inet + (idx * 7919 % 16000000)
                else '20.0.0.0'::inet + ((extract(day from start)::int * 1000003::int8 + idx) * 2654435761 % 3000000000) end as ext,
           '10.0.0.0'::inet + (inside * 37 + 1) as ins,
           '10.0.0.0'::inet + (inside2 * 37 + 1) as ins2,
           inside / 10 as iface,
           case when r_dir < 0.5 then 0 when r_dir < 0.9 then 1 else 2 end as dir,
           r_nd < 0.01 as nodata, r_nat < 0.05 as nat,
           (1 + floor(exp(r_pk*8)))::bigint as packets,
           case when r_proto < 0.85 then 6 when r_proto < 0.98 then 17 else 1 end as proto,
           (array[443,443,443,80,22,3389,53,8080,123,5432])[1 + (r_port*9)::int] as port
    from (
      select n, n / 50000 + 1 as object_id, (n % 50000 + 2)::int as line,
             timestamptz '2026-11-23 00:10:00+00'
               + ((n / 50000) * 1510 + (random()*600)::int) * interval '1 second' as start,
             floor(3000 * power(random(), 2.5))::int as inside,
             floor(3000 * power(random(), 2.5))::int as inside2,
             floor(220000 * power(random(), 2))::int8 as idx,
             random() as r_dir, random() as r_nd, random() as r_nat, random() as r_pk, random() as r_proto,
             random() as r_port, random() as r_bytes, random() as r_dur, random() as r_eph, random() as r_svc,
             random() as r_act, random() as r_flags, random() as r_path
      from generate_series(0, :nrec - 1) as g(n)
    ) b
  ) c
) d
order by n;
