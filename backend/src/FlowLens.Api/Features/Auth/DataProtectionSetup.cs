using FlowLens.Api.Data;
using FlowLens.Api.Hosting;
using Microsoft.AspNetCore.DataProtection;

namespace FlowLens.Api.Features.Auth;

/// <summary>
/// The ASP.NET Core Data Protection key ring, which signs and encrypts the sign-in cookie, the CSRF tokens and the
/// OpenID Connect state and correlation cookies. It lives in the database (table <c>data_protection_keys</c>), so
/// every node reads what another protected and a restart signs nobody out.
/// </summary>
public static class DataProtectionSetup
{
    /// <summary>
    /// The same on every node: by default ASP.NET Core isolates apps by their content root, which need not be the
    /// same folder on two machines.
    /// </summary>
    public const string ApplicationName = "FlowLens";

    public static void AddFlowLensDataProtection(this IServiceCollection services) =>
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<FlowLensDb>();

    /// <summary>
    /// Loads the key ring before the app serves anything, making its first key when there is none, one node at a
    /// time. Left to itself, each of several nodes starting together on an empty database would make a key of its
    /// own; a node looks again for a key it does not know only in its first two minutes (then once a day), so a
    /// cookie from one would be refused by the other for up to a day.
    /// </summary>
    public static Task EnsureDataProtectionKeyAsync(this WebApplication app) =>
        app.InTurnAsync("flowlens-data-protection", () =>
        {
            // Protecting anything reads the key ring (and makes and stores its key when needed); the ring is kept.
            app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("FlowLens.Startup").Protect([1]);
            return Task.CompletedTask;
        });
}
