using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>FlowLens as a real separate process (the built FlowLens.Api.dll), for crash and multi-node tests.</summary>
public sealed class FlowLensProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _workDir;
    private readonly ConcurrentQueue<string> _log = new();

    private FlowLensProcess(Process process, string workDir, string url) => (_process, _workDir, Url) = (process, workDir, url);

    public string Url { get; }

    public int Id => _process.Id;

    public string Log => string.Join('\n', _log.TakeLast(30));

    /// <summary>Everything the process wrote to standard output and error so far.</summary>
    public string FullLog => string.Join('\n', _log);

    public static async Task<FlowLensProcess> StartAsync(string connectionString, string directoryRoot, int workers = 1, string logLevel = "Warning",
        IReadOnlyDictionary<string, string>? environment = null, string? publishedDirectory = null)
    {
        var port = LoopbackPort.Free();
        var workDir = Directory.CreateTempSubdirectory("flowlens-node").FullName;
        // A published FlowLens runs in its own folder, as deployed: its content root, with wwwroot beside it.
        var start = new ProcessStartInfo("dotnet", [Path.Combine(publishedDirectory ?? AppContext.BaseDirectory, "FlowLens.Api.dll")])
        {
            WorkingDirectory = publishedDirectory ?? workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["ConnectionStrings__FlowLens"] = connectionString,
                ["FlowLens__Auth__BootstrapAdminKey"] = FlowLensApp.AdminKey,
                ["FlowLens__Sources__DirectoryRoots__0"] = directoryRoot,
                ["FlowLens__Sources__AllowedEndpoints__0"] = "http://127.0.0.1",
                ["FlowLens__Jobs__WorkerCount"] = workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Serilog__MinimumLevel__Default"] = logLevel,
            },
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        var node = new FlowLensProcess(process, workDir, $"http://127.0.0.1:{port}");
        process.OutputDataReceived += (_, e) => node._log.Enqueue(e.Data ?? "");
        process.ErrorDataReceived += (_, e) => node._log.Enqueue(e.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient();
        // Three minutes at most: on 2 cores shared with other builds a start took longer than one.
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await http.GetAsync($"{node.Url}/api/health")).IsSuccessStatusCode)
                {
                    return node;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (process.HasExited)
            {
                break;
            }
            await Task.Delay(250);
        }
        var log = node.Log;
        await node.DisposeAsync();
        throw new InvalidOperationException($"FlowLens did not start:\n{log}");
    }

    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(Url) };
        client.DefaultRequestHeaders.Add("X-Api-Key", FlowLensApp.AdminKey);
        return client;
    }

    /// <summary>Creates a directory source, not scheduled (runs only when asked); returns its id.</summary>
    public async Task<long> CreateDirectorySourceAsync(string path)
    {
        var response = await CreateClient().PostAsJsonAsync("/api/sources",
            new { name = "shared", kind = "directory", enabled = false, directory = new { path } });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    /// <summary>Waits (five minutes at most: a loaded CI machine is slow) for the source's run to end with this many objects ingested.</summary>
    public async Task WaitUntilIdleAsync(long id, int expectedObjects)
    {
        var deadline = DateTime.UtcNow.AddSeconds(300);
        JsonElement status;
        do
        {
            await Task.Delay(250);
            status = (await CreateClient().GetFromJsonAsync<JsonElement>($"/api/sources/{id}")).GetProperty("status");
        }
        while ((status.GetProperty("objectsIngested").GetInt64() < expectedObjects || status.GetProperty("state").GetString() == "running")
               && DateTime.UtcNow < deadline);
        Assert.True(status.GetProperty("objectsIngested").GetInt64() == expectedObjects, $"{status}\n{Log}");
    }

    /// <summary>The process's resident memory now, and at its peak since start or <see cref="ResetPeakMemory"/>, in bytes.</summary>
    public (long Now, long Peak) Memory()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        long Kilobytes(string name) => long.Parse(status.Single(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return (Kilobytes("VmRSS"), Kilobytes("VmHWM"));
    }

    /// <summary>Starts measuring the peak resident memory afresh (Linux: 5 into /proc/pid/clear_refs).</summary>
    public void ResetPeakMemory() => File.WriteAllText($"/proc/{_process.Id}/clear_refs", "5");

    /// <summary>kill -9: no shutdown, no cleanup, as a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        Directory.Delete(_workDir, recursive: true);
    }
}
