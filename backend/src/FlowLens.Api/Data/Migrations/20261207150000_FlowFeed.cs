using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class FlowFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The flow feed (GET /api/flows/feed, #26) lists flows in the order they were stored, so a tool that pulls
            // new flows misses none that arrive late for an old time: each chunk names the transaction that stored it
            // and when. Chunks stored before have neither and are not in the feed. Set by default: COPY names neither.
            migrationBuilder.Sql("""
                alter table flow_chunks add column stored_xid xid8, add column stored_at timestamptz;
                alter table flow_chunks alter column stored_xid set default pg_current_xact_id(), alter column stored_at set default now();
                comment on column flow_chunks.stored_xid is 'the transaction that stored the chunk: the flow feed''s order (FlowFeedSql)';
                comment on column flow_chunks.stored_at is 'when the transaction that stored the chunk began';
                create index flow_chunks_stored on flow_chunks (stored_xid, object_id, line0) include (stored_at);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                drop index flow_chunks_stored;
                alter table flow_chunks drop column stored_xid, drop column stored_at;
                """);
        }
    }
}
