using System.Net;
using System.Net.Sockets;

namespace FlowLens.Api.Hosting;

/// <summary>
/// The hosts a setting lists as reachable though not public (<c>FlowLens:Notifications:AllowedHosts</c>,
/// <c>FlowLens:ThreatLists:AllowedHosts</c>): host names or addresses, each with an optional port
/// (<c>mirror.internal</c>, <c>127.0.0.1:8080</c>, <c>[::1]:8080</c>, <c>::1</c>). An entry without a port allows every
/// port of its host. <see cref="CheckedConnect"/> then connects to a listed host whatever its addresses.
/// </summary>
public sealed class HostList(IEnumerable<string> entries)
{
    private readonly List<(string Host, int? Port)> _entries = [.. entries.Select(e => TryParse(e, out var parsed) ? parsed
        : throw new ArgumentException($"'{e}' is not a host name or address with an optional :port", nameof(entries)))];

    /// <summary>True for an entry a setting may hold; settings are checked with it at start.</summary>
    public static bool IsEntry(string entry) => TryParse(entry, out _);

    /// <summary>Whether <paramref name="host"/> (as a URI or a connection names it: <c>[::1]</c>, <c>name.</c>) is listed for <paramref name="port"/>.</summary>
    public bool Contains(string host, int port)
    {
        var bare = Bare(host);
        return _entries.Any(e => string.Equals(e.Host, bare, StringComparison.OrdinalIgnoreCase) && (e.Port is null || e.Port == port));
    }

    private static bool TryParse(string entry, out (string Host, int? Port) parsed)
    {
        parsed = default;
        if (string.IsNullOrWhiteSpace(entry))
        {
            return false;
        }
        entry = entry.Trim();
        // An IPv6 address without brackets cannot carry a port: it is the whole entry.
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
        parsed = (Bare(uri.IdnHost), hasPort ? uri.Port : null);
        return true;
    }

    private static string Bare(string host) => host.TrimStart('[').TrimEnd(']').TrimEnd('.');
}
