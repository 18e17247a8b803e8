namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>A FlowLens host on a migrated database without flows (with the bootstrap admin person), shared by a test class.</summary>
public sealed class EmptyApp(PostgresFixture postgres) : IAsyncLifetime
{
    public FlowLensApp App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        App = await postgres.StartAppAsync(builder =>
        {
            People.WithBootstrapAdmin(builder);
            builder.UseSetting("FlowLens:Security:SignInsPerMinute", "10000"); // tests sign in often; the limit has tests of its own
        });
        _ = App.Services; // starts the host, which migrates the database
    }

    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}
