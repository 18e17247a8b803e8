-- One-address search: "addr = X" (srcaddr, dstaddr, pkt-srcaddr or pkt-dstaddr), the first page of `lim` newest records
-- (start desc, object desc, line desc) of [t_from, t_to). No btree on the hot tables.
-- The windowed walk is what the client (FlowSearch) would do: query [t_to - 15 min, t_to), then windows twice as long
-- going back, each with `limit (lim - found)`, until the page is full or t_from is reached. Windows split the range by
-- start, so the concatenated pages are exactly the newest `lim` records.
create or replace function search_win(layout text, x inet, t_from timestamptz, t_to timestamptz, lim int default 100,
                                      first_window interval default '15 minutes')
returns table (start timestamptz, object_id bigint, line int, windows int) language plpgsql as $$
declare
  wt timestamptz := t_to; wf timestamptz; w interval := first_window; found int := 0; n int := 0; q text; r record;
begin
  while found < lim and wt > t_from loop
    wf := greatest(t_from, wt - w); n := n + 1;
    if layout = 'today' then
      q := 'select start, object_id, line from tw where start >= $1 and start < $2
              and (srcaddr = $3 or dstaddr = $3 or pkt_srcaddr = $3 or pkt_dstaddr = $3)
            order by start desc, object_id desc, line desc limit $4';
    elsif layout = 'narrow' then
      -- rows of n2w, and the pkt-* side table for the records whose packet addresses differ
      q := 'select ts2000(t) as start, object_id::bigint as object_id, line from (
              select t, object_id, line from n2w where t >= t2000($1) and t < t2000($2) and (srcaddr = $3 or dstaddr = $3)
              union
              select t, object_id, line from n2pw where t >= t2000($1) and t < t2000($2) and (pkt_srcaddr = $3 or pkt_dstaddr = $3)
            ) m order by t desc, object_id desc, line desc limit $4';
    elsif layout in ('chunks', 'chunks_noindex') then
      -- every field unnested, as the page needs them; the GIN on addrs finds the chunks (or, without it, x = any(addrs))
      q := format('select c.start_min + u.t * interval ''1 second'' as start, c.object_id::bigint as object_id, coalesce(u.line, c.line0 + u.i::int - 1) as line
            from c1w c cross join lateral rows from (unnest(c.t), unnest(c.dur), unnest(c.ctx), unnest(c.packets), unnest(c.bytes),
                 unnest(c.srcport), unnest(c.dstport), unnest(c.protocol), unnest(c.tcp_flags), unnest(c.action),
                 unnest(c.log_status), unnest(c.type), unnest(c.flow_direction), unnest(c.traffic_path),
                 unnest(c.srcaddr), unnest(c.dstaddr), unnest(c.pkt_srcaddr), unnest(c.pkt_dstaddr), unnest(c.line))
                 with ordinality as u(t, dur, ctx, packets, bytes, srcport, dstport, protocol, tcp_flags, action, log_status,
                                      type, flow_direction, traffic_path, s, d, ps, pd, line, i)
            where %s and c.start_max >= $1 and c.start_min < $2 and c.start_min >= date_trunc(''day'', $1, ''UTC'')
              and (u.s = $3 or u.d = $3 or u.ps = $3 or u.pd = $3)
              and c.start_min + u.t * interval ''1 second'' >= $1 and c.start_min + u.t * interval ''1 second'' < $2
            order by 1 desc, 2 desc, 3 desc limit $4',
            case when layout = 'chunks' then 'c.addrs @> array[$3]' else '$3 = any(c.addrs)' end);
    elsif layout = 'chunks2' then
      -- two steps: unnest only t and the address arrays of the candidate chunks to find the page's records, then
      -- read their other fields by subscript from those chunks only
      q := 'with m as (
              select c.tableoid as tab, c.ctid as tid, c.start_min + u.t * interval ''1 second'' as start,
                     c.object_id::bigint as object_id, c.line0 + u.i::int - 1 as line, u.i::int as i
              from c1w c cross join lateral rows from (unnest(c.t), unnest(c.srcaddr), unnest(c.dstaddr),
                   unnest(c.pkt_srcaddr), unnest(c.pkt_dstaddr)) with ordinality as u(t, s, d, ps, pd, i)
              where c.addrs @> array[$3] and c.start_max >= $1 and c.start_min < $2
                and c.start_min >= date_trunc(''day'', $1, ''UTC'')
                and (u.s = $3 or u.d = $3 or u.ps = $3 or u.pd = $3)
                and c.start_min + u.t * interval ''1 second'' >= $1 and c.start_min + u.t * interval ''1 second'' < $2
              order by 3 desc, 4 desc, 5 desc limit $4)
            select m.start, m.object_id, coalesce(c.line[m.i], m.line) as line, c.dur[m.i], c.ctx[m.i], c.packets[m.i],
                   c.bytes[m.i], c.srcport[m.i], c.dstport[m.i], c.protocol[m.i], c.tcp_flags[m.i], c.action[m.i],
                   c.log_status[m.i], c.type[m.i], c.flow_direction[m.i], c.traffic_path[m.i], c.srcaddr[m.i],
                   c.dstaddr[m.i], c.pkt_srcaddr[m.i], c.pkt_dstaddr[m.i]
            from m join c1w c on c.tableoid = m.tab and c.ctid = m.tid
            order by 1 desc, 2 desc, 3 desc';
    else
      raise exception 'layout %', layout;
    end if;
    for r in execute q using wf, wt, x, lim - found loop
      start := r.start; object_id := r.object_id; line := r.line; windows := n; found := found + 1;
      return next;
    end loop;
    wt := wf; w := w * 2;
  end loop;
end $$;
