using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class RuleSearches : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A threshold rule on a saved search follows it (Features/Searches updates the rules' filter with the
            // search's); a deleted search leaves its rules their last filter. Ids of searches gone already are dropped.
            migrationBuilder.Sql("""
                update rules set search_id = null where search_id is not null and not exists (select from saved_searches s where s.id = search_id);
                alter table rules add constraint rules_search_id_fkey foreign key (search_id) references saved_searches (id) on delete set null;
                create index rules_search_id on rules (search_id) where search_id is not null;
                comment on column rules.search_id is 'The saved search a threshold rule follows: its filter is the search''s, updated with it; null once the search is deleted';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                drop index rules_search_id;
                alter table rules drop constraint rules_search_id_fkey;
                comment on column rules.search_id is null;
                """);
        }
    }
}
