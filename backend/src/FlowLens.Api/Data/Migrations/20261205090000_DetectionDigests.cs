using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class DetectionDigests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // What the built-in detectors read instead of the flows (Core/Detections/DetectionDigest, docs/detections.md
            // "Digests"): appended by ingestion with each object, no index but a BRIN on the slice (cheap to COPY into),
            // deleted with their object or source and after the detections' lookback. Port scans and host sweeps now count
            // the distinct ports / hosts of REJECTed flows, so their ratio parameter goes.
            migrationBuilder.Sql("""
                create table detection_slices (
                    batch bigint not null,
                    source_id bigint not null,
                    object_id bigint,
                    slice timestamptz not null,
                    records bigint not null,
                    floors bigint[] not null);
                create index detection_slices_slice on detection_slices using brin (slice);
                comment on table detection_slices is 'One ingestion batch''s (an object''s) records in a 5-minute slice, and per digest family the most members of a group it left out (floors[family])';

                create table detection_digests (
                    batch bigint not null,
                    source_id bigint not null,
                    object_id bigint,
                    slice timestamptz not null,
                    family smallint not null,
                    srcaddr inet,
                    dstaddr inet,
                    dstport integer,
                    interface_id text,
                    flows integer not null,
                    bytes bigint not null,
                    ports integer[],
                    hosts inet[]);
                create index detection_digests_slice on detection_digests using brin (slice);
                comment on table detection_digests is 'The groups the built-in detectors count, per batch and 5-minute slice, with their distinct members: 1 port scan (srcaddr, dstaddr: REJECTed dstport), 2 host sweep (srcaddr, dstport: REJECTed dstaddr), 3 brute force (srcaddr, dstport 22/3389: srcport), 4 ports an interface served (interface_id, dstport), 5 bytes from inside to outside (interface_id)';

                update rules set parameters = parameters - 'minRejectedRatio' where kind in ('port-scan', 'host-sweep');

                -- The interfaces' history the new-port and exfiltration detectors compare a window with.
                create table interface_ports (
                    interface_id text not null,
                    port integer not null,
                    first_seen timestamptz not null,
                    last_seen timestamptz not null,
                    primary key (interface_id, port));
                comment on table interface_ports is 'Each port an interface served (ACCEPTed flows to it from a client port), from the windows the new-port detector judged';
                create table interface_bytes (
                    interface_id text not null,
                    hour timestamptz not null,
                    bytes bigint not null,
                    primary key (interface_id, hour));
                comment on table interface_bytes is 'Bytes each interface sent from inside to outside per hour (digests, lower bounds), for the exfiltration detector''s baseline';

                insert into rules (name, kind, built_in, enabled, severity, parameters, window_size, created_at, updated_at) values
                    ('New port served', 'new-port', true, true, 'medium', '{"baselineHours": 168, "minFlows": 3}', '15m', now(), now()),
                    ('Bytes out far above baseline', 'exfiltration', true, true, 'high', '{"factor": 10, "minBytes": 100000000, "baselineHours": 168}', '1h', now(), now());
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                delete from rules where kind in ('new-port', 'exfiltration');
                drop table interface_bytes;
                drop table interface_ports;
                drop table detection_digests;
                drop table detection_slices;
                update rules set parameters = coalesce(parameters, '{}'::jsonb) || '{"minRejectedRatio": 0.5}' where kind in ('port-scan', 'host-sweep');
                """);
        }
    }
}
