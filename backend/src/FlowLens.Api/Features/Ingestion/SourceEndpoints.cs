using System.Text.RegularExpressions;
using FlowLens.Api.Hosting;
using Microsoft.Extensions.Options;

namespace FlowLens.Api.Features.Ingestion;

/// <summary>
/// Where a source's requests may go: AWS's own domains at public addresses, and the endpoints listed in
/// <c>FlowLens:Sources:AllowedEndpoints</c>. Checked when a source is saved, and again for every connection after
/// DNS (<see cref="ConnectAsync"/>), so neither a name that resolves elsewhere later nor a redirect reaches inside.
/// </summary>
public sealed partial class SourceEndpoints(IOptions<SourcesOptions> options)
{
    private static readonly string[] AwsDomains = ["amazonaws.com", "amazonaws.com.cn", "api.aws"];

    private readonly List<(Uri Url, bool AnyPort)> _listed = [.. options.Value.AllowedEndpoints.Select(e => (new Uri(e), !HasPort(e)))];

    /// <summary>True for an AWS region name such as <c>eu-west-1</c>; anything else must never reach a host name.</summary>
    public static bool IsRegion(string? region) => region is not null && RegionPattern().IsMatch(region);

    /// <summary>True for an entry of <c>AllowedEndpoints</c>: an http or https base URL without user information.</summary>
    public static bool IsEntry(string entry) =>
        Uri.TryCreate(entry, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.UserInfo.Length == 0;

    /// <summary>Why a source may not send requests to <paramref name="serviceUrl"/>; null when it may.</summary>
    public string? Refusal(string serviceUrl)
    {
        if (!IsEntry(serviceUrl))
        {
            return "The service URL must be an absolute http or https URL, without user information.";
        }
        var uri = new Uri(serviceUrl);
        return IsAws(uri.IdnHost) || _listed.Any(e => e.Url.Scheme == uri.Scheme && Matches(e, uri.IdnHost, uri.Port))
            ? null
            : "The service URL must be an AWS endpoint or one listed in FlowLens:Sources:AllowedEndpoints.";
    }

    /// <summary>A handler for source requests: no redirects, no proxy (it would hide the host), every connection checked.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = ConnectAsync,
    };

    /// <summary>
    /// Connects to a listed endpoint, or to an AWS host whose every address is public; the addresses checked are
    /// the ones connected to, so DNS cannot answer differently in between.
    /// </summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var (host, port) = (context.DnsEndPoint.Host, context.DnsEndPoint.Port);
        var listed = _listed.Any(e => Matches(e, host, port));
        if (!listed && !IsAws(host))
        {
            throw new EndpointRefusedException($"{host}:{port} is neither an AWS endpoint nor listed in FlowLens:Sources:AllowedEndpoints");
        }
        return await CheckedConnect.ConnectAsync(host, port, anyAddress: listed, inside =>
            new EndpointRefusedException($"{host} resolves to {inside}, which is not a public address; list the endpoint in FlowLens:Sources:AllowedEndpoints to allow it"), ct);
    }

    private static bool IsAws(string host)
    {
        var name = host.TrimEnd('.');
        return AwsDomains.Any(d => name.EndsWith("." + d, StringComparison.OrdinalIgnoreCase));
    }

    private static bool Matches((Uri Url, bool AnyPort) entry, string host, int port) =>
        string.Equals(entry.Url.IdnHost, host, StringComparison.OrdinalIgnoreCase) && (entry.AnyPort || entry.Url.Port == port);

    // An entry without a port (http://127.0.0.1) allows every port of its host; Uri itself cannot tell them apart.
    private static bool HasPort(string entry) => ExplicitPort().IsMatch(entry);

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*:\d+(?:[/?#]|$)")]
    private static partial Regex ExplicitPort();
}

