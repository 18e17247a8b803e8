using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Threading.RateLimiting;
using FlowLens.Api.Features.Auth;
using FlowLens.Api.Queries;

namespace FlowLens.Api.Hosting;

/// <summary>Request limits and cross-origin access (<c>FlowLens:Security</c>).</summary>
public sealed class SecurityOptions
{
    public const string Section = "FlowLens:Security";

    /// <summary>Requests per minute for one API key (or, without a valid key, one client address).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000_000)]
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>Sign-in attempts per minute from one client address.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int SignInsPerMinute { get; set; } = 10;

    /// <summary>Origins allowed to call the API from a browser (CORS); none: no cross-origin calls.</summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>The reverse proxies (TLS terminators) whose X-Forwarded-For and X-Forwarded-Proto FlowLens believes.</summary>
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();
}

/// <summary>Trusted proxies (<c>FlowLens:Security:ForwardedHeaders</c>); none: the headers are ignored from everyone.</summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Addresses of trusted proxies (<c>10.0.0.5</c>).</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies, in CIDR notation (<c>10.0.0.0/8</c>).</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many trusted proxies in a row a request may pass (entries of X-Forwarded-For read from the right).</summary>
    public int ForwardLimit { get; set; } = 1;
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
        builder.Services.AddOptions<SecurityOptions>().BindConfiguration(SecurityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var options = builder.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>() ?? new SecurityOptions();
        // Per key, person or address: windows of a UTC minute, so every answer can say what remains and when it renews.
        var perCaller = new CallerRateLimit(PartitionedRateLimiter.Create<HttpContext, string>(context =>
            RateLimitPartition.Get(CallerOf(context), _ => new MinuteRateLimiter(options.RequestsPerMinute, TimeProvider.System))), options.RequestsPerMinute);
        builder.Services.AddSingleton(perCaller);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(perCaller.Limiter, QueryLimits.Create());
            // Guessing passwords: ten sign-ins a minute per client address (lockout stops it per account).
            limiter.AddPolicy(SignInApi.SignInRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = options.SignInsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            limiter.OnRejected = async (rejected, ct) =>
            {
                var http = rejected.HttpContext;
                // A window has a time to wait; a concurrency limit has not: a few seconds, for a query to finish.
                var window = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait);
                int? seconds = window ? (int)Math.Ceiling(wait.TotalSeconds) : null;
                http.Response.Headers.RetryAfter = (seconds ?? ConcurrencyRetrySeconds).ToString(CultureInfo.InvariantCulture);
                SetRateLimitHeaders(http, perCaller, seconds);
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

    /// <summary>
    /// Behind trusted proxies, the client's address and scheme from X-Forwarded-For/-Proto: the rate limits, the audit
    /// log and the Secure cookie then see the real client. Without a trusted proxy the headers are ignored (the
    /// middleware would otherwise believe anyone), so no client can choose its address to dodge a limit.
    /// </summary>
    public static void UseFlowLensForwardedHeaders(this WebApplication app)
    {
        var settings = app.Configuration.GetSection(SecurityOptions.Section).Get<SecurityOptions>()?.ForwardedHeaders ?? new ForwardedHeadersSettings();
        // Blank entries are unset ones (docker-compose's ${VARIABLE:-}).
        settings.KnownProxies.RemoveAll(string.IsNullOrWhiteSpace);
        settings.KnownNetworks.RemoveAll(string.IsNullOrWhiteSpace);
        if (settings.KnownProxies.Count == 0 && settings.KnownNetworks.Count == 0)
        {
            return;
        }
        if (settings.ForwardLimit is < 1 or > 20)
        {
            throw new InvalidOperationException($"{SecurityOptions.Section}:ForwardedHeaders:ForwardLimit must be between 1 and 20.");
        }
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto,
            ForwardLimit = settings.ForwardLimit,
        };
        // The defaults trust loopback; only what is configured is trusted.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in settings.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address) ? address
                : throw new InvalidOperationException($"{SecurityOptions.Section}:ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address."));
        }
        foreach (var network in settings.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed) ? parsed
                : throw new InvalidOperationException($"{SecurityOptions.Section}:ForwardedHeaders:KnownNetworks: '{network}' is not a network in CIDR notation (10.0.0.0/8)."));
        }
        app.UseForwardedHeaders(options);
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

    /// <summary>
    /// Tells every API caller its limit (IETF <c>RateLimit-Policy</c>: the requests a 60-second window allows) and what is left
    /// of it (<c>RateLimit</c>: remaining, and seconds until it renews), after the rate limiter took this request.
    /// </summary>
    public static void UseFlowLensRateLimitHeaders(this WebApplication app)
    {
        var limit = app.Services.GetRequiredService<CallerRateLimit>();
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                SetRateLimitHeaders(context, limit);
            }
            return next(context);
        });
    }

    /// <summary>The RateLimit headers; <paramref name="secondsToReset"/> as a refusal's Retry-After says it, else from the clock.</summary>
    private static void SetRateLimitHeaders(HttpContext context, CallerRateLimit limit, int? secondsToReset = null)
    {
        var remaining = Math.Max(0, limit.Limiter.GetStatistics(context)?.CurrentAvailablePermits ?? 0);
        context.Response.Headers["RateLimit-Policy"] = $"\"per-caller\";q={limit.PerMinute};w=60";
        context.Response.Headers["RateLimit"] = $"\"per-caller\";r={remaining};t={secondsToReset ?? MinuteRateLimiter.SecondsToReset(DateTimeOffset.UtcNow)}";
    }

    /// <summary>The key's id or the person's after authentication; otherwise the client address (failed keys count there).</summary>
    public static string CallerOf(HttpContext context) =>
        context.User.FindFirstValue(ApiKeyAuthentication.KeyIdClaim) is { } key ? "key:" + key
        : context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } user ? "user:" + user
        : "ip:" + (context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}

/// <summary>The per-caller limiter of every request (<see cref="SecuritySetup.CallerOf"/>), for the RateLimit headers.</summary>
public sealed record CallerRateLimit(PartitionedRateLimiter<HttpContext> Limiter, int PerMinute);
