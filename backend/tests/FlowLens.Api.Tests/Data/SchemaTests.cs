using System.Text.RegularExpressions;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Api.Tests.Data;

public sealed partial class SchemaTests(PostgresFixture postgres)
{
    private const string SchemaFile = "backend/src/FlowLens.Api/Data/schema.sql";

    private const string Header = """
        -- The FlowLens schema after every migration: pg_dump --schema-only of schema public, kept true by SchemaTests.
        -- Not here: Hangfire's schema (Hangfire makes it at start, not our migrations) and the partitions made at run
        -- time for the days around today (flows_YYYYMMDD, flow_chunks_YYYYMMDD_HH): they differ from one day to the next.
        """;

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

    [Fact]
    public async Task SchemaFile_IsTheMigratedSchema()
    {
        await using var app = await StartedAppAsync();
        var dump = await PostgresServer.DumpSchemaAsync(app.ConnectionString, "--schema=public", "--exclude-table=public.flows_[0-9]*", "--exclude-table=public.flow_chunks_[0-9]*");

        GoldenFile.Assert(SchemaFile, Header + "\n" + Stable(dump));
    }

    private async Task<FlowLensApp> StartedAppAsync()
    {
        var app = await postgres.StartAppAsync();
        // The first request starts the host: migrations, then today's partitions.
        await app.CreateClient(apiKey: null).GetAsync("/api/health", TestContext.Current.CancellationToken);
        return app;
    }

    /// <summary>The dump without what changes between pg_dump versions and runs: version comments, settings, restrict keys.</summary>
    private static string Stable(string dump)
    {
        var lines = dump.ReplaceLineEndings("\n").Split('\n')
            .Where(l => !Volatile().IsMatch(l));
        return BlankRuns().Replace(string.Join('\n', lines), "\n\n").Trim() + "\n";
    }

    [GeneratedRegex(@"^(-- Dumped (from|by) |SET |SELECT pg_catalog\.set_config|\\(un)?restrict )")]
    private static partial Regex Volatile();

    [GeneratedRegex(@"\n{3,}")]
    private static partial Regex BlankRuns();
}
