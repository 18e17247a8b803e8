namespace FlowLens.Api.Features.Detections;

public static class DetectionsSetup
{
    public static void AddFlowLensDetections(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DetectionOptions>().BindConfiguration(DetectionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<FindingNotifications>();
        builder.Services.AddSingleton<DigestRules>();
    }

    public static void MapDetections(this IEndpointRouteBuilder app)
    {
        app.MapRules();
        app.MapFindings();
    }
}
