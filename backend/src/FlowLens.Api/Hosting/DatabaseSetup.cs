using FlowLens.Api.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FlowLens.Api.Hosting;

public static class DatabaseSetup
{
    /// <summary>One <see cref="NpgsqlDataSource"/> for raw SQL and COPY, and the EF context on top of it.</summary>
    public static void AddFlowLensDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("FlowLens");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:FlowLens is not set (environment variable ConnectionStrings__FlowLens).");
        }

        var dataSource = new NpgsqlDataSourceBuilder(connectionString) { Name = "FlowLens" }.Build();
        builder.Services.AddSingleton(dataSource);
        builder.Services.AddDbContext<FlowLensDb>(options => FlowLensDb.Configure(options, dataSource));
    }

    /// <summary>Creates or upgrades the schema before the app serves anything.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlowLensDb>();
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        if (pending.Count > 0)
        {
            app.Logger.LogInformation("Applying {Count} database migrations: {Migrations}", pending.Count, pending);
        }
        await db.Database.MigrateAsync();
    }
}
