using System.Net;
using System.Net.Sockets;

namespace FlowLens.Api.Tests.Infrastructure;

public static class LoopbackPort
{
    /// <summary>A TCP port free on 127.0.0.1 right now (servers started on it may still race; callers retry).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
