using System.Globalization;
using System.Text;
using System.Text.Json;
using FlowLens.Api.Tests.Infrastructure;
using MimeKit;

namespace FlowLens.Api.Tests.Features.Notifications;

/// <summary>
/// A real SMTP server (npm smtp-server, installed in backend/tests/smtp-server by deploy/local/test.sh) on a free
/// loopback port; with a user and password it requires AUTH. Each message it accepts is read back with <see cref="MessagesAsync"/>.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly NodeServer _node;
    private readonly string _out;

    private SmtpTestServer(NodeServer node, string output, int port) => (_node, _out, Port) = (node, output, port);

    public int Port { get; }

    /// <summary>What the server printed, for failure messages.</summary>
    public string Log => string.Join('\n', _node.Lines);

    public sealed record Received(string From, IReadOnlyList<string> To, string? User, MimeMessage Message);

    public static async Task<SmtpTestServer> StartAsync(string? user = null, string? password = null)
    {
        var output = Path.Combine(Directory.CreateTempSubdirectory("flowlens-smtp").FullName, "messages.jsonl");
        var port = LoopbackPort.Free();
        List<string> args = [NodeServer.Find("smtp-server", "node_modules/smtp-server/package.json", "server.js"), port.ToString(CultureInfo.InvariantCulture), output];
        if (user is not null)
        {
            args.AddRange([user, password ?? ""]);
        }
        try
        {
            return new SmtpTestServer(await NodeServer.StartAsync("smtp-server", port, args), output, port);
        }
        catch
        {
            Directory.Delete(Path.GetDirectoryName(output)!, recursive: true);
            throw;
        }
    }

    public async Task<List<Received>> MessagesAsync()
    {
        if (!File.Exists(_out))
        {
            return [];
        }
        var list = new List<Received>();
        foreach (var line in await File.ReadAllLinesAsync(_out))
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            var message = await MimeMessage.LoadAsync(new MemoryStream(Encoding.UTF8.GetBytes(root.GetProperty("raw").GetString()!)));
            list.Add(new Received(root.GetProperty("from").GetString()!, [.. root.GetProperty("to").EnumerateArray().Select(t => t.GetString()!)],
                root.GetProperty("user").ValueKind == JsonValueKind.Null ? null : root.GetProperty("user").GetString(), message));
        }
        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_out)!, recursive: true);
    }
}
