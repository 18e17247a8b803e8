using System.Net;
using System.Net.Sockets;
using FlowLens.Api.Hosting;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Notifications;

/// <summary>
/// Where webhook and Slack deliveries may go: https to public addresses, or a host listed in
/// <c>FlowLens:Notifications:AllowedHosts</c>. The addresses are checked for every connection, after DNS, so a name
/// that resolves inside (or a rebinding DNS) is refused; redirects are not followed.
/// </summary>
public sealed class NotifyEndpoints(IOptions<NotificationsOptions> options)
{
    private readonly List<(string Host, int? Port)> _listed = [.. options.Value.AllowedHosts.Select(ParseEntry)];

    /// <summary>True for an <c>AllowedHosts</c> entry: a host name or address, with an optional <c>:port</c> (<c>[::1]:8080</c>).</summary>
    public static bool IsHostEntry(string entry) => TryParseEntry(entry, out _);

    /// <summary>Why a channel may not be saved with <paramref name="url"/>; null when it may.</summary>
    public string? Refusal(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
        {
            return "The URL must be an absolute https URL, without user information.";
        }
        return uri.Scheme == "https" || IsListed(uri.IdnHost, uri.Port)
            ? null
            : "The URL must be https (http only to a host listed in FlowLens:Notifications:AllowedHosts).";
    }

    /// <summary>A handler for deliveries: no redirects, no proxy (it would hide the host), every connection checked.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = ConnectAsync,
    };

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var (host, port) = (context.DnsEndPoint.Host, context.DnsEndPoint.Port);
        var listed = IsListed(host, port);
        if (!listed && context.InitialRequestMessage.RequestUri?.Scheme != "https")
        {
            throw new EndpointRefusedException($"{host}:{port} is not listed in FlowLens:Notifications:AllowedHosts, so only https is allowed");
        }
        return await CheckedConnect.ConnectAsync(host, port, anyAddress: listed, inside =>
            new EndpointRefusedException($"{host} resolves to {inside}, which is not a public address; list the host in FlowLens:Notifications:AllowedHosts to allow it"), ct);
    }

    private bool IsListed(string host, int port) =>
        _listed.Any(e => string.Equals(e.Host, host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase) && (e.Port is null || e.Port == port));

    private static (string Host, int? Port) ParseEntry(string entry) => TryParseEntry(entry, out var parsed) ? parsed : default;

    private static bool TryParseEntry(string entry, out (string Host, int? Port) parsed)
    {
        parsed = default;
        if (string.IsNullOrWhiteSpace(entry))
        {
            return false;
        }
        entry = entry.Trim();
        if (IPAddress.TryParse(entry, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6 && !entry.StartsWith('['))
        {
            parsed = (address.ToString(), null);
            return true;
        }
        if (!Uri.TryCreate($"http://{entry}/", UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.PathAndQuery != "/" || uri.Host.Length == 0)
        {
            return false;
        }
        // Uri cannot tell host from host:80: the entry's own text says whether a port was given.
        var hasPort = entry.StartsWith('[') ? entry.Contains("]:", StringComparison.Ordinal) : entry.Contains(':', StringComparison.Ordinal);
        parsed = (uri.IdnHost.Trim('[', ']'), hasPort ? uri.Port : null);
        return true;
    }
}
