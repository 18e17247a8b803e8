using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Features.Frontend;

[Slow]
public sealed partial class PublishTests(PostgresFixture postgres) : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("flowlens-publish").FullName;

    [Fact]
    public async Task PlainPublish_ShipsTheDashboard_ServedAtRoot()
    {
        var ct = TestContext.Current.CancellationToken;
        // For real: the publish target runs npm ci (when needed) and the frontend build itself. About 10 minutes on
        // 2 cores shared by five builds: the bound only stops a hang.
        var publish = await RunAsync("dotnet", ["publish", Repository.PathOf("backend/src/FlowLens.Api"), "-c", "Release", "-o", _output, "--nologo"],
            TimeSpan.FromMinutes(20));
        Assert.True(publish.ExitCode == 0, publish.Output);

        await using var node = await FlowLensProcess.StartAsync(await postgres.CreateDatabaseAsync(), _output, publishedDirectory: _output);
        using var http = new HttpClient { BaseAddress = new Uri(node.Url) };
        var root = await http.GetAsync("/", ct);
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        var html = await root.Content.ReadAsStringAsync(ct);
        Assert.Contains("<div id=\"root\">", html);

        var script = HashedScript().Match(html);
        Assert.True(script.Success, html);
        var asset = await http.GetAsync(script.Value, ct);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new FileInfo(Path.Combine(_output, "wwwroot", script.Value.TrimStart('/'))).Length, (await asset.Content.ReadAsByteArrayAsync(ct)).Length);
    }

    /// <summary>Runs a command to its end, or kills it after <paramref name="timeout"/>; returns its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string command, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"{command} took longer than {timeout}:\n{await output}\n{await error}");
        }
        return (process.ExitCode, $"{await output}\n{await error}");
    }

    [GeneratedRegex("/assets/index-[A-Za-z0-9_-]{8}\\.js")]
    private static partial Regex HashedScript();

    public void Dispose() => Directory.Delete(_output, recursive: true);
}
