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

    /// <summary>Waits (10 seconds at most) until something accepts connections on the loopback port; false if nothing did.</summary>
    public static async Task<bool> WaitForListenerAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        return false;
    }
}
