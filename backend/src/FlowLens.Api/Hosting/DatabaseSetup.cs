using FlowLens.Api.Data;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Queries;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlowLens.Api.Hosting;

public static class DatabaseSetup
{
    /// <summary>
    /// One <see cref="NpgsqlDataSource"/> for raw SQL and COPY, the EF context on top of it, and a pool of its own
    /// for API queries (with their statement timeout, FlowLens:Queries).
    /// </summary>
    public static void AddFlowLensDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("FlowLens");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:FlowLens is not set (environment variable ConnectionStrings__FlowLens).");
        }

        var dataSource = new NpgsqlDataSourceBuilder(connectionString) { Name = "FlowLens" }.Build();
        // Registered by factory, so the container disposes them (and closes their pooled connections) with the app.
        builder.Services.AddSingleton(_ => dataSource);
        builder.Services.AddDbContext<FlowLensDb>(options => FlowLensDb.Configure(options, dataSource));
        builder.Services.AddOptions<QueryOptions>().BindConfiguration(QueryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(services => QueryDatabase.Create(connectionString,
            services.GetRequiredService<IOptions<QueryOptions>>().Value, services.GetRequiredService<ILogger<QueryDatabase>>(),
            maySeeSql: user => user.IsInRole(Roles.Admin)));
    }

    /// <summary>
    /// Creates or upgrades the schema, FlowLens's tables and Hangfire's, before the app serves anything. Nodes that
    /// start together take turns (a PostgreSQL advisory lock): the first migrates, the others then find nothing to do.
    /// </summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        // A fresh server has no FlowLens database yet: make it (the lock below lives in it).
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var creator = scope.ServiceProvider.GetRequiredService<FlowLensDb>().GetService<IRelationalDatabaseCreator>();
            if (!await creator.ExistsAsync())
            {
                try
                {
                    await creator.CreateAsync();
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
                {
                    // another node made it at the same moment
                }
            }
        }
        await app.InTurnAsync("flowlens-migrations", async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<FlowLensDb>();
            var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
            if (pending.Count > 0)
            {
                app.Logger.LogInformation("Applying {Count} database migrations: {Migrations}", pending.Count, pending);
            }
            await db.Database.MigrateAsync();
            await app.InstallJobsSchemaAsync();
        });
    }

    /// <summary>
    /// Runs <paramref name="work"/> while holding the PostgreSQL advisory lock named <paramref name="name"/>, so nodes
    /// that start together do it one after the other. The lock is the session's: a node that dies lets go of it.
    /// </summary>
    public static async Task InTurnAsync(this WebApplication app, string name, Func<Task> work)
    {
        await using var turn = await app.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await using (var wait = new NpgsqlCommand("select pg_advisory_lock(hashtext($1))", turn))
        {
            wait.Parameters.Add(new NpgsqlParameter { Value = name });
            wait.CommandTimeout = 0;
            await wait.ExecuteNonQueryAsync();
        }
        try
        {
            await work();
        }
        finally
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock(hashtext($1))", turn);
            release.Parameters.Add(new NpgsqlParameter { Value = name });
            await release.ExecuteNonQueryAsync();
        }
    }
}
