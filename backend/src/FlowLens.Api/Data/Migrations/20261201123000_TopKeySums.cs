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
            // The key sums: what a top by srcaddr, dstaddr, dstport or interface-id reads (see Rollups.KeyBlocks and
            // RollupCompactionJob). One row per field and block (1, 2, 4, 8 or 12 hours, or 1 to 7 days from a midnight)
            // with the block's values as small ids and their sums, in arrays in id order: a week's top reads a few
            // blocks and adds up a few numbers per value, instead of a text row per value, hour or day, action,
            // log-status and protocol.
            // sum_bigint: PostgreSQL's sum(bigint) adds up in numeric; this one in bigint, about twice as fast.
            migrationBuilder.Sql("""
                create aggregate sum_bigint(bigint) (sfunc = int8pl, stype = bigint, initcond = '0', combinefunc = int8pl, parallel = safe);

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
                -- Stored whole, not compressed: a top reads each block's arrays once, from consecutive pages.
                alter table flow_rollups_top_blocks
                    alter key_ids set storage external, alter records set storage external, alter flows set storage external,
                    alter bytes set storage external, alter packets set storage external, alter rejected_records set storage external,
                    alter rejected_flows set storage external, alter rejected_bytes set storage external, alter rejected_packets set storage external;

                comment on column flow_rollups_top_blocks.field is '1 srcaddr, 2 dstaddr, 3 dstport, 4 interface-id';
                comment on column flow_rollups_top_blocks.key_ids is 'ids of flow_rollup_keys, ascending; the sums arrays follow them';
                comment on column flow_rollups_top_blocks.span is 'hours: 1, 2, 4, 8 or 12 from a multiple of them after midnight UTC, or 24 to 168 from midnight';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                drop table flow_rollups_top_blocks;
                drop table flow_rollup_keys;
                drop aggregate sum_bigint(bigint);
                """);
        }
    }
}
