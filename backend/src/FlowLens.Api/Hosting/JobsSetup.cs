using System.ComponentModel.DataAnnotations;
using FlowLens.Api.Features.Auth;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;

namespace FlowLens.Api.Hosting;

/// <summary>Background jobs (<c>FlowLens:Jobs</c>).</summary>
public sealed class JobsOptions
{
    public const string Section = "FlowLens:Jobs";

    /// <summary>Run the Hangfire server (the ingestion worker) in this process; false makes a web-only node.</summary>
    public bool Worker { get; set; } = true;

    /// <summary>
    /// How many jobs this process runs at once. Twice the cores: a worker loading an object also waits for PostgreSQL
    /// (the COPY's end, the summaries, the commit's flush): with one worker a core, those waits left the cores idle a
    /// sixth of the time in the ingest benchmark.
    /// </summary>
    [Range(1, 256)]
    public int WorkerCount { get; set; } = Math.Max(4, 2 * Environment.ProcessorCount);
}

public static class JobsSetup
{
    /// <summary>Hangfire's tables live in this schema of the FlowLens database.</summary>
    public const string SchemaName = "hangfire";

    /// <summary>Hangfire on PostgreSQL, in its own <c>hangfire</c> schema of the FlowLens database.</summary>
    public static void AddFlowLensJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var connectionString = builder.Configuration.GetConnectionString("FlowLens");

        // The storage is ours, not Hangfire's global JobStorage.Current, so that hosts sharing a process (tests)
        // each keep their own database.
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = SchemaName,
            // Installed at start in the migrations' turn (InstallJobsSchemaAsync), not by each storage as it is made.
            PrepareSchemaIfNecessary = false,
            // Idle workers poll four times a second: a sync enqueues its objects at once, and with a poll a second the
            // idle workers started on them up to a second late (a fifth of a 5-second load of 1M records left a core
            // idle; the ingest benchmark's "cores busy"). Four cheap queries a second per idle worker. Not LISTEN/NOTIFY
            // (EnableLongPolling): when its listener fails, the job the worker has just fetched is dropped, marked
            // fetched yet never run, until the invisibility timeout.
            QueuePollInterval = TimeSpan.FromMilliseconds(250),
            // A fetched job that no worker runs (its worker died, or lost it) is run again after 5 minutes; a job
            // running longer keeps its claim fresh, so a second worker does not start it too.
            InvisibilityTimeout = TimeSpan.FromMinutes(5),
            UseSlidingInvisibilityTimeout = true,
        };
        builder.Services.AddSingleton<JobStorage>(_ =>
            new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString!, storageOptions), storageOptions));
        builder.Services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());

        if (options.Worker)
        {
            builder.Services.AddHangfireServer((services, server) =>
            {
                server.WorkerCount = options.WorkerCount;
                // Hangfire's default activator is process-global; jobs must come from this host's services.
                server.Activator = new ScopedJobActivator(services.GetRequiredService<IServiceScopeFactory>());
            });
        }
    }

    /// <summary>
    /// Creates or upgrades Hangfire's tables. Called at start in the migrations' turn (DatabaseSetup), one node at a
    /// time: Hangfire's installer takes no lock of its own, and nodes running it at once trip over each other's
    /// scripts (a serialization failure, or "invalid input syntax for type json" from the one that makes text columns
    /// jsonb). On tables of the current version it only reads the version.
    /// </summary>
    public static async Task InstallJobsSchemaAsync(this WebApplication app)
    {
        // Made first, so that the installer logs through the app's logging like the rest of Hangfire.
        app.Services.GetRequiredService<IGlobalConfiguration>();
        await using var connection = await app.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        PostgreSqlObjectsInstaller.Install(connection, SchemaName);
    }

    /// <summary>The Hangfire dashboard at /hangfire, for admins only.</summary>
    public static void MapJobsDashboard(this WebApplication app)
    {
        // Hangfire's own filter allows local requests only; the admin policy replaces it.
        app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [], AppPath = "/", DashboardTitle = "FlowLens jobs" })
            .RequireAuthorization(Policies.Admin);
    }
}

/// <summary>Creates each job in a DI scope of this host (Hangfire's own default is shared by the whole process).</summary>
internal sealed class ScopedJobActivator(IServiceScopeFactory scopes) : JobActivator
{
    public override JobActivatorScope BeginScope(JobActivatorContext context) => new Scope(scopes.CreateAsyncScope());

    private sealed class Scope(AsyncServiceScope scope) : JobActivatorScope
    {
        public override object Resolve(Type type) => ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, type);

        public override void DisposeScope() => scope.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
