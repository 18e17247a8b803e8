using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace FlowLens.Api.Features.Notifications;

/// <summary>Notifications (<c>FlowLens:Notifications</c>, docs/notifications.md).</summary>
public sealed class NotificationsOptions
{
    public const string Section = "FlowLens:Notifications";

    /// <summary>
    /// Hosts that webhook and Slack URLs may name although they are not public, or over http: <c>127.0.0.1</c>,
    /// <c>hooks.internal:8443</c> (without a port: every port).
    /// </summary>
    public string[] AllowedHosts { get; set; } = [];

    /// <summary>Seconds to wait before each retry of a failed delivery, comma-separated; after the last, it gives up.</summary>
    public string RetryDelays { get; set; } = "30,120,600,3600";

    /// <summary>How long one attempt (connect, send, answer) may take.</summary>
    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 15;

    /// <summary>The retry delays, or null when <see cref="RetryDelays"/> is not a list of non-negative whole seconds.</summary>
    public static IReadOnlyList<TimeSpan>? ParseDelays(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        var delays = new List<TimeSpan>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 7 * 86400)
            {
                return null;
            }
            delays.Add(TimeSpan.FromSeconds(seconds));
        }
        return delays.Count <= 20 ? delays : null;
    }

    public IReadOnlyList<TimeSpan> Delays => ParseDelays(RetryDelays) ?? [];
}

/// <summary>Where the dashboard is reached (<c>FlowLens:PublicUrl</c>), for links in notifications.</summary>
public sealed class PublicUrlOptions
{
    public const string Section = "FlowLens";

    /// <summary>The dashboard's absolute http(s) base URL, e.g. <c>https://flowlens.example.org</c>; unset, links are relative paths.</summary>
    public string? PublicUrl { get; set; }

    public static bool IsValid(string? url) =>
        string.IsNullOrEmpty(url) || (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0
            && uri.Query.Length == 0 && uri.Fragment.Length == 0);

    /// <summary>The dashboard page of a finding: absolute under <see cref="PublicUrl"/>, else the path alone.</summary>
    public string FindingLink(long findingId) => $"{(PublicUrl ?? "").TrimEnd('/')}/findings/{findingId}";

    public bool IsAbsolute => !string.IsNullOrEmpty(PublicUrl);
}
