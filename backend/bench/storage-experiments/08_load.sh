#!/bin/bash
# Load cost of each layout for one day of records (2.85M, v5 or v2 shape), logged tables, default durability:
# psql \copy (text) of the same records into a bare table with today's columns (no partitions, no index) vs
# \copy of each layout's rows (as FlowCopy would send them) into the layout with its indexes, + summarizing
# BRIN / flushing GIN pending lists. Each pair is interleaved and repeated; uptime logged.
# usage: 08_load.sh 5|2 reps
set -e
. "$(dirname "$0")/00_env.sh"
V=${1:-5}; REPS=${2:-2}; D=/tmp/storage-files; mkdir -p $D; chown postgres $D
P="psql -X -q -v ON_ERROR_STOP=1"
src=stage${V}_day
if [ ! -f $D/bare_$V.txt ]; then
  $P -c "copy (select * from $src) to '$D/stage_$V.txt'"
  $P -c "copy (select object_id, packets, bytes, start, \"end\", source_id, account_id, interface_id, srcport, dstport,
    vpc_id, subnet_id, instance_id, region, az_id, sublocation_type, sublocation_id, pkt_src_aws_service, pkt_dst_aws_service,
    ecs_cluster_arn, ecs_cluster_name, ecs_container_instance_arn, ecs_container_instance_id, ecs_container_id,
    ecs_second_container_id, ecs_service_name, ecs_task_definition_arn, ecs_task_arn, ecs_task_id, reject_reason, version,
    protocol, action, log_status, tcp_flags, type, flow_direction, traffic_path, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr,
    extras, line from $src) to '$D/bare_$V.txt'"
  $P -c "copy (select bytes, packets, t, object_id, line, ctx, ports, codes, dur, srcaddr, dstaddr from n2_${V}) to '$D/n2_$V.txt'"
  $P -c "copy (select * from n2p_${V}) to '$D/n2p_$V.txt'"
  $P -c "copy (select * from c1_${V}) to '$D/c1_$V.txt'"
  ls -la $D
fi
t() { local s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }
d0="'2026-11-24 00:00+00'"; d1="'2026-11-25 00:00+00'"
setup() { # $1 = layout
  $P -c "drop table if exists l_bare, l_t, l_n2, l_n2p, l_c1 cascade" 2>/dev/null
  case $1 in
   bare) $P -c "create table l_bare (like flows_template)";;
   today) $P -c "create table l_t (like flows_template) partition by range (start);
            create index on l_t using brin (start);
            create table l_t_1124 partition of l_t for values from ($d0) to ($d1);
            create table l_t_def partition of l_t default";;
   narrow|narrow_bloom) $P -c "create table l_n2 (bytes int8 not null, packets int8 not null, t int4 not null, object_id int4 not null,
            line int4 not null, ctx int4 not null, ports int4 not null, codes int4 not null, dur int2 not null,
            srcaddr inet, dstaddr inet) partition by range (t);
            create index on l_n2 using brin (t);
            create table l_n2_1124 partition of l_n2 for values from (t2000($d0)) to (t2000($d1));
            create table l_n2p (t int4 not null, object_id int4 not null, line int4 not null, pkt_srcaddr inet, pkt_dstaddr inet);
            create index on l_n2p using brin (t)"
          if [ $1 = narrow_bloom ]; then $P -c "
            create index l_n2_src on l_n2 using brin (srcaddr inet_bloom_ops(n_distinct_per_range = 1200, false_positive_rate = 0.01)) with (pages_per_range = 16);
            create index l_n2_dst on l_n2 using brin (dstaddr inet_bloom_ops(n_distinct_per_range = 1200, false_positive_rate = 0.01)) with (pages_per_range = 16)"; fi;;
   chunks|chunks_gin|chunks_gin_pglz) $P -c "create table l_c1 (like c1w including compression) partition by range (start_min);
            create table l_c1_1124 partition of l_c1 for values from ($d0) to ($d1)"
          if [ $1 = chunks_gin_pglz ]; then $P <<'SQL'
select format('alter table l_c1 alter column %I set compression pglz', attname)
from pg_attribute where attrelid = 'l_c1'::regclass and attnum > 0 and attname not in ('start_min', 'start_max', 'object_id', 'line0', 'n') \gexec
SQL
          fi
          if [ $1 != chunks ]; then $P -c "create index l_c1_addrs on l_c1 using gin (addrs)"; fi;;
  esac
}
load() {
  case $1 in
   bare) $P -c "\\copy l_bare from '$D/bare_$V.txt'";;
   today) $P -c "\\copy l_t from '$D/bare_$V.txt'";;
   narrow) $P -c "\\copy l_n2 from '$D/n2_$V.txt'" -c "\\copy l_n2p from '$D/n2p_$V.txt'" -c "select brin_summarize_new_values('l_n2_1124_t_idx')";;
   narrow_bloom) $P -c "\\copy l_n2 from '$D/n2_$V.txt'" -c "\\copy l_n2p from '$D/n2p_$V.txt'" \
          -c "select brin_summarize_new_values(i) from pg_indexes, cast(indexname as regclass) i where tablename = 'l_n2_1124'";;
   chunks) $P -c "\\copy l_c1 from '$D/c1_$V.txt'";;
   chunks_gin|chunks_gin_pglz) $P -c "\\copy l_c1 from '$D/c1_$V.txt'" -c "select gin_clean_pending_list('l_c1_1124_addrs_idx')";;
  esac
}
for r in $(seq $REPS); do
  for L in bare today narrow narrow_bloom chunks chunks_gin chunks_gin_pglz; do
    setup $L; $P -c checkpoint
    s=$(t load $L)
    echo "v$V rep$r $L ${s}s  load: $(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
setup none
