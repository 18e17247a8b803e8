using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.FlowLogs;
using Npgsql;

namespace FlowLens.Bench;

/// <summary>
/// Ingestion end to end on realistic traffic (<see cref="RealisticTraffic"/>): gzip objects in the S3 layout, a real
/// FlowLens process (its Hangfire worker, the directory source, COPY into the partitioned table) on a throwaway
/// PostgreSQL with production settings, timed from the sync request to the source turning idle, then until every
/// summary is current (the settle time). Each round starts with the same records loaded by psql's \copy (text) into
/// a bare table of another database, so that each ratio compares two loads made close in time on this machine, whose
/// speed drifts. Then the bytes each record takes, and the upkeep of one new hour at two numbers of distinct addresses.
/// </summary>
internal static class IngestBenchmark
{
    private const int WarmUpRecords = 500_000;

    // The warm-up's objects are small, so that it loads 50 of them: code run once per object (the load job, the ledger,
    // the summaries' writes) is compiled optimized after 30 calls (tiered compilation), and with objects of 50,000 that
    // happened during round 2, after the 10 objects of the warm-up and the 20 of round 1.
    private const int WarmUpObjectRecords = 10_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var records = options.Count(1_000_000);
        var days = options.Number("days", 1);
        var traffic = new RealisticTraffic(options.Number("addresses", 200_000), options.Number("inside", 3000));
        var formatName = options.Text("format", "v2");
        var format = TrafficFiles.Format(formatName);
        var rounds = options.Number("rounds", 3);
        var settleTimeout = TimeSpan.FromSeconds(options.Number("settle-timeout", 600));
        // The new hour's distinct addresses a day: by default 50,000 and the load's, to see whether upkeep grows with them.
        var upkeep = options.Text("upkeep", $"50000,{traffic.Addresses}").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        // --one-object puts every record in a single object: the memory check for very large objects.
        var perObject = options.Flag("one-object") ? (int)records : TrafficFiles.RecordsPerObject;
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        var work = Directory.CreateTempSubdirectory("flowlens-ingest-bench").FullName;
        Console.WriteLine($"FlowLens ingest benchmark — {Environment.ProcessorCount} cores, {records:N0} records over {days} day(s) ({formatName}), " +
            $"{traffic.Addresses:N0} internet addresses a day, {traffic.Inside:N0} inside, {rounds} rounds, settle wait at most {settleTimeout.TotalSeconds:F0} s; {BenchArgs.Load()}");
        try
        {
            var logs = Path.Combine(work, "logs");
            var clock = Stopwatch.StartNew();
            var distinct = TrafficFiles.Write(logs, traffic, format, today.AddDays(-days), TimeSpan.FromDays(days), records, perObject);
            // The warm-up: days earlier, so its rows do not share a partition with the timed ones.
            var warmUp = Path.Combine(work, "warm-up");
            TrafficFiles.Write(warmUp, traffic, format, today.AddDays(-days - 2), TimeSpan.FromDays(1), WarmUpRecords, WarmUpObjectRecords);
            // The new hours: the first hours of today, after the load's days, each with as many records as an hour of the load.
            var hourRecords = Math.Max(TrafficFiles.RecordsPerObject, records / days / 24);
            var hours = upkeep.Select((addresses, i) => (Addresses: addresses, Path: Path.Combine(work, $"hour-{i}"), Distinct: TrafficFiles.Write(Path.Combine(work, $"hour-{i}"),
                new RealisticTraffic(addresses, traffic.Inside), format, today.AddHours(i), TimeSpan.FromHours(1), hourRecords, TrafficFiles.RecordsPerObject).Values.Sum())).ToList();
            var generated = clock.Elapsed.TotalSeconds;
            var text = await WriteTextAsync(logs, work);
            var compressed = Directory.GetFiles(logs, "*.gz", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            var total = (double)(records / perObject * perObject);
            Console.WriteLine($"generated {total:N0} records in {Directory.GetFiles(logs, "*.gz", SearchOption.AllDirectories).Length} objects, {compressed / 1_048_576.0:F0} MiB gzip, " +
                $"{new FileInfo(text).Length / 1_048_576.0:N0} MiB as text, in {generated:F1} s (gzip) + {clock.Elapsed.TotalSeconds - generated:F1} s (text for psql); " +
                $"distinct internet addresses a day: {string.Join(", ", distinct.OrderBy(d => d.Key).Select(d => $"{d.Key:MM-dd} {d.Value:N0}"))}");

            await using var server = await PostgresServer.StartAsync(durable: true);
            var database = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
            var bare = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
            await using var node = await BenchNode.StartAsync(server, database, work);
            var (emptyBytes, _) = await BenchNode.SizeAsync(database);
            Console.WriteLine($"PostgreSQL with production settings (fsync, full_page_writes, synchronous_commit on); the empty migrated database: {emptyBytes / 1_048_576.0:F1} MiB");
            if ((await IngestAsync(node, database, warmUp, "warm-up", WarmUpRecords, settleTimeout)).Settle is null)
            {
                Console.WriteLine("warm-up: not settled in time: round 1 below shares the cores with its merge");
            }

            var results = new List<(double FlowLens, double Psql, double? Settle)>();
            long peakMemory = 0;
            for (var round = 1; round <= rounds; round++)
            {
                await BenchNode.VacuumAnalyzeAsync(database); // the autovacuum owed for the last load and merge, not billed to this one
                var (copySeconds, psqlCpu, postgresCpu) = await CopyWithPsqlAsync(node, bare, text, format);
                Console.WriteLine($"round {round}: psql \\copy (text) into a bare table: {total:N0} records in {copySeconds:F1} s = {total / copySeconds:N0} records/s; " +
                    $"CPU per record: psql {psqlCpu / total * 1e6:F2} µs, PostgreSQL {postgresCpu / total * 1e6:F2} µs");
                // Each round is a new source over the same objects: a source of its own, its own ledger, the same rows again.
                var (run, settle) = await IngestAsync(node, database, logs, $"round {round}: FlowLens", total, settleTimeout);
                peakMemory = Math.Max(peakMemory, run.PeakMemory);
                results.Add((total / run.Seconds, total / copySeconds, settle));
                Console.WriteLine($"round {round}: ratio FlowLens / psql {total / run.Seconds / (total / copySeconds):F2}; {BenchArgs.Load()}");
                if (settle is null)
                {
                    Console.WriteLine($"round {round}: the summaries were not current after {settleTimeout.TotalSeconds:F0} s: no more rounds (the next load would share the cores with the merge)");
                    break;
                }
            }
            // The ratio is each round's own (two loads close in time), then their median.
            Console.WriteLine($"median of {results.Count} rounds: FlowLens {Median(results.Select(r => r.FlowLens)):N0} records/s, psql \\copy {Median(results.Select(r => r.Psql)):N0} records/s, " +
                $"ratio {Median(results.Select(r => r.FlowLens / r.Psql)):F2} (per round {string.Join(", ", results.Select(r => (r.FlowLens / r.Psql).ToString("F2", CultureInfo.InvariantCulture)))}); " +
                $"settle / load per round {string.Join(", ", results.Select(r => r.Settle is { } s ? (s * r.FlowLens / total).ToString("F2", CultureInfo.InvariantCulture) : "not settled"))}; " +
                $"FlowLens process peak memory {peakMemory / 1_048_576:N0} MiB");

            var settled = results[^1].Settle is not null;
            await BenchNode.VacuumAnalyzeAsync(database);
            Console.WriteLine($"bytes per record{(settled ? ", settled" : ", NOT settled")}: {await BenchNode.BytesPerRecordAsync(database, emptyBytes)}");

            foreach (var hour in hours)
            {
                if (!settled)
                {
                    Console.WriteLine($"upkeep of one new hour ({hour.Addresses:N0} addresses a day): skipped, the load had not settled");
                    continue;
                }
                var (run, settle) = await IngestAsync(node, database, hour.Path, $"upkeep of one new hour ({hour.Addresses:N0} internet addresses a day, {hour.Distinct:N0} in the hour)", hourRecords, settleTimeout);
                settled = settle is not null;
                Console.WriteLine($"upkeep of one new hour, {hour.Addresses:N0} addresses a day ({hour.Distinct:N0} in the hour), {hourRecords:N0} records: load {run.Seconds:F1} s, " +
                    $"then current after {(settle is { } s ? $"{s:F1} s" : $"more than {settleTimeout.TotalSeconds:F0} s (not settled)")}; {BenchArgs.Load()}");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>
    /// Ingests one directory as a new source, then waits (at most <paramref name="timeout"/>) until every summary is
    /// current; returns the run and the settle seconds (null when not current in time). A fresh .NET process runs its
    /// code unoptimised at first (tiered compilation): the warm-up makes the timed rounds a running server's.
    /// </summary>
    private static async Task<(IngestRun Run, double? Settle)> IngestAsync(BenchNode node, string database, string logs, string name, double records, TimeSpan timeout)
    {
        var run = await node.IngestAsync(logs);
        // CPU per record on each side tells where a change helped, on a machine whose wall-clock speed drifts.
        Console.WriteLine($"{name}: {records:N0} records in {run.Seconds:F1} s = {records / run.Seconds:N0} records/s; " +
            $"CPU per record: FlowLens {run.FlowLensCpu / records * 1e6:F2} µs, PostgreSQL {run.PostgresCpu / records * 1e6:F2} µs " +
            $"(cores busy {(run.FlowLensCpu + run.PostgresCpu) / run.Seconds:F2})");
        // The settle time: from the load's end until every summary is current (the merge the run's end queues).
        var postgresCpu = node.PostgresCpuSeconds();
        var settle = await BenchNode.WaitForCompactionAsync(database, timeout);
        var cpu = (node.PostgresCpuSeconds() - postgresCpu) / records * 1e6;
        Console.WriteLine(settle is { } s
            ? $"{name}: settled {s:F1} s after the load's end (settle / load {s / run.Seconds:F2}), PostgreSQL CPU {cpu:F2} µs per record"
            : $"{name}: NOT settled after {timeout.TotalSeconds:F0} s (settle / load > {timeout.TotalSeconds / run.Seconds:F1}), PostgreSQL CPU {cpu:F2} µs per record so far");
        return (run, settle);
    }

    /// <summary>The same records as text lines without their headers: what psql parses is what FlowLens parsed.</summary>
    internal static async Task<string> WriteTextAsync(string logs, string work)
    {
        var text = Path.Combine(work, "records.txt");
        await using var output = File.Create(text);
        foreach (var file in Directory.GetFiles(logs, "*.gz", SearchOption.AllDirectories))
        {
            await using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip);
            await reader.ReadLineAsync();
            await using var writer = new StreamWriter(output, leaveOpen: true) { NewLine = "\n" };
            while (await reader.ReadLineAsync() is { } line)
            {
                await writer.WriteLineAsync(line);
            }
        }
        return text;
    }

    /// <summary>
    /// Loads the text into a new bare table with the same fields; returns the seconds psql took, the CPU seconds it
    /// used (bash's <c>times</c> after it: the CPU of the shell's children) and those PostgreSQL used meanwhile.
    /// </summary>
    internal static async Task<(double Seconds, double PsqlCpu, double PostgresCpu)> CopyWithPsqlAsync(BenchNode node, string database, string text, FlowLogFormat format)
    {
        var columns = string.Join(", ", format.Columns.Select(c => $"\"{c!.ParquetName}\" {SqlType(c)}"));
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"drop table if exists bare; create table bare ({columns})", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(database);
        var psql = new ProcessStartInfo("bash", ["-c", "psql \"$@\" && times", "psql", "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", builder.Username!, "-d", builder.Database!, "-v", "ON_ERROR_STOP=1",
            "-c", $"\\copy bare from '{text}' with (format text, delimiter ' ', null '-')"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment = { ["LC_ALL"] = "C" }, // `times` writes 1.234, not 1,234
        };
        var (clock, postgresCpu) = (Stopwatch.StartNew(), node.PostgresCpuSeconds());
        using var process = Process.Start(psql)!;
        var (output, error) = (process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        await process.WaitForExitAsync();
        var (seconds, postgresSeconds) = (clock.Elapsed.TotalSeconds, node.PostgresCpuSeconds() - postgresCpu);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql failed: {await error}");
        }
        // The second line of `times`: "0m1.234s 0m0.056s", user and system CPU of the shell's children.
        var children = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Split(' ');
        return (seconds, children.Sum(Seconds), postgresSeconds);
    }

    private static double Seconds(string minutesAndSeconds)
    {
        var m = minutesAndSeconds.IndexOf('m');
        return int.Parse(minutesAndSeconds[..m], System.Globalization.CultureInfo.InvariantCulture) * 60
            + double.Parse(minutesAndSeconds[(m + 1)..^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string SqlType(FlowFieldInfo field) => field.Kind switch
    {
        FlowFieldKind.Address => "inet",
        FlowFieldKind.Integer or FlowFieldKind.Timestamp => "bigint",
        FlowFieldKind.TcpFlags or FlowFieldKind.TrafficPath => "smallint",
        _ => "text",
    };
}
