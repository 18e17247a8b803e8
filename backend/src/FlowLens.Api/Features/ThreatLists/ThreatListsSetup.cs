using FlowLens.Api.Hosting;

namespace FlowLens.Api.Features.ThreatLists;

public static class ThreatListsSetup
{
    public static void AddFlowLensThreatLists(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ThreatListsOptions>().BindConfiguration(ThreatListsOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.AllowedHosts.All(HostList.IsEntry), "FlowLens:ThreatLists:AllowedHosts holds host names or addresses, with a port or not (mirror.internal, 127.0.0.1:8080).")
            .Validate(o => Cronos.CronExpression.TryParse(o.Schedule, out _), "FlowLens:ThreatLists:Schedule is a cron expression of 5 fields (UTC).")
            .ValidateOnStart();
        builder.Services.AddSingleton<ThreatListStore>();
        builder.Services.AddSingleton<ThreatListEndpoints>();
        builder.Services.AddSingleton<ThreatListSchedules>();
        builder.Services.AddTransient<ThreatListFetcher>();
        builder.Services.AddTransient<ThreatListRefreshJob>();
        builder.Services.AddHttpClient(ThreatListFetcher.HttpClientName, (services, client) =>
                client.Timeout = TimeSpan.FromSeconds(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ThreatListsOptions>>().Value.FetchTimeoutSeconds))
            .ConfigurePrimaryHttpMessageHandler(services => services.GetRequiredService<ThreatListEndpoints>().CreateHandler());
    }

    /// <summary>At start: each list's refresh job in step with the database (a list with a URL and enabled has one).</summary>
    public static async Task StartThreatListsAsync(this WebApplication app)
    {
        var schedules = app.Services.GetRequiredService<ThreatListSchedules>();
        var lists = await ThreatListsApi.ListThreatLists(app.Services.GetRequiredService<Npgsql.NpgsqlDataSource>(), CancellationToken.None);
        foreach (var list in lists.Value!)
        {
            schedules.Apply(list);
        }
    }
}
