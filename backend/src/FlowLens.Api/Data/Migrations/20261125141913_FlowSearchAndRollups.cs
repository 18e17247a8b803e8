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

                create table flow_rollups_5m (
                    bucket timestamptz not null,
                    action smallint,
                    log_status smallint,
                    protocol smallint,
                    records bigint not null,
                    bytes bigint not null,
                    packets bigint not null,
                    unique nulls not distinct (bucket, action, log_status, protocol)
                );

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
                    unique nulls not distinct (bucket, field, key, action, log_status, protocol)
                );

                create table flow_rollups_top_1d (like flow_rollups_top_1h);
                alter table flow_rollups_top_1d add unique nulls not distinct (bucket, field, key, action, log_status, protocol);

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
