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
            // Without a key, an unknown path answers 401 like a known one: the API's shape is not shown to strangers.
            .RequireAuthorization(Auth.Policies.Viewer)
            .ExcludeFromDescription();
        app.MapFallbackToFile("index.html").AllowAnonymous();
    }
}
