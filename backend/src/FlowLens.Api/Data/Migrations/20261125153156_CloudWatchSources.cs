using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class CloudWatchSources : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "cloud_watch",
                table: "sources",
                type: "jsonb",
                nullable: true);

            // The ids of the CloudWatch events stored recently, per source: a sync reads its look-back window again
            // and skips what is here. Kept only back to the checkpoint minus the look-back.
            migrationBuilder.Sql("""
                create table cloudwatch_events (
                    source_id bigint not null references sources (id) on delete cascade,
                    event_id text not null,
                    event_time bigint not null,
                    primary key (source_id, event_id)
                );
                create index cloudwatch_events_time on cloudwatch_events (source_id, event_time);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("drop table cloudwatch_events");
            migrationBuilder.DropColumn(
                name: "cloud_watch",
                table: "sources");
        }
    }
}
