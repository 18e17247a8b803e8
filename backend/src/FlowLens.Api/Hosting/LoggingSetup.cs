using Serilog;
using Serilog.Formatting.Compact;

namespace FlowLens.Api.Hosting;

public static class LoggingSetup
{
    /// <summary>Structured JSON logs on the console; levels come from the <c>Serilog</c> configuration section.</summary>
    public static void AddFlowLensLogging(this WebApplicationBuilder builder)
    {
        builder.Services.AddSerilog((services, log) => log
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .WriteTo.Console(new RenderedCompactJsonFormatter()));
    }
}
