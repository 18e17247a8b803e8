using System.Diagnostics;
using System.IO.Compression;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Synthetic;
using Npgsql;

namespace FlowLens.Bench;

/// <summary>
/// Ingestion end to end: synthetic gzip objects in the S3 layout, a real FlowLens process (its Hangfire worker,
/// the directory source, COPY into the partitioned table) on a throwaway PostgreSQL, timed from the sync request
/// to the source turning idle. Each round is followed by the same records loaded by psql's \copy (text) into a bare
/// table, so that each ratio compares two loads made close in time on this machine, whose speed drifts.
/// </summary>
internal static class IngestBenchmark
{
    private const int RecordsPerObject = 50_000;
    private const int Rounds = 3;
    private const int WarmUpRuns = 2;
    private const int WarmUpObjects = 50;
    private const int WarmUpRecordsPerObject = 10_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var records = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000;
        // --one-object puts every record in a single object: the memory check for very large objects.
        var oneObject = args.Contains("--one-object");
        var objects = oneObject ? 1 : Math.Max(1, records / RecordsPerObject);
        var perObject = oneObject ? records : RecordsPerObject;
        var work = Directory.CreateTempSubdirectory("flowlens-ingest-bench").FullName;
        Console.WriteLine($"FlowLens ingest benchmark — {Environment.ProcessorCount} cores, {objects} objects x {perObject:N0} records (v5, all fields), {Rounds} rounds");
        try
        {
            var logs = Path.Combine(work, "logs");
            var clock = Stopwatch.StartNew();
            SyntheticFlowLogFiles.WriteDay(logs, DateTimeOffset.UtcNow.AddDays(-1), objects, perObject, seed: 7);
            // The warm-ups: days earlier, so their rows do not share a partition with the timed ones.
            var warmUps = Enumerable.Range(0, WarmUpRuns).Select(i => Path.Combine(work, $"warm-up-{i}")).ToArray();
            for (var i = 0; i < WarmUpRuns; i++)
            {
                SyntheticFlowLogFiles.WriteDay(warmUps[i], DateTimeOffset.UtcNow.AddDays(-2 - i), WarmUpObjects, WarmUpRecordsPerObject, seed: 8 + i);
            }
            var text = await WriteTextAsync(logs, work);
            var compressed = Directory.GetFiles(logs, "*.gz", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"generated {(long)objects * perObject:N0} records, {compressed / 1_048_576.0:F0} MiB gzip, " +
                $"{new FileInfo(text).Length / 1_048_576.0:N0} MiB as text, in {clock.Elapsed.TotalSeconds:F1} s");

            await using var server = await PostgresServer.StartAsync();
            var database = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
            await using var node = await BenchNode.StartAsync(server, database, work);
            foreach (var warmUp in warmUps)
            {
                await IngestAsync(node, database, warmUp, "warm-up", WarmUpObjects * WarmUpRecordsPerObject);
            }
            var total = (double)objects * perObject;
            var rounds = new List<(double FlowLens, double Psql)>();
            long peakMemory = 0;
            for (var round = 1; round <= Rounds; round++)
            {
                // Each round is a new source over the same objects: a source of its own, its own ledger, the same rows again.
                var run = await IngestAsync(node, database, logs, $"round {round}: FlowLens", total);
                peakMemory = Math.Max(peakMemory, run.PeakMemory);
                var (copySeconds, psqlCpu, postgresCpu) = await CopyWithPsqlAsync(node, database, text);
                await BenchNode.VacuumAnalyzeAsync(database); // not billed to the next round: see the one after the compaction
                rounds.Add((total / run.Seconds, total / copySeconds));
                Console.WriteLine($"round {round}: psql \\copy (text) into a bare table: {copySeconds:F1} s = {total / copySeconds:N0} records/s; " +
                    $"CPU per record: psql {psqlCpu / total * 1e6:F2} µs, PostgreSQL {postgresCpu / total * 1e6:F2} µs; ratio {total / run.Seconds / (total / copySeconds):F2}");
            }
            var flowLens = Median(rounds.Select(r => r.FlowLens));
            var psql = Median(rounds.Select(r => r.Psql));
            Console.WriteLine($"median of {Rounds} rounds: FlowLens {flowLens:N0} records/s, psql \\copy {psql:N0} records/s, ratio {flowLens / psql:F2} " +
                $"(per round {string.Join(", ", rounds.Select(r => (r.FlowLens / r.Psql).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}); " +
                $"FlowLens process peak memory {peakMemory / 1_048_576:N0} MiB");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static double Median(IEnumerable<double> values) => values.Order().ElementAt(Rounds / 2);

    /// <summary>
    /// Ingests one directory as a new source and waits for the compaction its end queues, so that the next load does
    /// not share the cores with it. A fresh .NET process runs its code unoptimised at first (tiered compilation), and
    /// on 2 busy cores the optimised code comes late: the warm-ups make the timed rounds a running server's.
    /// </summary>
    private static async Task<IngestRun> IngestAsync(BenchNode node, string database, string logs, string name, double records)
    {
        var run = await node.IngestAsync(logs);
        // CPU per record on each side tells where a change helped, on a machine whose wall-clock speed drifts.
        Console.WriteLine($"{name}: {records:N0} records in {run.Seconds:F1} s = {records / run.Seconds:N0} records/s; " +
            $"CPU per record: FlowLens {run.FlowLensCpu / records * 1e6:F2} µs, PostgreSQL {run.PostgresCpu / records * 1e6:F2} µs " +
            $"(cores busy {(run.FlowLensCpu + run.PostgresCpu) / run.Seconds:F2})");
        // Not part of the rate: the merge runs after the load, off its path; shown so that its cost is not hidden.
        var (clock, postgresCpu) = (Stopwatch.StartNew(), node.PostgresCpuSeconds());
        await BenchNode.WaitForCompactionAsync(database);
        Console.WriteLine($"{name}: then the rollup compaction: {clock.Elapsed.TotalSeconds:F1} s, PostgreSQL CPU {(node.PostgresCpuSeconds() - postgresCpu) / records * 1e6:F2} µs per record");
        // The autovacuum owed for what the load and compaction wrote (the rows the compaction deleted, a table just
        // filled) done now, so that it is not done during, and billed to, the next load.
        await BenchNode.VacuumAnalyzeAsync(database);
        return run;
    }

    /// <summary>The same records as text lines without their headers: what psql parses is what FlowLens parsed.</summary>
    private static async Task<string> WriteTextAsync(string logs, string work)
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
    private static async Task<(double Seconds, double PsqlCpu, double PostgresCpu)> CopyWithPsqlAsync(BenchNode node, string database, string text)
    {
        var columns = string.Join(", ", SyntheticFlows.V5AllFields.Columns.Select(c => $"\"{c!.ParquetName}\" {SqlType(c)}"));
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

    private static string SqlType(FlowLens.Core.FlowLogs.FlowFieldInfo field) => field.Kind switch
    {
        FlowLens.Core.FlowLogs.FlowFieldKind.Address => "inet",
        FlowLens.Core.FlowLogs.FlowFieldKind.Integer or FlowLens.Core.FlowLogs.FlowFieldKind.Timestamp => "bigint",
        FlowLens.Core.FlowLogs.FlowFieldKind.TcpFlags or FlowLens.Core.FlowLogs.FlowFieldKind.TrafficPath => "smallint",
        _ => "text",
    };
}
