using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class TopKeySums : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The key sums: what a top over days reads (see Rollups.KeySpans and RollupCompactionJob). One row per
            // field value and block of 1 to 192 hours, keyed by a small id instead of the value's text: a week's top
            // then groups a few integer-keyed rows per value instead of one text row per value, hour and action.
            migrationBuilder.Sql("""
                create table flow_rollup_keys (
                    id integer generated always as identity primary key,
                    field smallint not null,
                    key text not null,
                    unique (field, key)
                );

                create table flow_rollups_top_keys (
                    field smallint not null,
                    span smallint not null,
                    bucket timestamptz not null,
                    key_id integer not null,
                    records bigint not null,
                    flows bigint not null,
                    bytes bigint not null,
                    packets bigint not null,
                    rejected_records bigint not null,
                    rejected_flows bigint not null,
                    rejected_bytes bigint not null,
                    rejected_packets bigint not null,
                    primary key (field, span, bucket, key_id)
                ) with (fillfactor = 90);

                comment on column flow_rollups_top_keys.field is '1 srcaddr, 2 dstaddr, 3 dstport, 4 interface-id';
                comment on column flow_rollups_top_keys.span is 'hours: 1, 2, 4, 8, 24, 48, 96 or 192, aligned on 2000-01-01 UTC';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                drop table flow_rollups_top_keys;
                drop table flow_rollup_keys;
                """);
        }
    }
}
