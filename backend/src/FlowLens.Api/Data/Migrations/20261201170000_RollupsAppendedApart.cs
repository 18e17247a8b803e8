using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class RollupsAppendedApart : Migration
    {
        // The top fields' partitions of flow_rollups_top_1h, by field code.
        private const string TopFields = "array['srcaddr', 'dstaddr', 'dstport', 'interface_id']";

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The rows ingestion appends (not compacted) get partitions of their own, without indexes: every object's
            // transaction writes thousands of them, and updating two b-tree indexes per row made that COPY about three
            // times as slow. The compaction finds them by reading their partition whole; the merged rows keep the
            // bucket index the stats queries use. Queries are unchanged: "not compacted" selects the partition.
            migrationBuilder.Sql($$"""
                alter table flow_rollups_5m rename to flow_rollups_5m_before;
                drop index flow_rollups_5m_bucket, flow_rollups_5m_new;
                create table flow_rollups_5m (like flow_rollups_5m_before including defaults) partition by list (compacted);
                create table flow_rollups_5m_merged partition of flow_rollups_5m for values in (true);
                create table flow_rollups_5m_appended partition of flow_rollups_5m for values in (false);
                create index flow_rollups_5m_bucket on flow_rollups_5m_merged (bucket);
                insert into flow_rollups_5m select * from flow_rollups_5m_before;
                drop table flow_rollups_5m_before;

                alter table flow_rollups_top_1h rename to flow_rollups_top_1h_before;
                drop index flow_rollups_top_1h_bucket, flow_rollups_top_1h_new;
                create table flow_rollups_top_1h (like flow_rollups_top_1h_before including defaults) partition by list (field);
                do $$
                declare
                    fields text[] := {{TopFields}};
                begin
                    for code in 1 .. 4 loop
                        execute format('alter table %I rename to %I', 'flow_rollups_top_1h_' || fields[code], 'flow_rollups_top_1h_' || fields[code] || '_before');
                        execute format('create table %I partition of flow_rollups_top_1h for values in (%s) partition by list (compacted)', 'flow_rollups_top_1h_' || fields[code], code);
                        execute format('create table %I partition of %I for values in (true)', 'flow_rollups_top_1h_' || fields[code] || '_merged', 'flow_rollups_top_1h_' || fields[code]);
                        execute format('create table %I partition of %I for values in (false)', 'flow_rollups_top_1h_' || fields[code] || '_appended', 'flow_rollups_top_1h_' || fields[code]);
                        execute format('create index %I on %I (bucket)', 'flow_rollups_top_1h_' || fields[code] || '_bucket', 'flow_rollups_top_1h_' || fields[code] || '_merged');
                    end loop;
                end $$;
                insert into flow_rollups_top_1h select * from flow_rollups_top_1h_before;
                drop table flow_rollups_top_1h_before;
                comment on column flow_rollups_top_1h.field is '1 srcaddr, 2 dstaddr, 3 dstport, 4 interface-id';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                alter table flow_rollups_5m rename to flow_rollups_5m_after;
                drop index flow_rollups_5m_bucket;
                create table flow_rollups_5m (like flow_rollups_5m_after including defaults);
                create index flow_rollups_5m_bucket on flow_rollups_5m (bucket);
                create index flow_rollups_5m_new on flow_rollups_5m (bucket) where not compacted;
                insert into flow_rollups_5m select * from flow_rollups_5m_after;
                drop table flow_rollups_5m_after;

                alter table flow_rollups_top_1h rename to flow_rollups_top_1h_after;
                create table flow_rollups_top_1h (like flow_rollups_top_1h_after including defaults) partition by list (field);
                do $$
                declare
                    fields text[] := {{TopFields}};
                begin
                    for code in 1 .. 4 loop
                        execute format('alter table %I rename to %I', 'flow_rollups_top_1h_' || fields[code], 'flow_rollups_top_1h_' || fields[code] || '_after');
                        execute format('drop index %I', 'flow_rollups_top_1h_' || fields[code] || '_bucket');
                        execute format('create table %I partition of flow_rollups_top_1h for values in (%s)', 'flow_rollups_top_1h_' || fields[code], code);
                    end loop;
                end $$;
                create index flow_rollups_top_1h_bucket on flow_rollups_top_1h (bucket);
                create index flow_rollups_top_1h_new on flow_rollups_top_1h (bucket) where not compacted;
                insert into flow_rollups_top_1h select * from flow_rollups_top_1h_after;
                drop table flow_rollups_top_1h_after;
                comment on column flow_rollups_top_1h.field is '1 srcaddr, 2 dstaddr, 3 dstport, 4 interface-id';
                """);
        }
    }
}
