using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class SessionDevices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A person's list of their sessions names each browser and where it signed in from (#25).
            migrationBuilder.Sql("""
                alter table sessions add column user_agent varchar(200), add column remote_address varchar(64);
                comment on column sessions.user_agent is 'the browser''s User-Agent at sign-in, cut to 200 characters';
                comment on column sessions.remote_address is 'the address the sign-in came from';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("alter table sessions drop column user_agent, drop column remote_address;");
        }
    }
}
