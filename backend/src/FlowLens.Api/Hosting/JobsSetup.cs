using System.ComponentModel.DataAnnotations;
using FlowLens.Api.Features.Auth;
using Hangfire;
using Hangfire.PostgreSql;

namespace FlowLens.Api.Hosting;

/// <summary>Background jobs (<c>FlowLens:Jobs</c>).</summary>
public sealed class JobsOptions
{
    public const string Section = "FlowLens:Jobs";

    /// <summary>Run the Hangfire server (the ingestion worker) in this process; false makes a web-only node.</summary>
    public bool Worker { get; set; } = true;

    /// <summary>How many jobs this process runs at once.</summary>
    [Range(1, 256)]
    public int WorkerCount { get; set; } = Math.Max(2, Environment.ProcessorCount);
}

public static class JobsSetup
{
    /// <summary>Hangfire on PostgreSQL, in its own <c>hangfire</c> schema of the FlowLens database.</summary>
    public static void AddFlowLensJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(JobsOptions.Section).Get<JobsOptions>() ?? new JobsOptions();
        var connectionString = builder.Configuration.GetConnectionString("FlowLens");

        builder.Services.AddHangfire(config => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                storage => storage.UseNpgsqlConnection(connectionString),
                new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true }));

        if (options.Worker)
        {
            builder.Services.AddHangfireServer(server => server.WorkerCount = options.WorkerCount);
        }
    }

    /// <summary>The Hangfire dashboard at /hangfire, for admins only.</summary>
    public static void MapJobsDashboard(this WebApplication app)
    {
        // Hangfire's own filter allows local requests only; the admin policy replaces it.
        app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [], AppPath = "/", DashboardTitle = "FlowLens jobs" })
            .RequireAuthorization(Policies.Admin);
    }
}
