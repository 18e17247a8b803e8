using System.Net;
using System.Net.Sockets;
using FlowLens.Core.Context;

namespace FlowLens.Api.Hosting;

/// <summary>
/// The last step of every outbound connection to a host someone configured (a source's endpoint, a threat list's URL,
/// a notification's webhook): the name is resolved once, its addresses checked, and exactly those connected to, so DNS
/// cannot answer differently in between. Which hosts may be named at all each feature decides before.
/// </summary>
public static class CheckedConnect
{
    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/>. Unless <paramref name="anyAddress"/> (a host the
    /// feature's settings list), every address the name resolves to must be public (<see cref="PublicAddresses"/>); the
    /// first that is not goes to <paramref name="refused"/>, whose exception is thrown.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(string host, int port, bool anyAddress, Func<IPAddress, Exception> refused, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (!anyAddress && addresses.FirstOrDefault(a => !PublicAddresses.IsPublic(a)) is { } inside)
        {
            throw refused(inside);
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A connection refused by a feature's check of the hosts it may reach (or by <see cref="CheckedConnect"/>): the message names the host and why.</summary>
public sealed class EndpointRefusedException(string message) : Exception(message);
