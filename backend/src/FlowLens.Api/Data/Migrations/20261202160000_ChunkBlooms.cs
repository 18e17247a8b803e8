using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class ChunkBlooms : Migration
    {
        // Creates the four 6-hour partitions of one UTC day, moving any chunks of theirs out of flow_chunks_default;
        // "like" copies the columns' options named in it (a partition made "partition of" takes them all).
        private static string EnsurePartition(string like) => $$"""
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
                        execute format('create table %I (like flow_chunks {{like}})', name);
                        execute format('insert into %I select * from flow_chunks_default where start_min >= %L and start_min < %L', name, lower_bound, upper_bound);
                        delete from flow_chunks_default where start_min >= lower_bound and start_min < upper_bound;
                        execute format('alter table flow_chunks attach partition %I for values from (%L) to (%L)', name, lower_bound, upper_bound);
                    else
                        execute format('create table %I partition of flow_chunks for values from (%L) to (%L)', name, lower_bound, upper_bound);
                    end if;
                end loop;
            end $$;
            """;

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // At 200,000 internet addresses a day over 1M records, the chunks' distinct addresses and their GIN index cost
            // 45-55 bytes a record: their size follows the addresses, not the records. A Bloom filter per chunk
            // (AddressBloom) costs 1-2 bytes a record, is written with the chunk (no index to build once a partition
            // closes) and is tested on every chunk of the searched range. Plain storage: random bits never compress,
            // and inline (at most 4 KB) get_bit reads them without detoasting. Chunks stored before have no filter:
            // they may hold any address, so a search reads them as it would without an index.
            migrationBuilder.Sql($$"""
                alter table flow_chunks add column bloom bytea;
                alter table flow_chunks alter column bloom set storage plain;
                comment on column flow_chunks.bloom is 'Bloom filter of the chunk''s srcaddr, dstaddr, pkt_srcaddr and pkt_dstaddr (AddressBloom); null: may hold any address';
                -- Drops the GIN indexes on it too (<partition>_addrs).
                alter table flow_chunks drop column addrs;
                {{EnsurePartition("including defaults including compression including storage")}}

                -- Whether a chunk's filter may hold any of the addresses whose AddressBloom.Hashes are (h1[i], h2[i]): it
                -- does unless one of their 6 bits, (h1 + j*h2) mod its bits, is 0 (get_bit: bit n & 7 of byte n >> 3).
                create function flowlens_may_hold(bloom bytea, h1 bigint[], h2 bigint[]) returns boolean
                language sql immutable parallel safe as $$
                    select bloom is null or exists (
                        select from unnest(h1, h2) h(a, b), (select length(bloom)::bigint * 8 - 1) m(mask)
                        where get_bit(bloom, a & m.mask) = 1
                            and get_bit(bloom, (a + b) & m.mask) = 1
                            and get_bit(bloom, (a + 2 * b) & m.mask) = 1
                            and get_bit(bloom, (a + 3 * b) & m.mask) = 1
                            and get_bit(bloom, (a + 4 * b) & m.mask) = 1
                            and get_bit(bloom, (a + 5 * b) & m.mask) = 1)
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // The distinct addresses come back from the chunks' arrays; the maintenance job of that version builds the
            // closed partitions' GIN indexes again.
            migrationBuilder.Sql($$"""
                drop function flowlens_may_hold(bytea, bigint[], bigint[]);
                {{EnsurePartition("including defaults including compression")}}
                alter table flow_chunks add column addrs inet[] compression lz4;
                update flow_chunks set addrs = array(
                    select distinct a from unnest(srcaddr || dstaddr || pkt_srcaddr || pkt_dstaddr) a where a is not null);
                alter table flow_chunks alter column addrs set not null;
                alter table flow_chunks drop column bloom;
                """);
        }
    }
}
