using FlowLens.Api.Hosting;

namespace FlowLens.Api.Features.Notifications;

public static class NotificationsSetup
{
    public const string HttpClientName = "notifications";

    public static void AddFlowLensNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<NotificationsOptions>().BindConfiguration(NotificationsOptions.Section).ValidateDataAnnotations()
            .Validate(o => NotificationsOptions.ParseDelays(o.RetryDelays) is not null,
                "FlowLens:Notifications:RetryDelays is a comma-separated list of seconds, such as 30,120,600,3600 (at most 20, each at most a week).")
            .Validate(o => o.AllowedHosts.All(HostList.IsEntry), "FlowLens:Notifications:AllowedHosts holds host names or addresses, each with an optional :port.")
            .ValidateOnStart();
        builder.Services.AddOptions<PublicUrlOptions>().BindConfiguration(PublicUrlOptions.Section)
            .Validate(o => PublicUrlOptions.IsValid(o.PublicUrl), "FlowLens:PublicUrl is an absolute http or https URL, such as https://flowlens.example.org.")
            .ValidateOnStart();
        builder.Services.AddSingleton<NotifyEndpoints>();
        builder.Services.AddSingleton<ChannelStore>();
        builder.Services.AddSingleton<ChannelSender>();
        builder.Services.AddSingleton<Notifier>();
        builder.Services.AddHttpClient(HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(services => services.GetRequiredService<NotifyEndpoints>().CreateHandler())
            // Its default log lines name the URL, which is a secret (a Slack URL is its own credential).
            .RemoveAllLoggers()
            // The attempt's own timeout applies (ChannelSender); retries are the job's, not the client's.
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan);
    }
}
