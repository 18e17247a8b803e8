using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class BoundedTopSummaries : Migration
    {
        // The columns of a top summary (see TopSummary and RollupWriter.SummaryColumns).
        private const string SummaryColumns = """
                keys text[] not null,
                records bigint[] not null,
                flows bigint[] not null,
                bytes bigint[] not null,
                packets bigint[] not null,
                rejected_records bigint[] not null,
                rejected_flows bigint[] not null,
                rejected_bytes bigint[] not null,
                rejected_packets bigint[] not null,
                floor_flows bigint not null,
                floor_bytes bigint not null,
                floor_packets bigint not null,
                floor_rejected_flows bigint not null,
                floor_rejected_bytes bigint not null,
                floor_rejected_packets bigint not null
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Bounded top summaries replace the exact per-value top rollups, whose size and compaction grew with the
            // number of distinct addresses (issue #21). One row per field and hour (or day) holds at most K keys per
            // metric, inline, with each metric's floor. The hours the old rollups had are marked dirty: the compaction
            // rebuilds them from the raw flows still stored, and queries read them raw until then.
            migrationBuilder.Sql($"""
                create table flow_top_appended (
                    source_id bigint not null,
                    object_id bigint,
                    bucket timestamptz not null,
                    field smallint not null,
                {SummaryColumns}
                );
                create table flow_top_1h (
                    bucket timestamptz not null,
                    field smallint not null,
                {SummaryColumns},
                    primary key (bucket, field)
                );
                create table flow_top_1d (like flow_top_1h including all);
                create table flow_top_dirty (bucket timestamptz primary key);

                comment on table flow_top_appended is 'an object''s top summaries per hour and field, appended by ingestion (no index: cheap to COPY into), merged by the compaction';
                comment on table flow_top_dirty is 'hours whose merged summaries still hold sums taken out (a replaced object, a deleted source): rebuilt from the raw flows';
                comment on column flow_top_1h.field is '1 srcaddr, 2 dstaddr, 3 dstport, 4 interface-id';
                comment on column flow_top_1h.keys is 'the kept keys; each sums array follows them; floor_x bounds x of any key left out';

                insert into flow_top_dirty (bucket) select distinct bucket from flow_rollups_top_1h;

                drop table flow_rollups_top_blocks;
                drop table flow_rollup_keys;
                drop table flow_rollups_top_1d;
                drop table flow_rollups_top_1h;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The old tables, their hourly rows summed again from the raw flows still stored (appended, for the old
            // compaction to merge into days and blocks).
            migrationBuilder.Sql("""
                create table flow_rollups_top_1h (
                    bucket timestamptz not null,
                    field smallint not null,
                    key text not null,
                    action smallint,
                    log_status smallint,
                    protocol smallint,
                    records bigint not null,
                    bytes bigint not null,
                    packets bigint not null,
                    compacted boolean not null default false
                ) partition by list (field);
                create table flow_rollups_top_1d (like flow_rollups_top_1h including defaults) partition by list (field);
                do $$
                declare
                    fields text[] := array['srcaddr', 'dstaddr', 'dstport', 'interface_id'];
                begin
                    for code in 1 .. 4 loop
                        execute format('create table %I partition of flow_rollups_top_1h for values in (%s) partition by list (compacted)', 'flow_rollups_top_1h_' || fields[code], code);
                        execute format('create table %I partition of %I for values in (true)', 'flow_rollups_top_1h_' || fields[code] || '_merged', 'flow_rollups_top_1h_' || fields[code]);
                        execute format('create table %I partition of %I for values in (false)', 'flow_rollups_top_1h_' || fields[code] || '_appended', 'flow_rollups_top_1h_' || fields[code]);
                        execute format('create index %I on %I (bucket)', 'flow_rollups_top_1h_' || fields[code] || '_bucket', 'flow_rollups_top_1h_' || fields[code] || '_merged');
                        execute format('create table %I partition of flow_rollups_top_1d for values in (%s)', 'flow_rollups_top_1d_' || fields[code], code);
                    end loop;
                end $$;
                create index flow_rollups_top_1d_bucket on flow_rollups_top_1d (bucket);
                create index flow_rollups_top_1d_new on flow_rollups_top_1d (bucket) where not compacted;
                comment on column flow_rollups_top_1h.field is '1 srcaddr, 2 dstaddr, 3 dstport, 4 interface-id';

                create table flow_rollup_keys (
                    id integer generated always as identity primary key,
                    field smallint not null,
                    key text not null,
                    unique (field, key)
                );
                create table flow_rollups_top_blocks (
                    field smallint not null,
                    span smallint not null,
                    bucket timestamptz not null,
                    key_ids integer[] not null,
                    records bigint[] not null,
                    flows bigint[] not null,
                    bytes bigint[] not null,
                    packets bigint[] not null,
                    rejected_records bigint[] not null,
                    rejected_flows bigint[] not null,
                    rejected_bytes bigint[] not null,
                    rejected_packets bigint[] not null,
                    primary key (field, span, bucket)
                );
                alter table flow_rollups_top_blocks
                    alter key_ids set storage external, alter records set storage external, alter flows set storage external,
                    alter bytes set storage external, alter packets set storage external, alter rejected_records set storage external,
                    alter rejected_flows set storage external, alter rejected_bytes set storage external, alter rejected_packets set storage external;
                comment on column flow_rollups_top_blocks.field is '1 srcaddr, 2 dstaddr, 3 dstport, 4 interface-id';
                comment on column flow_rollups_top_blocks.key_ids is 'ids of flow_rollup_keys, ascending; the sums arrays follow them';
                comment on column flow_rollups_top_blocks.span is 'hours: 1, 2, 4, 8 or 12 from a multiple of them after midnight UTC, or 24 to 168 from midnight';

                insert into flow_rollups_top_1h (bucket, field, key, action, log_status, protocol, records, bytes, packets)
                select date_bin('1 hour', f.start, '2000-01-01 00:00:00+00'), v.field, coalesce(v.key, '-'), f.action, f.log_status, f.protocol,
                    count(*), coalesce(sum(f.bytes), 0), coalesce(sum(f.packets), 0)
                from flows f left join flow_strings s on s.id = f.interface_id
                cross join lateral (values (1::smallint, host(f.srcaddr)), (2::smallint, host(f.dstaddr)), (3::smallint, f.dstport::text), (4::smallint, s.value)) v(field, key)
                where f.start is not null
                group by 1, 2, 3, 4, 5, 6;

                drop table flow_top_dirty;
                drop table flow_top_1d;
                drop table flow_top_1h;
                drop table flow_top_appended;
                """);
        }
    }
}
