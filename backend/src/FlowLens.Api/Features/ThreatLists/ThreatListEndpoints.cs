using System.Net;
using FlowLens.Api.Hosting;
using FlowLens.Core.Context;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.ThreatLists;

/// <summary>
/// Where a list may be fetched from: https to hosts whose every address is public, or a host listed in
/// <c>FlowLens:ThreatLists:AllowedHosts</c> (http too). Checked when a URL is saved and again for every connection
/// after DNS (<see cref="ConnectAsync"/>), so a name resolving inside later cannot reach it; redirects are not followed.
/// </summary>
public sealed class ThreatListEndpoints(IOptions<ThreatListsOptions> options)
{
    private readonly HostList _listed = new(options.Value.AllowedHosts);

    /// <summary>Why a list may not be fetched from <paramref name="url"/>; null when it may.</summary>
    public string? Refusal(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
        {
            return "The URL must be an absolute https URL, without user information.";
        }
        if (_listed.Contains(uri.IdnHost, uri.Port))
        {
            return null;
        }
        if (uri.Scheme != "https")
        {
            return "The URL must be https (http only to a host listed in FlowLens:ThreatLists:AllowedHosts).";
        }
        var host = uri.IdnHost.Trim('[', ']');
        return IPAddress.TryParse(host, out var literal) && !PublicAddresses.IsPublic(literal)
            ? $"{host} is not a public address; list it in FlowLens:ThreatLists:AllowedHosts to allow it."
            : null;
    }

    /// <summary>A handler for list fetches: no redirects, no proxy (it would hide the host), every connection checked.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = ConnectAsync,
    };

    /// <summary>Connects to a listed host, or to a host whose every address is public: those connected to are the ones checked.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var (host, port) = (context.DnsEndPoint.Host, context.DnsEndPoint.Port);
        return await CheckedConnect.ConnectAsync(host, port, anyAddress: _listed.Contains(host, port), inside =>
            new EndpointRefusedException($"{host} resolves to {inside}, which is not a public address; list the host in FlowLens:ThreatLists:AllowedHosts to allow it"), ct);
    }
}
