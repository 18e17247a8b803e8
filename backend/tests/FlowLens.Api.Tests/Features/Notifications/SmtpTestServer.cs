using System.Diagnostics;
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
    private readonly Process _process;
    private readonly string _out;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _log = new();

    private SmtpTestServer(Process process, string output, int port) => (_process, _out, Port) = (process, output, port);

    public int Port { get; }

    /// <summary>What the server printed, for failure messages.</summary>
    public string Log => string.Join('\n', _log);

    public sealed record Received(string From, IReadOnlyList<string> To, string? User, MimeMessage Message);

    public static async Task<SmtpTestServer> StartAsync(string? user = null, string? password = null)
    {
        var output = Path.Combine(Directory.CreateTempSubdirectory("flowlens-smtp").FullName, "messages.jsonl");
        var port = LoopbackPort.Free();
        List<string> args = [FindScript(), port.ToString(CultureInfo.InvariantCulture), output];
        if (user is not null)
        {
            args.AddRange([user, password ?? ""]);
        }
        var process = Process.Start(new ProcessStartInfo("node", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var server = new SmtpTestServer(process, output, port);
        process.OutputDataReceived += (_, e) => server._log.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => server._log.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await LoopbackPort.WaitForListenerAsync(port))
        {
            return server;
        }
        await server.DisposeAsync();
        throw new InvalidOperationException($"smtp-server did not start: {server.Log}");
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

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var folder = Path.Combine(dir.FullName, "backend", "tests", "smtp-server");
            if (File.Exists(Path.Combine(folder, "node_modules", "smtp-server", "package.json")))
            {
                return Path.Combine(folder, "server.js");
            }
        }
        throw new InvalidOperationException("smtp-server is not installed: run `npm ci` in backend/tests/smtp-server (deploy/local/test.sh does).");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(Path.GetDirectoryName(_out)!, recursive: true);
    }
}
