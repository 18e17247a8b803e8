using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Api.Tests.Data;

public sealed class SchemaTests(PostgresFixture postgres)
{
    [Fact]
    public async Task FlowColumns_AreTheFlowsTable_InNameOrderAndType()
    {
        await using var app = await StartedAppAsync();
        var columns = await Sql.ColumnAsync<string>(app.ConnectionString, """
            select column_name || ' ' || data_type from information_schema.columns
            where table_schema = 'public' and table_name = 'flows' order by ordinal_position
            """);

        Assert.Equal(FlowColumns.All.Select(c => $"{c.Name} {c.SqlType}"), columns);
    }

    private async Task<FlowLensApp> StartedAppAsync()
    {
        var app = await postgres.StartAppAsync();
        // The first request starts the host: migrations, then today's partitions.
        await app.CreateClient(apiKey: null).GetAsync("/api/health", TestContext.Current.CancellationToken);
        return app;
    }
}
