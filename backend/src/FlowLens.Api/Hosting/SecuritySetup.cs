using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Features.Queries;
using Microsoft.AspNetCore.RateLimiting;

namespace FlowLens.Api.Hosting;

/// <summary>Request limits and cross-origin access (<c>FlowLens:Security</c>).</summary>
public sealed class SecurityOptions
{
    public const string Section = "FlowLens:Security";

    /// <summary>Requests per minute for one API key (or, without a valid key, one client address).</summary>
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>Sign-in attempts per minute from one client address.</summary>
    public int SignInsPerMinute { get; set; } = 10;

    /// <summary>Origins allowed to call the API from a browser (CORS); none: no cross-origin calls.</summary>
    public List<string> CorsOrigins { get; set; } = [];
}

public static class SecuritySetup
{
    private const int ConcurrencyRetrySeconds = 5;

    // The SPA loads only its own files; the API answers JSON. Nothing may frame FlowLens.
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Rate limiting per key or address (429 with Retry-After), and CORS only for configured origins.</summary>
    public static void AddFlowLensSecurity(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    RateLimitPartition.GetFixedWindowLimiter(CallerOf(context), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = options.RequestsPerMinute,
                        Window = TimeSpan.FromMinutes(1),
                        QueueLimit = 0,
                    })),
                QueryLimits.Create());
            // Guessing passwords: ten sign-ins a minute per client address (lockout stops it per account).
            limiter.AddPolicy(SignInApi.SignInRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.SignInsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.OnRejected = async (rejected, ct) =>
            {
                var http = rejected.HttpContext;
                // A window has a time to wait; a concurrency limit has not: a few seconds, for a query to finish.
                var window = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait);
                http.Response.Headers.RetryAfter = (window ? Math.Ceiling(wait.TotalSeconds) : ConcurrencyRetrySeconds).ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(http, StatusCodes.Status429TooManyRequests, "Too many requests", window
                    ? "Too many requests from this key, person or address; retry after the Retry-After seconds."
                    : "Too many queries or exports at once from this key, person or address (or exports from everyone); retry when one has finished.");
            };
        });
        if (options.CorsOrigins.Count > 0)
        {
            builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
                .WithOrigins([.. options.CorsOrigins]).WithHeaders(ApiKeyAuthentication.HeaderName, "Content-Type", "Accept").AllowAnyMethod()));
        }
    }

    /// <summary>Security headers on every response; CORS when configured.</summary>
    public static void UseFlowLensSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            // Swagger UI and the Hangfire dashboard bring their own inline scripts: only framing is forbidden there.
            var path = context.Request.Path;
            headers.ContentSecurityPolicy = path.StartsWithSegments("/swagger") || path.StartsWithSegments("/hangfire")
                ? "frame-ancestors 'none'"
                : ContentSecurityPolicy;
            return next(context);
        });
        if (app.Services.GetService<Microsoft.AspNetCore.Cors.Infrastructure.ICorsService>() is not null)
        {
            app.UseCors();
        }
    }

    /// <summary>The key's id or the person's after authentication; otherwise the client address (failed keys count there).</summary>
    public static string CallerOf(HttpContext context) =>
        context.User.FindFirstValue(ApiKeyAuthentication.KeyIdClaim) is { } key ? "key:" + key
        : context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user ? "user:" + user
        : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
