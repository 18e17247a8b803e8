using FlowLens.Api.Data;

namespace FlowLens.Api.Features.Ingestion;

public static class IngestionSetup
{
    public static void AddFlowLensIngestion(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SourcesOptions>().BindConfiguration(SourcesOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.AllowedEndpoints.All(SourceEndpoints.IsEntry), "FlowLens:Sources:AllowedEndpoints holds http or https base URLs, such as http://127.0.0.1:9000.")
            .ValidateOnStart();
        builder.Services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.RollupDays >= o.Days, "FlowLens:Retention:RollupDays must be at least FlowLens:Retention:Days: rollups cannot be corrected once their flows are gone.")
            .ValidateOnStart();
        builder.Services.AddOptions<Inventory.InventoryOptions>().BindConfiguration(Inventory.InventoryOptions.Section).ValidateDataAnnotations()
            .Validate(o => Cronos.CronExpression.TryParse(o.Schedule, out _), "FlowLens:Inventory:Schedule is a cron expression of five fields, such as 0 * * * *.")
            .ValidateOnStart();
        builder.Services.AddSingleton<Inventory.InventoryStore>();
        builder.Services.AddSingleton<FlowStrings>();
        builder.Services.AddSingleton<FlowPartitions>();
        builder.Services.AddSingleton<SourceSchedules>();
        builder.Services.AddSingleton<SourceEndpoints>();
        builder.Services.AddSingleton<SourceClients>();
        builder.Services.AddScoped<CloudWatch.CloudWatchIngestion>();
        builder.Services.AddScoped<Firehose.FirehoseIngestion>();
        if (builder.Configuration.GetSection(Hosting.JobsOptions.Section).Get<Hosting.JobsOptions>()?.Worker ?? true)
        {
            // Queue sources are polled where jobs run: a web-only node neither lists nor receives.
            builder.Services.AddHostedService<Queue.S3QueueListener>();
        }
    }

    /// <summary>At start: the flow partitions of the retention window, and every source's schedule.</summary>
    public static async Task StartIngestionAsync(this WebApplication app)
    {
        await app.Services.GetRequiredService<FlowPartitions>().EnsureAsync(CancellationToken.None);
        await using var scope = app.Services.CreateAsyncScope();
        await app.Services.GetRequiredService<SourceSchedules>()
            .ApplyAllAsync(scope.ServiceProvider.GetRequiredService<FlowLensDb>(), CancellationToken.None);
    }
}
