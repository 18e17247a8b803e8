namespace FlowLens.Api.Features.Stats;

public static class StatsSetup
{
    public static void AddFlowLensStats(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<RollupOptions>().BindConfiguration(RollupOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<CompactionQueue>();
    }
}
