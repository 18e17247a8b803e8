using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Stats;
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
        var start = new ProcessStartInfo("dotnet", [ApiPath])
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
        // The load ends when the server says its last object finished (lastRunFinishedAt, same machine, same clock),
        // not when the next look every 200 ms sees it: that added 0.1 s on average to a load of a few seconds.
        var started = DateTimeOffset.UtcNow;
        (await Http.PostAsync($"/api/sources/{id}/sync", null)).EnsureSuccessStatusCode();
        long peak = 0;
        while (true)
        {
            await Task.Delay(200);
            peak = Math.Max(peak, PeakResidentBytes());
            var status = (await Http.GetFromJsonAsync<JsonElement>($"/api/sources/{id}")).GetProperty("status");
            if (status.GetProperty("state").GetString() != "running" && status.GetProperty("lastRunFinishedAt").ValueKind == JsonValueKind.String)
            {
                var seconds = (status.GetProperty("lastRunFinishedAt").GetDateTimeOffset() - started).TotalSeconds;
                if (status.GetProperty("objectsFailed").GetInt64() > 0)
                {
                    throw new InvalidOperationException($"objects failed: {status}");
                }
                return new IngestRun(seconds, peak, CpuSeconds() - flowLensCpu, PostgresCpuSeconds() - postgresCpu);
            }
        }
    }

    /// <summary>The Release build of FlowLens.Api that the benchmarks start.</summary>
    private static string ApiPath => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "FlowLens.Api", "bin", "Release", "net10.0", "FlowLens.Api.dll"));

    /// <summary>
    /// Waits until every summary is current (<see cref="Rollups.PendingSql"/> false), at most <paramref name="timeout"/>;
    /// returns the seconds waited, or null when the wait ran out.
    /// </summary>
    public static async Task<double?> WaitForCompactionAsync(string database, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var pending = new NpgsqlCommand(Rollups.PendingSql, connection);
        while ((bool)(await pending.ExecuteScalarAsync())!)
        {
            if (clock.Elapsed > (timeout ?? TimeSpan.MaxValue))
            {
                return null;
            }
            await Task.Delay(100); // a new hour settles in well under a second: measure it to a tenth
        }
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The database's size on disk (<c>pg_database_size</c>) and the flows it holds.</summary>
    public static async Task<(long Bytes, long Flows)> SizeAsync(string database)
    {
        var (bytes, flows, _, _, _) = await SizesAsync(database);
        return (bytes, flows);
    }

    /// <summary>
    /// Bytes per record, as the benchmarks print it: <c>pg_database_size</c> over the flows stored, the same without the
    /// empty migrated database's size, and what the flows' partitions and the rollup tables take of it.
    /// </summary>
    public static async Task<string> BytesPerRecordAsync(string database, long emptyBytes)
    {
        var (bytes, flows, flowTables, rollupTables, detectionTables) = await SizesAsync(database);
        return $"pg_database_size {bytes / 1_048_576.0:N0} MiB / {flows:N0} flows = {(double)bytes / flows:F0} bytes; " +
            $"without the empty migrated database ({emptyBytes / 1_048_576.0:F1} MiB): {(double)(bytes - emptyBytes) / flows:F0} bytes; " +
            $"of which the flow chunks' partitions {(double)flowTables / flows:F0} bytes, the rollup tables {(double)rollupTables / flows:F0} bytes " +
            $"and the detections' digests {(double)detectionTables / flows:F1} bytes (indexes included); " +
            $"the rollup tables' live rows {await RollupLiveBytesAsync(database) / (double)flows:F1} bytes (the rest of theirs: indexes, dead rows, free space)";
    }

    /// <summary>What the rollup tables' live rows take, their TOAST included (pgstattuple), without indexes, dead rows or free space.</summary>
    private static async Task<long> RollupLiveBytesAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var live = new NpgsqlCommand("""
            create extension if not exists pgstattuple;
            select coalesce(sum(s.tuple_len), 0)::bigint
            from pg_class c
            cross join lateral (select c.oid union all select c.reltoastrelid where c.reltoastrelid <> 0) r(oid)
            cross join lateral pgstattuple(r.oid) s
            where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace and (c.relname like 'flow\_rollup%' or c.relname like 'flow\_top\_%')
            """, connection) { CommandTimeout = 0 };
        return (long)(await live.ExecuteScalarAsync())!;
    }

    private static async Task<(long Bytes, long Flows, long FlowTables, long RollupTables, long DetectionTables)> SizesAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var size = new NpgsqlCommand("""
            select pg_database_size(current_database()), (select coalesce(sum(n), 0)::bigint from flow_chunks),
                   coalesce(sum(pg_total_relation_size(oid)) filter (where relname like 'flow\_chunks\_%'), 0)::bigint,
                   coalesce(sum(pg_total_relation_size(oid)) filter (where relname like 'flow\_rollup%' or relname like 'flow\_top\_%'), 0)::bigint,
                   coalesce(sum(pg_total_relation_size(oid)) filter (where relname like 'detection\_%' or relname like 'interface\_%' or relname like 'rule\_%'), 0)::bigint
            from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace
            """, connection) { CommandTimeout = 0 };
        await using var reader = await size.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
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
