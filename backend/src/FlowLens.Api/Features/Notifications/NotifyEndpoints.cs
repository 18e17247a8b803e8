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
    private readonly HostList _listed = new(options.Value.AllowedHosts);

    /// <summary>Why a channel may not be saved with <paramref name="url"/>; null when it may.</summary>
    public string? Refusal(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
        {
            return "The URL must be an absolute https URL, without user information.";
        }
        return uri.Scheme == "https" || _listed.Contains(uri.IdnHost, uri.Port)
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
        var listed = _listed.Contains(host, port);
        if (!listed && context.InitialRequestMessage.RequestUri?.Scheme != "https")
        {
            throw new EndpointRefusedException($"{host}:{port} is not listed in FlowLens:Notifications:AllowedHosts, so only https is allowed");
        }
        return await CheckedConnect.ConnectAsync(host, port, anyAddress: listed, inside =>
            new EndpointRefusedException($"{host} resolves to {inside}, which is not a public address; list the host in FlowLens:Notifications:AllowedHosts to allow it"), ct);
    }
}
