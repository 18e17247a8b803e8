-- Raw-path aggregates on each layout: a day (top dstport by bytes, 2026-11-24) and the week (top srcaddr by bytes,
-- records, 7 days). Run twice each; \timing. Default parallelism (max_parallel_workers_per_gather = 2).
\timing on
\set d0 '''2026-11-24 00:00+00'''
\set d1 '''2026-11-25 00:00+00'''
\set w0 '''2026-11-23 00:00+00'''
\set w1 '''2026-11-30 00:00+00'''
\echo == day: top dstport by bytes
\echo today
select dstport, sum(bytes) b, count(*) from tw where start >= :d0 and start < :d1 group by 1 order by 2 desc limit 5;
select dstport, sum(bytes) b, count(*) from tw where start >= :d0 and start < :d1 group by 1 order by 2 desc limit 5;
\echo narrow (ports decoded)
select nullif(ports, -1) & 65535 dstport, sum(bytes) b, count(*) from n2w where t >= t2000(:d0) and t < t2000(:d1) group by 1 order by 2 desc limit 5;
select nullif(ports, -1) & 65535 dstport, sum(bytes) b, count(*) from n2w where t >= t2000(:d0) and t < t2000(:d1) group by 1 order by 2 desc limit 5;
\echo chunks (unnest of the needed arrays; per-record time test)
select u.dstport, sum(u.bytes) b, count(*) from c1w c cross join lateral rows from (unnest(c.t), unnest(c.dstport), unnest(c.bytes)) u(t, dstport, bytes)
 where c.start_max >= :d0 and c.start_min < :d1 and c.start_min + u.t * interval '1 second' >= :d0 and c.start_min + u.t * interval '1 second' < :d1
 group by 1 order by 2 desc limit 5;
select u.dstport, sum(u.bytes) b, count(*) from c1w c cross join lateral rows from (unnest(c.t), unnest(c.dstport), unnest(c.bytes)) u(t, dstport, bytes)
 where c.start_max >= :d0 and c.start_min < :d1 and c.start_min + u.t * interval '1 second' >= :d0 and c.start_min + u.t * interval '1 second' < :d1
 group by 1 order by 2 desc limit 5;
\echo == week: top srcaddr by bytes
\echo today
select srcaddr, sum(bytes) b, count(*) from tw where start >= :w0 and start < :w1 group by 1 order by 2 desc limit 5;
select srcaddr, sum(bytes) b, count(*) from tw where start >= :w0 and start < :w1 group by 1 order by 2 desc limit 5;
\echo narrow
select srcaddr, sum(bytes) b, count(*) from n2w where t >= t2000(:w0) and t < t2000(:w1) group by 1 order by 2 desc limit 5;
select srcaddr, sum(bytes) b, count(*) from n2w where t >= t2000(:w0) and t < t2000(:w1) group by 1 order by 2 desc limit 5;
\echo chunks
select u.srcaddr, sum(u.bytes) b, count(*) from c1w c cross join lateral rows from (unnest(c.t), unnest(c.srcaddr), unnest(c.bytes)) u(t, srcaddr, bytes)
 where c.start_max >= :w0 and c.start_min < :w1 and c.start_min + u.t * interval '1 second' >= :w0 and c.start_min + u.t * interval '1 second' < :w1
 group by 1 order by 2 desc limit 5;
select u.srcaddr, sum(u.bytes) b, count(*) from c1w c cross join lateral rows from (unnest(c.t), unnest(c.srcaddr), unnest(c.bytes)) u(t, srcaddr, bytes)
 where c.start_max >= :w0 and c.start_min < :w1 and c.start_min + u.t * interval '1 second' >= :w0 and c.start_min + u.t * interval '1 second' < :w1
 group by 1 order by 2 desc limit 5;
\echo == export: a day newest first, every column, streamed to /dev/null
\echo today
copy (select * from tw where start >= :d0 and start < :d1 order by start desc, object_id desc, line desc) to '/dev/null';
\echo chunks
copy (select c.start_min + u.t * interval '1 second' as start, c.object_id, c.line0 + u.i::int - 1 as line, u.*
      from c1w c cross join lateral rows from (unnest(c.t), unnest(c.dur), unnest(c.ctx), unnest(c.packets), unnest(c.bytes),
                 unnest(c.srcport), unnest(c.dstport), unnest(c.protocol), unnest(c.tcp_flags), unnest(c.action),
                 unnest(c.log_status), unnest(c.type), unnest(c.flow_direction), unnest(c.traffic_path),
                 unnest(c.srcaddr), unnest(c.dstaddr), unnest(c.pkt_srcaddr), unnest(c.pkt_dstaddr)) with ordinality
                 u(t, dur, ctx, packets, bytes, srcport, dstport, protocol, tcp_flags, action, log_status, type,
                   flow_direction, traffic_path, s, d, ps, pd, i)
      where c.start_max >= :d0 and c.start_min < :d1 and c.start_min + u.t * interval '1 second' >= :d0 and c.start_min + u.t * interval '1 second' < :d1
      order by 1 desc, 2 desc, 3 desc) to '/dev/null';
