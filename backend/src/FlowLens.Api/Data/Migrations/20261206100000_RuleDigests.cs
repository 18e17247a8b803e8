using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class RuleDigests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // What the threshold rules (and the detectors that are filters) read instead of the flows
            // (Core/Detections/RuleDigest, docs/detections.md "Digests"): per batch, 5-minute slice, rule and part, the
            // groups over a share of the threshold and a floor bounding the rest; stamped with what was summed.
            migrationBuilder.Sql("""
                create table rule_slices (
                    batch bigint not null,
                    source_id bigint not null,
                    object_id bigint,
                    slice timestamptz not null,
                    rule_id bigint not null,
                    part smallint not null,
                    stamp bigint not null,
                    records bigint not null,
                    floor bigint not null);
                create index rule_slices_slice on rule_slices using brin (slice);
                comment on table rule_slices is 'One ingestion batch''s records in a 5-minute slice as a threshold rule''s part summed them: the stamp of its filter, group field and metric, and the largest measure of a group it left out (floor)';

                create table rule_digests (
                    batch bigint not null,
                    source_id bigint not null,
                    object_id bigint,
                    slice timestamptz not null,
                    rule_id bigint not null,
                    part smallint not null,
                    key text not null,
                    value bigint not null,
                    members integer,
                    records integer not null,
                    first_start timestamptz not null,
                    last_start timestamptz not null,
                    ports integer[],
                    hosts inet[]);
                create index rule_digests_slice on rule_digests using brin (slice);
                comment on table rule_digests is 'The groups a threshold rule''s part listed per batch and 5-minute slice: key (as the filter language writes it), summed metric, records, first and last start, distinct dstport / dstaddr for the distinct metrics and how many (members)';

                insert into rules (name, kind, built_in, enabled, severity, parameters, window_size, created_at, updated_at) values
                    ('Threat-list traffic', 'threat-list', true, true, 'high', '{"minFlows": 1}', '5m', now(), now()),
                    ('S3/DynamoDB through an internet gateway', 's3-dynamodb-igw', true, true, 'low', '{"minBytes": 1}', '1h', now(), now());
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                delete from rules where kind in ('threat-list', 's3-dynamodb-igw');
                drop table rule_digests;
                drop table rule_slices;
                """);
        }
    }
}
