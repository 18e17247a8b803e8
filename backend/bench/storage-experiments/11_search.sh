#!/bin/bash
# Search latency, warm: each address 1 warm-up + 5 timed runs of the whole first page (search_win, 07_search.sql);
# reported: median and max of the 5 (max of 5 stands for p95), windows walked, rows; then one EXPLAIN (ANALYZE, BUFFERS).
# Addresses: H4 = 10.0.0.1 (4.4% of records, NAT-gateway-like), H = 10.0.93.243 (1/2,740 of records),
# M = 11.0.5.78 (221 records in the week, ~1/h), R = 20.163.159.223 (once, on the first day: the walk covers 7 days).
# usage: 11_search.sh layout...
. "$(dirname "$0")/00_env.sh"
RUNS=${RUNS:-5}
F="'2026-11-23 00:00+00'"; T="'2026-11-30 00:00+00'"
for L in "$@"; do
  for A in H4:10.0.0.1 H:10.0.93.243 M:11.0.5.78 R:20.163.159.223; do
    k=${A%%:*}; x=${A#*:}
    q="select count(*), max(windows) from search_win('$L', '$x', $F, $T)"
    args=(-c '\timing on'); for i in $(seq $((RUNS + 1))); do args+=(-c "$q"); done
    out=$(psql -X -At "${args[@]}" 2>&1)
    res=$(echo "$out" | grep '|' | head -1)
    times=$(echo "$out" | grep '^Time:' | tail -$RUNS | awk '{print $2}' | sort -n | tr '\n' ' ')
    buf=$(psql -X -At -c "explain (analyze, buffers, costs off, timing off) select * from search_win('$L', '$x', $F, $T)" | grep -m1 -i 'buffers' | sed 's/^ *//')
    echo "$L $k rows|windows=$res ms(sorted $RUNS)= $times buffers: $buf load=$(cut -d' ' -f1 /proc/loadavg)"
  done
done
