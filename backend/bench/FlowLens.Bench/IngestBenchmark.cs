using System.Diagnostics;
using System.IO.Compression;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Synthetic;
using Npgsql;

namespace FlowLens.Bench;

/// <summary>
/// Ingestion end to end: synthetic gzip objects in the S3 layout, a real FlowLens process (its Hangfire worker,
/// the directory source, COPY into the partitioned table) on a throwaway PostgreSQL, timed from the sync request
/// to the source turning idle. Then the same records loaded by psql's \copy (text) into a bare table, for the ratio.
/// </summary>
internal static class IngestBenchmark
{
    private const int RecordsPerObject = 50_000;
    private const int WarmUpObjects = 20;

    public static async Task<int> RunAsync(string[] args)
    {
        var records = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000;
        // --one-object puts every record in a single object: the memory check for very large objects.
        var oneObject = args.Contains("--one-object");
        var objects = oneObject ? 1 : Math.Max(1, records / RecordsPerObject);
        var perObject = oneObject ? records : RecordsPerObject;
        var work = Directory.CreateTempSubdirectory("flowlens-ingest-bench").FullName;
        Console.WriteLine($"FlowLens ingest benchmark — {Environment.ProcessorCount} cores, {objects} objects x {perObject:N0} records (v5, all fields)");
        try
        {
            var logs = Path.Combine(work, "logs");
            var clock = Stopwatch.StartNew();
            SyntheticFlowLogFiles.WriteDay(logs, DateTimeOffset.UtcNow.AddDays(-1), objects, perObject, seed: 7);
            // The warm-up: a day earlier, so its rows do not share a partition with the timed ones.
            var warmUp = Path.Combine(work, "warm-up");
            SyntheticFlowLogFiles.WriteDay(warmUp, DateTimeOffset.UtcNow.AddDays(-2), WarmUpObjects, RecordsPerObject, seed: 8);
            var compressed = Directory.GetFiles(logs, "*.gz", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            Console.WriteLine($"generated {(long)objects * perObject:N0} records, {compressed / 1_048_576.0:F0} MiB gzip, in {clock.Elapsed.TotalSeconds:F1} s");

            await using var server = await PostgresServer.StartAsync();
            var database = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
            var (seconds, peakMemory) = await IngestWithFlowLensAsync(database, work, logs, warmUp);
            var total = (double)objects * perObject;
            var rate = total / seconds;
            Console.WriteLine($"FlowLens: {total:N0} records in {seconds:F1} s = {rate:N0} records/s; FlowLens process peak memory {peakMemory / 1_048_576:N0} MiB");

            var copySeconds = await CopyWithPsqlAsync(database, logs, work);
            Console.WriteLine($"uncompressed text: {new FileInfo(Path.Combine(work, "records.txt")).Length / 1_048_576.0:N0} MiB");
            var copyRate = total / copySeconds;
            Console.WriteLine($"psql \\copy (text) into a bare table: {copySeconds:F1} s = {copyRate:N0} records/s");
            Console.WriteLine($"ratio FlowLens / psql: {rate / copyRate:F2}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>
    /// A running server's rate: a warm-up source is ingested first, then the timed one. A fresh .NET process runs its
    /// code unoptimised at first (tiered compilation), and on 2 busy cores the optimised code comes late.
    /// </summary>
    private static async Task<(double Seconds, long PeakMemory)> IngestWithFlowLensAsync(string database, string work, string logs, string warmUp)
    {
        await using var node = await BenchNode.StartAsync(database, work);
        var (warmUpSeconds, _) = await node.IngestAsync(warmUp);
        // The warm-up's end queues the rollup compaction: let it finish, or the timed run shares the cores with it.
        await BenchNode.WaitForCompactionAsync(database);
        Console.WriteLine($"warm-up: {WarmUpObjects * RecordsPerObject:N0} records in {warmUpSeconds:F1} s, its rollups compacted");
        return await node.IngestAsync(logs);
    }

    private static async Task<double> CopyWithPsqlAsync(string database, string logs, string work)
    {
        // The same records as text lines without their headers: what psql parses is what FlowLens parsed.
        var text = Path.Combine(work, "records.txt");
        await using (var output = File.Create(text))
        {
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
        }
        var columns = string.Join(", ", SyntheticFlows.V5AllFields.Columns.Select(c => $"\"{c!.ParquetName}\" {SqlType(c)}"));
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create table bare ({columns})", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(database);
        var psql = new ProcessStartInfo("psql", ["-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-U", builder.Username!, "-d", builder.Database!, "-v", "ON_ERROR_STOP=1",
            "-c", $"\\copy bare from '{text}' with (format text, delimiter ' ', null '-')"]) { RedirectStandardError = true };
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psql)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql failed: {error}");
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static string SqlType(FlowLens.Core.FlowLogs.FlowFieldInfo field) => field.Kind switch
    {
        FlowLens.Core.FlowLogs.FlowFieldKind.Address => "inet",
        FlowLens.Core.FlowLogs.FlowFieldKind.Integer or FlowLens.Core.FlowLogs.FlowFieldKind.Timestamp => "bigint",
        FlowLens.Core.FlowLogs.FlowFieldKind.TcpFlags or FlowLens.Core.FlowLogs.FlowFieldKind.TrafficPath => "smallint",
        _ => "text",
    };
}
