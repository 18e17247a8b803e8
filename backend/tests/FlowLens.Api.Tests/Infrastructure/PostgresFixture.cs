using FlowLens.Api.Data;
using FlowLens.Api.Hosting;
using FlowLens.Api.Tests.Infrastructure;
using Hangfire.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Npgsql;

[assembly: AssemblyFixture(typeof(PostgresFixture))]

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL for the whole test run: the server named by FLOWLENS_TEST_DB (a connection string of a user that
/// may create databases), else a throwaway cluster of our own. Each test gets a database of its own.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;
    private string? _adminConnectionString;

    public async ValueTask InitializeAsync()
    {
        _adminConnectionString = Environment.GetEnvironmentVariable("FLOWLENS_TEST_DB");
        if (string.IsNullOrWhiteSpace(_adminConnectionString))
        {
            _server = await PostgresServer.StartAsync();
            _adminConnectionString = _server.AdminConnectionString;
        }
    }

    /// <summary>A new, empty database; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync() => PostgresServer.CreateDatabaseAsync(_adminConnectionString!);

    /// <summary>
    /// A FlowLens host on a new database that holds the migrated schema and nothing else: a copy of a template
    /// migrated once per run, so a hundred hosts do not each apply every migration. The host's own start (the
    /// bootstrap key and admin, partitions, keys) runs as on a fresh install; tests of migrating itself use
    /// <see cref="CreateDatabaseAsync"/>.
    /// </summary>
    public async Task<FlowLensApp> StartAppAsync(Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? configure = null) =>
        new(await PostgresServer.CreateDatabaseAsync(_adminConnectionString!, await _migrated.Value), configure);

    private readonly Lazy<Task<string>> _migrated;

    public PostgresFixture() => _migrated = new(MigrateTemplateAsync);

    /// <summary>Makes a database, applies FlowLens's migrations and Hangfire's schema to it, and returns its name.</summary>
    private async Task<string> MigrateTemplateAsync()
    {
        var connectionString = await CreateDatabaseAsync();
        await using (var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString))
        {
            var options = new DbContextOptionsBuilder<FlowLensDb>();
            FlowLensDb.Configure(options, dataSource);
            await using (var db = new FlowLensDb(options.Options))
            {
                await db.Database.MigrateAsync();
            }
            await using var connection = await dataSource.OpenConnectionAsync();
            PostgreSqlObjectsInstaller.Install(connection, JobsSetup.SchemaName);
        }
        return new NpgsqlConnectionStringBuilder(connectionString).Database!;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
