using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowLens.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class ContextFilters : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Filters on context (dst-country = CN, src-network = prod) test a flow's address against the ranges the
            // value stands for, as one multirange of addresses (FlowLens.Core.Filters.FilterSql): a bisection per row.
            // Range bounds are host addresses, which inet orders by family, then address.
            migrationBuilder.Sql("""
                create type inetrange as range (subtype = inet, multirange_type_name = inetmultirange);
                comment on type inetrange is 'A range of addresses (host bounds, one family); inetmultirange: the addresses of a context value, for filters';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("drop type inetrange;");
        }
    }
}
