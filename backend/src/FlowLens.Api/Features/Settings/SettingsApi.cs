using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using FlowLens.Api.Data;
using FlowLens.Api.Features.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace FlowLens.Api.Features.Settings;

/// <summary>
/// What this node runs with, for an admin checking a deployment: versions, and every FlowLens setting as bound
/// (defaults included) — secrets only as set or not, never their values.
/// </summary>
public static partial class SettingsApi
{
    public static void MapSettings(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/settings", GetSettings)
            .RequireAuthorization(Policies.Admin)
            .WithTags("Settings")
            .WithSummary("Versions, and the effective settings of the node that answers, secrets left out.");
    }

    /// <param name="FlowLens">This build's version.</param>
    /// <param name="Runtime">The .NET runtime.</param>
    /// <param name="Os">The operating system.</param>
    /// <param name="Postgres">The database server's version.</param>
    /// <param name="Schema">The last database migration applied.</param>
    /// <param name="Node">The machine (or container) that answered.</param>
    public sealed record Versions(string FlowLens, string Runtime, string Os, string Postgres, string? Schema, string Node, DateTimeOffset StartedAt);

    /// <param name="Key">As in appsettings.json, or with <c>__</c> for <c>:</c> as an environment variable.</param>
    /// <param name="Value">The effective value; for a secret, <c>set</c> or null.</param>
    /// <param name="Secret">A password, key, token or client secret: its value is never shown.</param>
    public sealed record Setting(string Key, string? Value, bool Secret);

    public sealed record SettingsResponse(Versions Versions, List<Setting> Settings);

    /// <summary>A setting whose value is a credential, by the last part of its key.</summary>
    [GeneratedRegex("(password|secret|token|credential|license|(?<!top)key)$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    internal static async Task<Ok<SettingsResponse>> GetSettings(IConfiguration configuration, FlowLensDb db, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("show server_version");
        var postgres = (string)(await command.ExecuteScalarAsync(ct))!;
        var versions = new Versions(
            typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
            RuntimeInformation.FrameworkDescription, RuntimeInformation.OSDescription, postgres,
            (await db.Database.GetAppliedMigrationsAsync(ct)).LastOrDefault(), Environment.MachineName,
            new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()));
        return TypedResults.Ok(new SettingsResponse(versions, Effective(configuration)));
    }

    /// <summary>Every options class: a type with a public <c>Section</c> constant under <c>FlowLens</c> (<c>FlowLens:PublicUrl</c> is one).</summary>
    public static IEnumerable<(Type Type, string Section)> OptionsClasses() => typeof(Program).Assembly.GetTypes()
        .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as string))
        .Where(t => t.Section is "FlowLens" || t.Section?.StartsWith("FlowLens:", StringComparison.Ordinal) == true)
        .Select(t => (t.Type, t.Section!));

    /// <summary>Each options class bound from the configuration as the app binds it, then flattened.</summary>
    public static List<Setting> Effective(IConfiguration configuration)
    {
        var settings = new List<Setting>();
        foreach (var (type, section) in OptionsClasses().Where(o => o.Type.GetConstructor(Type.EmptyTypes) is not null))
        {
            var options = Activator.CreateInstance(type)!;
            configuration.GetSection(section).Bind(options);
            Flatten(section, JsonSerializer.SerializeToNode(options, type, Json), settings);
        }
        if (configuration.GetConnectionString("FlowLens") is { } connection)
        {
            var builder = new NpgsqlConnectionStringBuilder(connection);
            var hasPassword = builder.Password is not null;
            builder.Remove("Password");
            settings.Add(new Setting("ConnectionStrings:FlowLens", builder.ToString(), false));
            settings.Add(new Setting("ConnectionStrings:FlowLens (Password)", hasPassword ? "set" : null, true));
        }
        return [.. settings.DistinctBy(s => s.Key).OrderBy(s => s.Key, StringComparer.Ordinal)];
    }

    private static void Flatten(string key, JsonNode? node, List<Setting> settings)
    {
        switch (node)
        {
            case JsonObject fields:
                foreach (var (name, value) in fields)
                {
                    Flatten($"{key}:{name}", value, settings);
                }
                break;
            case JsonArray items:
                for (var i = 0; i < items.Count; i++)
                {
                    Flatten($"{key}:{i}", items[i], settings);
                }
                break;
            default:
                var secret = SecretName().IsMatch(key);
                var text = node?.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node?.ToJsonString();
                // A URL may carry a user and password (https://user:password@host/): those are left out too.
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0)
                {
                    text = new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();
                }
                settings.Add(new Setting(key, secret ? (string.IsNullOrEmpty(text) ? null : "set") : text, secret));
                break;
        }
    }
}
