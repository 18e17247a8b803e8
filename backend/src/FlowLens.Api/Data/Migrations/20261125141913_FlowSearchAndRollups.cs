using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class FlowSearchAndRollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // line: the record's line (text) or row (Parquet) in its object, so (start, object_id, line) orders
            // flows completely for keyset pagination, and a record can be found again in the original object.
            // The rollups: sums kept by the ingestion transaction that stores the raw rows (see Features/Stats).
            migrationBuilder.Sql("""
                alter table flows add column line integer;

                -- Rollup rows are appended by each object's transaction (negative for an object replaced) and merged
                -- per key by the compaction job; a bucket's figure is always the sum of its rows.
                create table flow_rollups_5m (
                    bucket timestamptz not null,
                    action smallint,
                    log_status smallint,
                    protocol smallint,
                    records bigint not null,
                    bytes bigint not null,
                    packets bigint not null,
                    compacted boolean not null default false
                );

                -- One partition per field, so a top-by-srcaddr query reads only srcaddr rows.
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

                create table flow_rollups_top_1h_srcaddr partition of flow_rollups_top_1h for values in (1);
                create table flow_rollups_top_1h_dstaddr partition of flow_rollups_top_1h for values in (2);
                create table flow_rollups_top_1h_dstport partition of flow_rollups_top_1h for values in (3);
                create table flow_rollups_top_1h_interface_id partition of flow_rollups_top_1h for values in (4);
                create table flow_rollups_top_1d_srcaddr partition of flow_rollups_top_1d for values in (1);
                create table flow_rollups_top_1d_dstaddr partition of flow_rollups_top_1d for values in (2);
                create table flow_rollups_top_1d_dstport partition of flow_rollups_top_1d for values in (3);
                create table flow_rollups_top_1d_interface_id partition of flow_rollups_top_1d for values in (4);

                create index flow_rollups_5m_bucket on flow_rollups_5m (bucket);
                create index flow_rollups_5m_new on flow_rollups_5m (bucket) where not compacted;
                create index flow_rollups_top_1h_bucket on flow_rollups_top_1h (bucket);
                create index flow_rollups_top_1h_new on flow_rollups_top_1h (bucket) where not compacted;
                create index flow_rollups_top_1d_bucket on flow_rollups_top_1d (bucket);
                create index flow_rollups_top_1d_new on flow_rollups_top_1d (bucket) where not compacted;

                comment on column flow_rollups_top_1h.field is '1 srcaddr, 2 dstaddr, 3 dstport, 4 interface-id';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                drop table flow_rollups_top_1d;
                drop table flow_rollups_top_1h;
                drop table flow_rollups_5m;
                alter table flows drop column line;
                """);
        }
    }
}
