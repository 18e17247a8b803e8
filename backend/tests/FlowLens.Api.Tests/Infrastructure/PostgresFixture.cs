using FlowLens.Api.Tests.Infrastructure;

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

    /// <summary>A FlowLens host on a new, empty database.</summary>
    public async Task<FlowLensApp> StartAppAsync(Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder>? configure = null) =>
        new(await CreateDatabaseAsync(), configure);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
