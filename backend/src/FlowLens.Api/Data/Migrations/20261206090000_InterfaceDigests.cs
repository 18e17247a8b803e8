using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class InterfaceDigests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The interfaces' digests (ports served, bytes out) list every interface of a slice, about a thousand per
            // object and slice at an internet-facing VPC: as a row each they took about as much room as the flows. One
            // row per batch, slice and family of parallel arrays holds them in a tenth of it (compressed when large).
            migrationBuilder.Sql("""
                create table detection_interfaces (
                    batch bigint not null,
                    source_id bigint not null,
                    object_id bigint,
                    slice timestamptz not null,
                    family smallint not null,
                    interface_ids text[] not null,
                    ports integer[],
                    flows integer[] not null,
                    bytes bigint[]);
                create index detection_interfaces_slice on detection_interfaces using brin (slice);
                comment on table detection_interfaces is 'Per batch, 5-minute slice and family, the interfaces the new-port and exfiltration detectors count, as parallel arrays: 4 ports served (interface_ids, ports, flows), 5 bytes from inside to outside (interface_ids, flows, bytes)';

                insert into detection_interfaces (batch, source_id, object_id, slice, family, interface_ids, ports, flows, bytes)
                select batch, min(source_id), min(object_id), slice, family, array_agg(interface_id order by interface_id, dstport),
                    case when family = 4 then array_agg(dstport order by interface_id, dstport) end, array_agg(flows order by interface_id, dstport),
                    case when family = 5 then array_agg(bytes order by interface_id, dstport) end
                from detection_digests where family in (4, 5)
                group by batch, slice, family;
                delete from detection_digests where family in (4, 5);
                alter table detection_digests drop column interface_id;
                comment on table detection_digests is 'The groups the scan detectors count, per batch and 5-minute slice, with their distinct members: 1 port scan (srcaddr, dstaddr: REJECTed dstport), 2 host sweep (srcaddr, dstport: REJECTed dstaddr), 3 brute force (srcaddr, dstport 22/3389: srcport); groups of one member are left out (the slice''s floor bounds them)';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                alter table detection_digests add column interface_id text;
                insert into detection_digests (batch, source_id, object_id, slice, family, interface_id, dstport, flows, bytes)
                select d.batch, d.source_id, d.object_id, d.slice, d.family, u.interface_id, u.port, u.flows, coalesce(u.bytes, 0)
                from detection_interfaces d cross join unnest(d.interface_ids, d.ports, d.flows, d.bytes) u(interface_id, port, flows, bytes);
                drop table detection_interfaces;
                comment on table detection_digests is 'The groups the built-in detectors count, per batch and 5-minute slice, with their distinct members: 1 port scan (srcaddr, dstaddr: REJECTed dstport), 2 host sweep (srcaddr, dstport: REJECTed dstaddr), 3 brute force (srcaddr, dstport 22/3389: srcport), 4 ports an interface served (interface_id, dstport), 5 bytes from inside to outside (interface_id)';
                """);
        }
    }
}
