using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class FirehoseSources : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A firehose source: its settings, and the SHA-256 of the access key its stream sends (what finds the
            // source for a request; unique, so a key names one source).
            migrationBuilder.Sql("""
                alter table sources add column firehose jsonb, add column firehose_key_hash bytea;
                create unique index ix_sources_firehose_key_hash on sources (firehose_key_hash);
                comment on column sources.firehose_key_hash is 'SHA-256 of a firehose source''s access key (X-Amz-Firehose-Access-Key); the key itself is not kept';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                drop index ix_sources_firehose_key_hash;
                alter table sources drop column firehose, drop column firehose_key_hash;
                """);
        }
    }
}
