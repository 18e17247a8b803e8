using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class AccessScopes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // What a person, a key or a single sign-on may read (#25): AWS account ids and VPC ids; both empty: everything.
            migrationBuilder.Sql("""
                alter table users add column scope_accounts text[] not null default '{}', add column scope_vpcs text[] not null default '{}';
                alter table api_keys add column scope_accounts text[] not null default '{}', add column scope_vpcs text[] not null default '{}';
                alter table sessions add column scope_accounts text[] not null default '{}', add column scope_vpcs text[] not null default '{}';
                comment on column users.scope_accounts is 'the AWS accounts the person may read; with scope_vpcs empty too: everything';
                comment on column api_keys.scope_accounts is 'the AWS accounts the key may read; with scope_vpcs empty too: everything';
                comment on column sessions.scope_accounts is 'a single sign-on''s scope from its groups; a person''s comes from users';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                alter table users drop column scope_accounts, drop column scope_vpcs;
                alter table api_keys drop column scope_accounts, drop column scope_vpcs;
                alter table sessions drop column scope_accounts, drop column scope_vpcs;
                """);
        }
    }
}
