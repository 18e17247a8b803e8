namespace FlowLens.Api.Features.Frontend;

/// <summary>Serves the built React app (wwwroot) at / and its client-side routes; unknown /api paths stay 404.</summary>
public static class FrontendFiles
{
    public static void UseFrontendFiles(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles();
    }

    public static void MapFrontendFallback(this WebApplication app)
    {
        app.MapFallback("/api/{**path}", () => TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "No API endpoint has this path."))
            .ExcludeFromDescription();
        app.MapFallbackToFile("index.html").AllowAnonymous();
    }
}
