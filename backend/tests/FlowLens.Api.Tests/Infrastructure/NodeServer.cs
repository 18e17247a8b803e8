using System.Collections.Concurrent;
using System.Diagnostics;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// A test server from npm run by node on a loopback port (s3rver, local-aws-sqs, smtp-server): its folder under
/// backend/tests is installed by deploy/local/test.sh. Keeps what it prints; killed on dispose.
/// </summary>
public sealed class NodeServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private NodeServer(Process process) => _process = process;

    /// <summary>Every line the server printed so far, for failure messages.</summary>
    public IEnumerable<string> Lines => _lines;

    /// <summary>
    /// The file <paramref name="script"/> of the npm folder <c>backend/tests/{folder}</c>, found above the test binaries,
    /// once <paramref name="installed"/> (a path in that folder) shows <c>npm ci</c> ran there.
    /// </summary>
    public static string Find(string folder, string installed, string script)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var root = Path.Combine(dir.FullName, "backend", "tests", folder);
            if (Path.Exists(Path.Combine(root, installed)))
            {
                return Path.Combine(root, script);
            }
        }
        throw new InvalidOperationException($"{folder} is not installed: run `npm ci` in backend/tests/{folder} (deploy/local/test.sh does).");
    }

    /// <summary>Runs <c>node</c> with <paramref name="arguments"/>; throws (with what it printed) when nothing listens on <paramref name="port"/> 10 seconds on.</summary>
    public static async Task<NodeServer> StartAsync(string name, int port, IEnumerable<string> arguments)
    {
        var process = Process.Start(new ProcessStartInfo("node", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var server = new NodeServer(process);
        process.OutputDataReceived += (_, e) => server._lines.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => server._lines.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await LoopbackPort.WaitForListenerAsync(port))
        {
            return server;
        }
        await server.DisposeAsync();
        throw new InvalidOperationException($"{name} did not start: {string.Join('\n', server.Lines)}");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
