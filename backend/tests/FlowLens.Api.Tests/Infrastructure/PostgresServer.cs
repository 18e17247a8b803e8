using System.Diagnostics;
using Npgsql;

namespace FlowLens.Api.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster: initdb in a temp folder, a free loopback port, stopped and deleted on dispose.
/// PostgreSQL refuses to run as root, so as root its commands run as the <c>postgres</c> user.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _bin;

    private PostgresServer(string directory, string bin, int port)
    {
        _directory = directory;
        _bin = bin;
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=5";
    }

    /// <summary>Connects as the superuser to the <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; }

    private string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>A throwaway cluster; <paramref name="durable"/>: with PostgreSQL's production defaults (fsync, full page writes, synchronous commit on).</summary>
    public static async Task<PostgresServer> StartAsync(bool durable = false)
    {
        var bin = FindBinaries();
        var directory = Path.Combine(Path.GetTempPath(), "flowlens-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres:postgres", directory], asPostgres: false);
        }
        var initdb = Path.Combine(bin, "initdb");
        await RunAsync(initdb, ["-D", Path.Combine(directory, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], asPostgres: IsRoot);

        for (var attempt = 1; ; attempt++)
        {
            var server = new PostgresServer(directory, bin, LoopbackPort.Free());
            try
            {
                await server.StartClusterAsync(new NpgsqlConnectionStringBuilder(server.AdminConnectionString).Port, durable);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process took the port between our probe and the server's bind: try another.
            }
        }
    }

    private Task StartClusterAsync(int port, bool durable)
    {
        // Durability is worth nothing in a throwaway cluster; skipping fsync makes tests faster.
        var options = $"-p {port} -c listen_addresses=127.0.0.1 -k {_directory} -c max_connections=500" +
            (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        return RunAsync(Path.Combine(_bin, "pg_ctl"),
            ["-D", DataDirectory, "-l", Path.Combine(_directory, "server.log"), "-o", options, "-w", "-t", "60", "start"], IsRoot);
    }

    /// <summary>
    /// CPU seconds this cluster has used so far (Linux, from /proc, for the benchmarks): its live processes' user and
    /// system time, and the postmaster's count of the backends it has reaped (closed connections).
    /// </summary>
    public double CpuSeconds()
    {
        var postmaster = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).First();
        long ticks = 0;
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(process, "stat"));
                // After the command in parentheses: state, parent pid, ...; utime, stime, cutime, cstime are fields 14-17.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var own = Path.GetFileName(process) == postmaster;
                if (own || fields[1] == postmaster)
                {
                    ticks += fields.Skip(11).Take(own ? 4 : 2).Sum(f => long.Parse(f, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not a process, or one that ended meanwhile.
            }
        }
        return ticks / 100.0; // USER_HZ is 100 on Linux
    }

    /// <summary>Stops the server at once, as a crash or an outage would.</summary>
    public Task StopAsync() =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], IsRoot);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped by the test.
        }
        Directory.Delete(_directory, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBinaries()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(dir => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
        if (onPath is not null)
        {
            // /usr/local/bin may hold links to a version's bin folder, where pg_dump lives too.
            var initdb = new FileInfo(Path.Combine(onPath, "initdb"));
            return initdb.ResolveLinkTarget(returnFinalTarget: true) is { } target ? Path.GetDirectoryName(target.FullName)! : onPath;
        }
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderByDescending(b => b).FirstOrDefault()
            : null;
        return debian ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under /usr/lib/postgresql. " +
            "Install them (apt-get install postgresql) or set FLOWLENS_TEST_DB to a connection string.");
    }

    /// <summary>
    /// <c>pg_dump --schema-only</c> of the database (the pg_dump next to initdb, so as new as the server we start),
    /// without owners and grants; <paramref name="options"/> choose what goes in.
    /// </summary>
    public static Task<string> DumpSchemaAsync(string connectionString, params string[] options)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        return RunAsync(Path.Combine(FindBinaries(), "pg_dump"),
            ["--schema-only", "--no-owner", "--no-privileges", "-h", c.Host!, "-p", c.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", c.Username!, .. options, c.Database!],
            asPostgres: false, c.Password);
    }

    private static async Task<string> RunAsync(string file, string[] args, bool asPostgres, string? password = null)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (password is not null)
        {
            start.Environment["PGPASSWORD"] = password;
        }
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(a);
            }
        }
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        // pg_ctl start leaves the server holding our pipes open; read until the command itself exits.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr} {await stdout}");
        }
        return await stdout;
    }

    /// <summary>A new database on this server, empty or a copy of <paramref name="template"/>; returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string adminConnectionString, string? template = null)
    {
        var name = "flowlens_" + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(template is null ? $"create database {name}" : $"create database {name} template {template}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }
}
