using Serilog;
using Serilog.Events;
using Serilog.Filters;
using Serilog.Formatting.Compact;

namespace FlowLens.Api.Hosting;

public static class LoggingSetup
{
    /// <summary>
    /// The Data Protection key store writes each key it reads, secret and all, at Debug level: those lines are
    /// dropped whatever level the configuration asks for, so the key behind the sign-in cookies never reaches a log.
    /// </summary>
    private static readonly Func<LogEvent, bool> FromKeyStore = Matching.FromSource("Microsoft.AspNetCore.DataProtection.EntityFrameworkCore");

    /// <summary>Structured JSON logs on the console; levels come from the <c>Serilog</c> configuration section.</summary>
    public static void AddFlowLensLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, log) => log
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .Filter.ByExcluding(e => e.Level < LogEventLevel.Information && FromKeyStore(e))
            .WriteTo.Console(new RenderedCompactJsonFormatter()));
    }
}
