using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class Ingestion : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Flow rows: written with COPY, read with SQL, so EF does not model them. Partitioned by day on the
            // flow's start; ids that repeat on every row (account, ENI, VPC...) are integers into flow_strings.
            migrationBuilder.Sql("""
                create table flow_strings (
                    id integer generated always as identity primary key,
                    value text not null unique
                );

                create table flows (
                    object_id bigint not null,
                    packets bigint,
                    bytes bigint,
                    start timestamptz,
                    "end" timestamptz,
                    source_id integer not null,
                    account_id integer,
                    interface_id integer,
                    srcport integer,
                    dstport integer,
                    vpc_id integer,
                    subnet_id integer,
                    instance_id integer,
                    region integer,
                    az_id integer,
                    sublocation_type integer,
                    sublocation_id integer,
                    pkt_src_aws_service integer,
                    pkt_dst_aws_service integer,
                    ecs_cluster_arn integer,
                    ecs_cluster_name integer,
                    ecs_container_instance_arn integer,
                    ecs_container_instance_id integer,
                    ecs_container_id integer,
                    ecs_second_container_id integer,
                    ecs_service_name integer,
                    ecs_task_definition_arn integer,
                    ecs_task_arn integer,
                    ecs_task_id integer,
                    reject_reason integer,
                    version smallint,
                    protocol smallint,
                    action smallint,
                    log_status smallint,
                    tcp_flags smallint,
                    type smallint,
                    flow_direction smallint,
                    traffic_path smallint,
                    srcaddr inet,
                    dstaddr inet,
                    pkt_srcaddr inet,
                    pkt_dstaddr inet,
                    extras jsonb
                ) partition by range (start);

                comment on column flows.action is '1 ACCEPT, 2 REJECT';
                comment on column flows.log_status is '1 OK, 2 NODATA, 3 SKIPDATA';
                comment on column flows.type is '1 IPv4, 2 IPv6, 3 EFA';
                comment on column flows.flow_direction is '1 ingress, 2 egress';

                -- Rows whose day has no partition (no start, or far in the future) wait here.
                create table flows_default partition of flows default;

                create index flows_start on flows using brin (start);

                -- Creates the partition of one UTC day, moving any rows of that day out of flows_default first.
                create function flowlens_ensure_partition(day date) returns void language plpgsql as $$
                declare
                    name text := 'flows_' || to_char(day, 'YYYYMMDD');
                    lower_bound timestamptz := day::timestamp at time zone 'UTC';
                    upper_bound timestamptz := (day + 1)::timestamp at time zone 'UTC';
                begin
                    if to_regclass(name) is not null then
                        return;
                    end if;
                    perform pg_advisory_xact_lock(hashtext('flowlens_partitions'));
                    if to_regclass(name) is not null then
                        return;
                    end if;
                    if exists (select 1 from flows_default where start >= lower_bound and start < upper_bound) then
                        execute format('create table %I (like flows including defaults)', name);
                        execute format('insert into %I select * from flows_default where start >= %L and start < %L', name, lower_bound, upper_bound);
                        delete from flows_default where start >= lower_bound and start < upper_bound;
                        execute format('alter table flows attach partition %I for values from (%L) to (%L)', name, lower_bound, upper_bound);
                    else
                        execute format('create table %I partition of flows for values from (%L) to (%L)', name, lower_bound, upper_bound);
                    end if;
                end $$;
                """);

            migrationBuilder.CreateTable(
                name: "sources",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    schedule = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    s3 = table.Column<string>(type: "jsonb", nullable: true),
                    directory = table.Column<string>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    last_run_started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_run_finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "text", nullable: true),
                    checkpoint = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sources", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "source_objects",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    source_id = table.Column<long>(type: "bigint", nullable: false),
                    key = table.Column<string>(type: "text", nullable: false),
                    e_tag = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    last_modified = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    records = table.Column<long>(type: "bigint", nullable: false),
                    rejected_lines = table.Column<long>(type: "bigint", nullable: false),
                    error = table.Column<string>(type: "text", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    discovered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ingested_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    oldest_record_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    newest_record_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    sample_errors = table.Column<string>(type: "jsonb", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_source_objects", x => x.id);
                    table.ForeignKey(
                        name: "fk_source_objects_sources_source_id",
                        column: x => x.source_id,
                        principalTable: "sources",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_source_objects_source_id_key_e_tag",
                table: "source_objects",
                columns: new[] { "source_id", "key", "e_tag" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_source_objects_source_id_state_id",
                table: "source_objects",
                columns: new[] { "source_id", "state", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_sources_name",
                table: "sources",
                column: "name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("drop function flowlens_ensure_partition(date); drop table flows; drop table flow_strings;");
            migrationBuilder.DropTable(
                name: "source_objects");

            migrationBuilder.DropTable(
                name: "sources");
        }
    }
}
