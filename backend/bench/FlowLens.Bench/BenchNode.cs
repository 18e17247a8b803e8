using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Tests.Infrastructure;
using Npgsql;

namespace FlowLens.Bench;

/// <summary>A real FlowLens process (the Release build of FlowLens.Api) with its Hangfire worker, on a given database.</summary>
internal sealed class BenchNode : IAsyncDisposable
{
    private const string Key = "bench-admin-key-0123456789";
    private readonly Process _process;
    private readonly PostgresServer _server;
    private int _sources;

    private BenchNode(Process process, HttpClient http, PostgresServer server) => (_process, Http, _server) = (process, http, server);

    public HttpClient Http { get; }

    public static async Task<BenchNode> StartAsync(PostgresServer server, string database, string logs, params (string Name, string Value)[] settings)
    {
        var port = LoopbackPort.Free();
        var api = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "FlowLens.Api", "bin", "Release", "net10.0", "FlowLens.Api.dll");
        var start = new ProcessStartInfo("dotnet", [Path.GetFullPath(api)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["ConnectionStrings__FlowLens"] = database,
                ["FlowLens__Auth__BootstrapAdminKey"] = Key,
                ["FlowLens__Sources__DirectoryRoots__0"] = logs,
                ["Serilog__MinimumLevel__Default"] = "Warning",
                ["FlowLens__Security__RequestsPerMinute"] = "1000000",
            },
        };
        foreach (var (name, value) in settings)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        var node = new BenchNode(process, http, server);
        for (var i = 0; ; i++)
        {
            try
            {
                if ((await http.GetAsync("/api/health")).IsSuccessStatusCode)
                {
                    return node;
                }
            }
            catch (HttpRequestException) when (i < 120)
            {
            }
            await Task.Delay(500);
        }
    }

    /// <summary>
    /// Creates a directory source over <paramref name="logs"/>, syncs it, and waits for the run to end; returns the seconds it took,
    /// the peak memory, and the CPU seconds FlowLens and PostgreSQL spent meanwhile.
    /// </summary>
    public async Task<IngestRun> IngestAsync(string logs)
    {
        var created = await Http.PostAsJsonAsync("/api/sources", new { name = $"bench-{Path.GetFileName(logs)}-{++_sources}", kind = "directory", enabled = false, directory = new { path = logs } });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var (flowLensCpu, postgresCpu) = (CpuSeconds(), PostgresCpuSeconds());
        var clock = Stopwatch.StartNew();
        (await Http.PostAsync($"/api/sources/{id}/sync", null)).EnsureSuccessStatusCode();
        long peak = 0;
        while (true)
        {
            await Task.Delay(200);
            peak = Math.Max(peak, PeakResidentBytes());
            var status = (await Http.GetFromJsonAsync<JsonElement>($"/api/sources/{id}")).GetProperty("status");
            if (status.GetProperty("state").GetString() != "running" && status.GetProperty("lastRunFinishedAt").ValueKind == JsonValueKind.String)
            {
                var seconds = clock.Elapsed.TotalSeconds;
                if (status.GetProperty("objectsFailed").GetInt64() > 0)
                {
                    throw new InvalidOperationException($"objects failed: {status}");
                }
                return new IngestRun(seconds, peak, CpuSeconds() - flowLensCpu, PostgresCpuSeconds() - postgresCpu);
            }
        }
    }

    /// <summary>Waits until the rollup compaction has merged every appended rollup row.</summary>
    public static async Task WaitForCompactionAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var pending = new NpgsqlCommand("""
            select (select count(*) from flow_rollups_5m where not compacted) + (select count(*) from flow_rollups_top_1h where not compacted)
                 + (select count(*) from flow_rollups_top_1d where not compacted)
            """, connection);
        while ((long)(await pending.ExecuteScalarAsync())! > 0)
        {
            await Task.Delay(500);
        }
    }

    /// <summary>Runs <c>vacuum analyze</c> over the database: what autovacuum would do some minutes after a load, done now.</summary>
    public static async Task VacuumAnalyzeAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var vacuum = new NpgsqlCommand("vacuum analyze", connection) { CommandTimeout = 0 };
        await vacuum.ExecuteNonQueryAsync();
    }

    private long PeakResidentBytes()
    {
        try
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private double CpuSeconds()
    {
        _process.Refresh();
        return _process.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>CPU seconds the database's cluster has used so far.</summary>
    public double PostgresCpuSeconds() => _server.CpuSeconds();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

/// <summary>One ingestion run: wall seconds, the FlowLens process's peak resident bytes, and CPU seconds on each side.</summary>
internal sealed record IngestRun(double Seconds, long PeakMemory, double FlowLensCpu, double PostgresCpu);
