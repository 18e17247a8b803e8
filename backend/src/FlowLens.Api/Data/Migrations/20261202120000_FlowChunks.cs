using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class FlowChunks : Migration
    {
        // One row per record, from the chunks: what the flows view selects, and what going down copies back.
        private const string FlowsSelect = """
                select
                    c.object_id as object_id,
                    u.packets as packets,
                    u.bytes as bytes,
                    c.base + u.t * interval '1 second' as start,
                    c.base + u.e * interval '1 second' as "end",
                    c.source_id as source_id,
                    u.account_id as account_id,
                    u.interface_id as interface_id,
                    u.srcport as srcport,
                    u.dstport as dstport,
                    u.vpc_id as vpc_id,
                    u.subnet_id as subnet_id,
                    u.instance_id as instance_id,
                    u.region as region,
                    u.az_id as az_id,
                    u.sublocation_type as sublocation_type,
                    u.sublocation_id as sublocation_id,
                    u.pkt_src_aws_service as pkt_src_aws_service,
                    u.pkt_dst_aws_service as pkt_dst_aws_service,
                    u.ecs_cluster_arn as ecs_cluster_arn,
                    u.ecs_cluster_name as ecs_cluster_name,
                    u.ecs_container_instance_arn as ecs_container_instance_arn,
                    u.ecs_container_instance_id as ecs_container_instance_id,
                    u.ecs_container_id as ecs_container_id,
                    u.ecs_second_container_id as ecs_second_container_id,
                    u.ecs_service_name as ecs_service_name,
                    u.ecs_task_definition_arn as ecs_task_definition_arn,
                    u.ecs_task_arn as ecs_task_arn,
                    u.ecs_task_id as ecs_task_id,
                    u.reject_reason as reject_reason,
                    u.version as version,
                    u.protocol as protocol,
                    u.action as action,
                    u.log_status as log_status,
                    u.tcp_flags as tcp_flags,
                    u.type as type,
                    u.flow_direction as flow_direction,
                    u.traffic_path as traffic_path,
                    u.srcaddr as srcaddr,
                    u.dstaddr as dstaddr,
                    u.pkt_srcaddr as pkt_srcaddr,
                    u.pkt_dstaddr as pkt_dstaddr,
                    u.extras as extras,
                    coalesce(u.line, c.line0 + u.ord::int - 1) as line
                from flow_chunks c
                cross join lateral rows from (unnest(c.packets), unnest(c.bytes), unnest(c.t), unnest(c.e), unnest(c.account_id), unnest(c.interface_id), unnest(c.srcport), unnest(c.dstport), unnest(c.vpc_id), unnest(c.subnet_id), unnest(c.instance_id), unnest(c.region), unnest(c.az_id), unnest(c.sublocation_type), unnest(c.sublocation_id), unnest(c.pkt_src_aws_service), unnest(c.pkt_dst_aws_service), unnest(c.ecs_cluster_arn), unnest(c.ecs_cluster_name), unnest(c.ecs_container_instance_arn), unnest(c.ecs_container_instance_id), unnest(c.ecs_container_id), unnest(c.ecs_second_container_id), unnest(c.ecs_service_name), unnest(c.ecs_task_definition_arn), unnest(c.ecs_task_arn), unnest(c.ecs_task_id), unnest(c.reject_reason), unnest(c.version), unnest(c.protocol), unnest(c.action), unnest(c.log_status), unnest(c.tcp_flags), unnest(c.type), unnest(c.flow_direction), unnest(c.traffic_path), unnest(c.srcaddr), unnest(c.dstaddr), unnest(c.pkt_srcaddr), unnest(c.pkt_dstaddr), unnest(c.extras), unnest(c.line))
                    with ordinality u(packets, bytes, t, e, account_id, interface_id, srcport, dstport, vpc_id, subnet_id, instance_id, region, az_id, sublocation_type, sublocation_id, pkt_src_aws_service, pkt_dst_aws_service, ecs_cluster_arn, ecs_cluster_name, ecs_container_instance_arn, ecs_container_instance_id, ecs_container_id, ecs_second_container_id, ecs_service_name, ecs_task_definition_arn, ecs_task_arn, ecs_task_id, reject_reason, version, protocol, action, log_status, tcp_flags, type, flow_direction, traffic_path, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr, extras, line, ord)
            """;

        // The top summaries' arrays set to a compression method, table by table.
        private static string SummaryCompression(string method) => string.Concat(
            new[] { "flow_top_appended", "flow_top_1h", "flow_top_1d" }.Select(table => $"alter table {table} " + string.Join(", ",
                new[] { "keys", "records", "flows", "bytes", "packets", "rejected_records", "rejected_flows", "rejected_bytes", "rejected_packets" }
                    .Select(column => $"alter column {column} set compression {method}")) + ";\n"));

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Issue #21: one row per record cost 125-177 bytes and had no way to find an address. Chunks of up to 2,000
            // records of one object and one 6-hour period hold one compressed array per field (about 45 bytes a record)
            // and the chunk's distinct addresses, which a GIN index finds once the period has closed (FlowChunkIndexes).
            // The partitions are 6 hours, so that only the newest few hours are unindexed. flows becomes a view.
            migrationBuilder.Sql($$"""
                create table flow_chunks (
                    start_min timestamptz,          -- the earliest record start: the partition key (null: no record has one)
                    start_max timestamptz,          -- the latest
                    base timestamptz not null,      -- t and e count seconds from it
                    object_id bigint not null,
                    source_id integer not null,
                    line0 integer not null,         -- the first record's line; line is null when the lines follow on from it
                    n integer not null,             -- records
                    addrs inet[] compression lz4 not null, -- the distinct srcaddr, dstaddr, pkt-srcaddr and pkt-dstaddr
                    packets bigint[] compression lz4,
                    bytes bigint[] compression lz4,
                    t integer[] compression lz4 not null,
                    e bigint[] compression lz4,
                    account_id integer[] compression lz4,
                    interface_id integer[] compression lz4,
                    srcport integer[] compression lz4,
                    dstport integer[] compression lz4,
                    vpc_id integer[] compression lz4,
                    subnet_id integer[] compression lz4,
                    instance_id integer[] compression lz4,
                    region integer[] compression lz4,
                    az_id integer[] compression lz4,
                    sublocation_type integer[] compression lz4,
                    sublocation_id integer[] compression lz4,
                    pkt_src_aws_service integer[] compression lz4,
                    pkt_dst_aws_service integer[] compression lz4,
                    ecs_cluster_arn integer[] compression lz4,
                    ecs_cluster_name integer[] compression lz4,
                    ecs_container_instance_arn integer[] compression lz4,
                    ecs_container_instance_id integer[] compression lz4,
                    ecs_container_id integer[] compression lz4,
                    ecs_second_container_id integer[] compression lz4,
                    ecs_service_name integer[] compression lz4,
                    ecs_task_definition_arn integer[] compression lz4,
                    ecs_task_arn integer[] compression lz4,
                    ecs_task_id integer[] compression lz4,
                    reject_reason integer[] compression lz4,
                    version smallint[] compression lz4,
                    protocol smallint[] compression lz4,
                    action smallint[] compression lz4,
                    log_status smallint[] compression lz4,
                    tcp_flags smallint[] compression lz4,
                    type smallint[] compression lz4,
                    flow_direction smallint[] compression lz4,
                    traffic_path smallint[] compression lz4,
                    srcaddr inet[] compression lz4,
                    dstaddr inet[] compression lz4,
                    pkt_srcaddr inet[] compression lz4,
                    pkt_dstaddr inet[] compression lz4,
                    extras jsonb[] compression lz4,
                    line integer[] compression lz4
                ) partition by range (start_min);

                comment on table flow_chunks is 'flow records, up to 2,000 of one object and one 6-hour period per row, one array per field; read them through FlowChunks.Rows or the flows view';
                comment on column flow_chunks.action is '1 ACCEPT, 2 REJECT';
                comment on column flow_chunks.log_status is '1 OK, 2 NODATA, 3 SKIPDATA';
                comment on column flow_chunks.type is '1 IPv4, 2 IPv6, 3 EFA';
                comment on column flow_chunks.flow_direction is '1 ingress, 2 egress';

                create table flow_chunks_default partition of flow_chunks default;
                create index flow_chunks_object on flow_chunks (object_id);

                -- Creates the four 6-hour partitions of one UTC day, moving any chunks of theirs out of flow_chunks_default.
                create or replace function flowlens_ensure_partition(day date) returns void language plpgsql as $$
                declare
                    name text;
                    lower_bound timestamptz;
                    upper_bound timestamptz;
                begin
                    for h in 0..3 loop
                        name := 'flow_chunks_' || to_char(day, 'YYYYMMDD') || '_' || to_char(h * 6, 'FM00');
                        lower_bound := day::timestamp at time zone 'UTC' + h * interval '6 hours';
                        upper_bound := lower_bound + interval '6 hours';
                        if to_regclass(name) is not null then
                            continue;
                        end if;
                        perform pg_advisory_xact_lock(hashtext('flowlens_partitions'));
                        if to_regclass(name) is not null then
                            continue;
                        end if;
                        if exists (select 1 from flow_chunks_default where start_min >= lower_bound and start_min < upper_bound) then
                            execute format('create table %I (like flow_chunks including defaults including compression)', name);
                            execute format('insert into %I select * from flow_chunks_default where start_min >= %L and start_min < %L', name, lower_bound, upper_bound);
                            delete from flow_chunks_default where start_min >= lower_bound and start_min < upper_bound;
                            execute format('alter table flow_chunks attach partition %I for values from (%L) to (%L)', name, lower_bound, upper_bound);
                        else
                            execute format('create table %I partition of flow_chunks for values from (%L) to (%L)', name, lower_bound, upper_bound);
                        end if;
                    end loop;
                end $$;

                select flowlens_ensure_partition(to_date(substr(c.relname, 7), 'YYYYMMDD'))
                from pg_inherits i join pg_class c on c.oid = i.inhrelid
                where i.inhparent = 'flows'::regclass and c.relname ~ '^flows_[0-9]{8}$';

                -- The stored rows, in chunks: by object, 6-hour period and line.
                with numbered as (
                    select f.*, date_bin('6 hours', f.start, '2000-01-01 00:00:00+00') as period,
                        (row_number() over (partition by f.object_id, date_bin('6 hours', f.start, '2000-01-01 00:00:00+00') order by f.line, f.start) - 1) / 2000 as part
                    from flows f),
                r as (
                    select n.*, coalesce(min(coalesce(n.start, n."end")) over (partition by n.object_id, n.period, n.part), '1970-01-01 00:00:00+00') as base
                    from numbered n)
                insert into flow_chunks (start_min, start_max, base, object_id, source_id, line0, n, addrs,
                    packets, bytes, t, e, account_id, interface_id, srcport, dstport, vpc_id, subnet_id, instance_id, region, az_id, sublocation_type, sublocation_id, pkt_src_aws_service, pkt_dst_aws_service, ecs_cluster_arn, ecs_cluster_name, ecs_container_instance_arn, ecs_container_instance_id, ecs_container_id, ecs_second_container_id, ecs_service_name, ecs_task_definition_arn, ecs_task_arn, ecs_task_id, reject_reason, version, protocol, action, log_status, tcp_flags, type, flow_direction, traffic_path, srcaddr, dstaddr, pkt_srcaddr, pkt_dstaddr, extras, line)
                select min(r.start), max(r.start), r.base, r.object_id, min(r.source_id), 0, count(*)::int,
                    array(select distinct a from unnest(array_agg(r.srcaddr) || array_agg(r.dstaddr) || array_agg(r.pkt_srcaddr) || array_agg(r.pkt_dstaddr)) a where a is not null),
                    case when count(r.packets) = 0 then null else array_agg(r.packets order by r.line, r.start) end,
                    case when count(r.bytes) = 0 then null else array_agg(r.bytes order by r.line, r.start) end,
                    array_agg(extract(epoch from r.start - r.base)::int order by r.line, r.start),
                    case when count(extract(epoch from r."end" - r.base)::bigint) = 0 then null else array_agg(extract(epoch from r."end" - r.base)::bigint order by r.line, r.start) end,
                    case when count(r.account_id) = 0 then null else array_agg(r.account_id order by r.line, r.start) end,
                    case when count(r.interface_id) = 0 then null else array_agg(r.interface_id order by r.line, r.start) end,
                    case when count(r.srcport) = 0 then null else array_agg(r.srcport order by r.line, r.start) end,
                    case when count(r.dstport) = 0 then null else array_agg(r.dstport order by r.line, r.start) end,
                    case when count(r.vpc_id) = 0 then null else array_agg(r.vpc_id order by r.line, r.start) end,
                    case when count(r.subnet_id) = 0 then null else array_agg(r.subnet_id order by r.line, r.start) end,
                    case when count(r.instance_id) = 0 then null else array_agg(r.instance_id order by r.line, r.start) end,
                    case when count(r.region) = 0 then null else array_agg(r.region order by r.line, r.start) end,
                    case when count(r.az_id) = 0 then null else array_agg(r.az_id order by r.line, r.start) end,
                    case when count(r.sublocation_type) = 0 then null else array_agg(r.sublocation_type order by r.line, r.start) end,
                    case when count(r.sublocation_id) = 0 then null else array_agg(r.sublocation_id order by r.line, r.start) end,
                    case when count(r.pkt_src_aws_service) = 0 then null else array_agg(r.pkt_src_aws_service order by r.line, r.start) end,
                    case when count(r.pkt_dst_aws_service) = 0 then null else array_agg(r.pkt_dst_aws_service order by r.line, r.start) end,
                    case when count(r.ecs_cluster_arn) = 0 then null else array_agg(r.ecs_cluster_arn order by r.line, r.start) end,
                    case when count(r.ecs_cluster_name) = 0 then null else array_agg(r.ecs_cluster_name order by r.line, r.start) end,
                    case when count(r.ecs_container_instance_arn) = 0 then null else array_agg(r.ecs_container_instance_arn order by r.line, r.start) end,
                    case when count(r.ecs_container_instance_id) = 0 then null else array_agg(r.ecs_container_instance_id order by r.line, r.start) end,
                    case when count(r.ecs_container_id) = 0 then null else array_agg(r.ecs_container_id order by r.line, r.start) end,
                    case when count(r.ecs_second_container_id) = 0 then null else array_agg(r.ecs_second_container_id order by r.line, r.start) end,
                    case when count(r.ecs_service_name) = 0 then null else array_agg(r.ecs_service_name order by r.line, r.start) end,
                    case when count(r.ecs_task_definition_arn) = 0 then null else array_agg(r.ecs_task_definition_arn order by r.line, r.start) end,
                    case when count(r.ecs_task_arn) = 0 then null else array_agg(r.ecs_task_arn order by r.line, r.start) end,
                    case when count(r.ecs_task_id) = 0 then null else array_agg(r.ecs_task_id order by r.line, r.start) end,
                    case when count(r.reject_reason) = 0 then null else array_agg(r.reject_reason order by r.line, r.start) end,
                    case when count(r.version) = 0 then null else array_agg(r.version order by r.line, r.start) end,
                    case when count(r.protocol) = 0 then null else array_agg(r.protocol order by r.line, r.start) end,
                    case when count(r.action) = 0 then null else array_agg(r.action order by r.line, r.start) end,
                    case when count(r.log_status) = 0 then null else array_agg(r.log_status order by r.line, r.start) end,
                    case when count(r.tcp_flags) = 0 then null else array_agg(r.tcp_flags order by r.line, r.start) end,
                    case when count(r.type) = 0 then null else array_agg(r.type order by r.line, r.start) end,
                    case when count(r.flow_direction) = 0 then null else array_agg(r.flow_direction order by r.line, r.start) end,
                    case when count(r.traffic_path) = 0 then null else array_agg(r.traffic_path order by r.line, r.start) end,
                    case when count(r.srcaddr) = 0 then null else array_agg(r.srcaddr order by r.line, r.start) end,
                    case when count(r.dstaddr) = 0 then null else array_agg(r.dstaddr order by r.line, r.start) end,
                    case when count(r.pkt_srcaddr) = 0 then null else array_agg(r.pkt_srcaddr order by r.line, r.start) end,
                    case when count(r.pkt_dstaddr) = 0 then null else array_agg(r.pkt_dstaddr order by r.line, r.start) end,
                    case when count(r.extras) = 0 then null else array_agg(r.extras order by r.line, r.start) end,
                    array_agg(coalesce(r.line, 0) order by r.line, r.start)
                from r
                group by r.object_id, r.period, r.part, r.base;

                -- The top summaries' arrays are compressed too, with lz4 rather than pglz: pglz took a third of
                -- PostgreSQL's CPU during ingestion (writing the appended summaries and merging them).
                {{SummaryCompression("lz4")}}

                drop table flows;
                create view flows as
                {{FlowsSelect}};
                comment on view flows is 'every stored record as a row with every field (no time pruning: for people and tests; queries use FlowChunks.Rows)';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql($$"""
                drop view flows;
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
                    extras jsonb,
                    line integer
                ) partition by range (start);
                comment on column flows.action is '1 ACCEPT, 2 REJECT';
                comment on column flows.log_status is '1 OK, 2 NODATA, 3 SKIPDATA';
                comment on column flows.type is '1 IPv4, 2 IPv6, 3 EFA';
                comment on column flows.flow_direction is '1 ingress, 2 egress';
                create table flows_default partition of flows default;
                create index flows_start on flows using brin (start);

                create or replace function flowlens_ensure_partition(day date) returns void language plpgsql as $$
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

                select flowlens_ensure_partition(d) from (
                    select distinct to_date(substr(c.relname, 13, 8), 'YYYYMMDD') as d
                    from pg_inherits i join pg_class c on c.oid = i.inhrelid
                    where i.inhparent = 'flow_chunks'::regclass and c.relname ~ '^flow_chunks_[0-9]{8}_[0-9]{2}$') days;

                insert into flows
                {{FlowsSelect}};
                drop table flow_chunks;

                {{SummaryCompression("default")}}
                """);
        }
    }
}
