using System.Net.Http.Json;
using FlowLens.Api.Data;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Ingestion;
using FlowLens.Api.Features.Sources;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>The real FlowLens host, in process, on the given database, with a known bootstrap admin key.</summary>
public sealed class FlowLensApp(string connectionString, Action<IWebHostBuilder>? configure = null) : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-bootstrap-admin-key-0123456789";

    public string ConnectionString { get; } = connectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // As deployed: no development-only behaviour (such as serving the project's own wwwroot as static web assets).
        builder.UseEnvironment("Production");
        builder.UseSetting("ConnectionStrings:FlowLens", ConnectionString);
        builder.UseSetting("FlowLens:Auth:BootstrapAdminKey", AdminKey);
        builder.UseSetting("FlowLens:Jobs:Worker", "false");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        // Tests call fast; the limit itself is tested with a low value of its own.
        builder.UseSetting("FlowLens:Security:RequestsPerMinute", "100000");
        // The AWS emulators listen on loopback ports of their own.
        builder.UseSetting("FlowLens:Sources:AllowedEndpoints:0", "http://127.0.0.1");
        // Tests of the top summaries run on small data, which would be answered exactly from the raw flows (one test checks that).
        builder.UseSetting("FlowLens:Rollups:ExactTopRecords", "0");
        configure?.Invoke(builder);
    }

    /// <summary>A client that sends <paramref name="apiKey"/> in X-Api-Key (none when null).</summary>
    public HttpClient CreateClient(string? apiKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add(ApiKeyAuthentication.HeaderName, apiKey);
        }
        return client;
    }

    /// <summary>Stores a new API key with the given role and returns its secret.</summary>
    public async Task<string> CreateApiKeyAsync(string role, DateTimeOffset? expiresAt = null, bool revoked = false)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlowLensDb>();
        var secret = ApiKey.NewSecret();
        var key = ApiKey.For(secret, $"test {role}", role, DateTimeOffset.UtcNow);
        key.ExpiresAt = expiresAt;
        key.RevokedAt = revoked ? DateTimeOffset.UtcNow : null;
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        return secret;
    }

    /// <summary>One whole run of a source, as the worker would do it: the sync job, then each object's job.</summary>
    public async Task IngestAsync(long sourceId)
    {
        await RunJobAsync<SyncJob>(job => job.RunAsync(sourceId, false, CancellationToken.None));
        List<long> pending;
        await using (var scope = Services.CreateAsyncScope())
        {
            pending = await scope.ServiceProvider.GetRequiredService<FlowLensDb>().SourceObjects
                .Where(o => o.SourceId == sourceId && o.State == ObjectStates.Pending).Select(o => o.Id).ToListAsync();
        }
        foreach (var id in pending)
        {
            await RunJobAsync<IngestObjectJob>(job => job.RunAsync(id, CancellationToken.None));
        }
    }

    /// <summary>Runs a job's method in a scope of its own, as Hangfire would.</summary>
    public async Task RunJobAsync<TJob>(Func<TJob, Task> run) where TJob : notnull
    {
        await using var scope = Services.CreateAsyncScope();
        await run(ActivatorUtilities.CreateInstance<TJob>(scope.ServiceProvider));
    }

    /// <summary>A single value from SQL on the app's database.</summary>
    public Task<T> ScalarAsync<T>(string sql, params object[] parameters) => Sql.ScalarAsync<T>(ConnectionString, sql, parameters);

    /// <summary>0 when the rollups hold exactly the stored flows (see <see cref="Sql.RollupMismatchesAsync"/>).</summary>
    public Task<long> RollupMismatchesAsync() => Sql.RollupMismatchesAsync(ConnectionString);

    public async Task<SourcesApi.SourceResponse> GetSourceAsync(long id) =>
        (await CreateClient(AdminKey).GetFromJsonAsync<SourcesApi.SourceResponse>($"/api/sources/{id}"))!;
}
