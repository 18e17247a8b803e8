using System.Net;
using FlowLens.Api.Data;
using FlowLens.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Hosting;

public sealed class MigrationTests(PostgresFixture postgres)
{
    [Fact]
    public async Task Start_MigratesAnEmptyDatabase_ThenStartsAgainOnTheMigratedOne()
    {
        var database = await postgres.CreateDatabaseAsync();
        var ct = TestContext.Current.CancellationToken;
        Assert.Empty(await TablesAsync(database));

        await using (var first = new FlowLensApp(database))
        {
            Assert.Equal(HttpStatusCode.OK, (await first.CreateClient(apiKey: null).GetAsync("/api/health", ct)).StatusCode);
            await AssertFullyMigratedAsync(first);
            // Hangfire's storage lives in its own schema of the same database.
            await first.CreateClient(FlowLensApp.AdminKey).GetAsync("/hangfire", ct);
        }
        var afterFirst = await TablesAsync(database);
        Assert.Contains("public.api_keys", afterFirst);
        Assert.Contains("hangfire.job", afterFirst);

        await using (var second = new FlowLensApp(database))
        {
            Assert.Equal(HttpStatusCode.OK, (await second.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", ct)).StatusCode);
            await AssertFullyMigratedAsync(second);
        }
        Assert.Equal(afterFirst, await TablesAsync(database));
    }

    [Fact]
    public async Task Start_CreatesTheDatabase_WhenTheServerHasNone()
    {
        var existing = new Npgsql.NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        existing.Database = "flowlens_fresh_" + Guid.NewGuid().ToString("N")[..8];
        await using var app = new FlowLensApp(existing.ConnectionString);
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", TestContext.Current.CancellationToken)).StatusCode);
        await AssertFullyMigratedAsync(app);
    }

    [Fact]
    public async Task NodesStartingTogether_OnAnEmptyDatabase_MigrateItOnce()
    {
        var database = await postgres.CreateDatabaseAsync();
        var ct = TestContext.Current.CancellationToken;
        var nodes = Enumerable.Range(0, 3).Select(_ => new FlowLensApp(database, b =>
        {
            b.UseSetting("FlowLens:Auth:BootstrapAdmin:Email", "admin@example.org");
            b.UseSetting("FlowLens:Auth:BootstrapAdmin:Password", "the first admin's password");
        })).ToList();
        try
        {
            // EF Core takes a database lock around migrations: the others wait, then find nothing to do.
            var answers = await Task.WhenAll(nodes.Select(n => Task.Run(() => n.CreateClient(FlowLensApp.AdminKey).GetAsync("/api/me", ct), ct)));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
            await AssertFullyMigratedAsync(nodes[0]);
            Assert.Equal(1L, await nodes[0].ScalarAsync<long>("select count(*) from api_keys where name = 'bootstrap' and revoked_at is null"));
            Assert.Equal(1L, await nodes[0].ScalarAsync<long>("select count(*) from users"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    private static async Task AssertFullyMigratedAsync(FlowLensApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlowLensDb>();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    private static Task<List<string>> TablesAsync(string connectionString) => Sql.ColumnAsync<string>(connectionString,
        "select table_schema || '.' || table_name from information_schema.tables " +
        "where table_schema not in ('pg_catalog', 'information_schema') order by 1");
}
