namespace FlowLens.Api.Features.Context;

public static class ContextSetup
{
    public static void AddFlowLensContext(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EnrichmentOptions>().BindConfiguration(EnrichmentOptions.Section).ValidateDataAnnotations()
            .Validate(o => EnrichmentOptions.IsHttpUrl(o.AwsIpRangesUrl), "FlowLens:Enrichment:AwsIpRangesUrl is an http or https URL.")
            .ValidateOnStart();
        builder.Services.AddSingleton<GeoDatabases>();
        builder.Services.AddSingleton<AddressContext>();
        builder.Services.AddSingleton<InventoryLookup>();
        builder.Services.AddSingleton<AddressDescriber>();
        builder.Services.AddSingleton<AwsIpRangesStore>();
        builder.Services.AddHostedService<AddressContextRefresher>();
        // The refresh goes to the configured URL and nowhere else: no redirects.
        builder.Services.AddHttpClient(AwsIpRangesJob.HttpClientName, client => client.Timeout = TimeSpan.FromMinutes(2))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
    }

    /// <summary>At start: the .mmdb files opened (a warning for each that cannot be).</summary>
    public static void StartContext(this WebApplication app) => app.Services.GetRequiredService<GeoDatabases>();
}
