using System.Diagnostics;
using FlowLens.Api.Tests.Infrastructure;
using FlowLens.Core.Detections;
using FlowLens.Core.Filters;
using Npgsql;

namespace FlowLens.Bench;

/// <summary>
/// What evaluating the detections costs against what ingesting their data cost: one hour of realistic flows
/// (<see cref="RealisticTraffic"/>, 1,000,000 records by default) ingested by a real FlowLens process, then that hour
/// judged as the evaluation job judges it — per 5-minute window, one pass for 20 threshold rules and one for the
/// built-in detectors, after the fingerprints — timed statement by statement on the same database.
/// </summary>
internal static class DetectBenchmark
{
    /// <summary>Twenty threshold rules of the kinds people write: filters, group fields and metrics of every sort.</summary>
    private static readonly (string Filter, string GroupBy, string Metric, long Threshold)[] Rules =
    [
        ("action = REJECT and dstport in (22, 3389)", "srcaddr", "flows", 50),
        ("action = REJECT", "srcaddr", "flows", 500),
        ("action = REJECT", "dstaddr", "flows", 500),
        ("", "srcaddr", "bytes", 1_000_000_000),
        ("", "dstaddr", "bytes", 1_000_000_000),
        ("", "interface-id", "bytes", 5_000_000_000),
        ("", "srcaddr", "distinct-dstport", 100),
        ("", "srcaddr", "distinct-dstaddr", 200),
        ("action = REJECT", "srcaddr", "distinct-dstport", 30),
        ("dstport = 53", "srcaddr", "flows", 2000),
        ("dstport = 443", "dstaddr", "packets", 10_000_000),
        ("protocol = icmp", "srcaddr", "flows", 300),
        ("protocol = udp and action = REJECT", "srcaddr", "flows", 200),
        ("dstport in (3306, 5432, 1433, 27017)", "srcaddr", "flows", 100),
        ("dstport in (445, 139)", "srcaddr", "distinct-dstaddr", 10),
        ("srcaddr = 10.0.0.0/8 and action = REJECT", "srcaddr", "flows", 100),
        ("not dstaddr = 10.0.0.0/8", "srcaddr", "bytes", 500_000_000),
        ("", "dstport", "distinct-dstaddr", 1000),
        ("", "account-id", "records", 100_000_000),
        ("tcp-flags = 2", "srcaddr", "records", 1000),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new BenchArgs(args);
        var records = options.Count(1_000_000L);
        var traffic = new RealisticTraffic(options.Number("addresses", 200_000), options.Number("inside", 3000));
        var hour = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1).AddHours(12), TimeSpan.Zero);
        var work = Directory.CreateTempSubdirectory("flowlens-detect-bench").FullName;
        Console.WriteLine($"FlowLens detections benchmark — {Environment.ProcessorCount} cores, {records:N0} records in the hour {hour:u} (v5), {Rules.Length} threshold rules and the built-in detectors; {BenchArgs.Load()}");
        try
        {
            var logs = Path.Combine(work, "logs");
            TrafficFiles.Write(logs, traffic, TrafficFiles.Format("v5"), hour, TimeSpan.FromHours(1), records);
            await using var server = await PostgresServer.StartAsync(durable: true);
            var database = await PostgresServer.CreateDatabaseAsync(server.AdminConnectionString);
            // The job off (yearly): the hour is judged below, timed, not by the node meanwhile.
            await using var node = await BenchNode.StartAsync(server, database, logs, ("FlowLens__Detections__Interval", "0 0 1 1 *"));
            var ingest = (await node.IngestAsync(logs)).Seconds;
            Console.WriteLine($"ingested in {ingest:F1} s; {BenchArgs.Load()}");
            await BenchNode.VacuumAnalyzeAsync(database);

            var thresholds = Rules.Select(r => new ThresholdQuery(FilterParser.Parse(r.Filter).Root, r.GroupBy, r.Metric, r.Threshold)).ToList();
            var builtIns = new BuiltInQuery(Defaults(Detectors.PortScan), Defaults(Detectors.HostSweep), Defaults(Detectors.BruteForce));
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            var size = TimeSpan.FromMinutes(5);
            var clock = Stopwatch.StartNew();
            var fired = await CountAsync(connection, DetectionSql.Fingerprints(hour, hour.AddHours(1), size));
            var (thresholdSeconds, builtInSeconds) = (0.0, 0.0);
            for (var start = hour; start < hour.AddHours(1); start += size)
            {
                var watch = Stopwatch.StartNew();
                fired += await CountAsync(connection, DetectionSql.Thresholds(start, start + size, thresholds));
                thresholdSeconds += watch.Elapsed.TotalSeconds;
                watch.Restart();
                fired += await CountAsync(connection, DetectionSql.BuiltIns(start, start + size, builtIns));
                builtInSeconds += watch.Elapsed.TotalSeconds;
            }
            var total = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"judged the hour (12 windows) in {total:F1} s: threshold passes {thresholdSeconds:F1} s, built-in passes {builtInSeconds:F1} s; {fired} rows; "
                + $"evaluation / ingestion = {total / ingest:P1}; {BenchArgs.Load()}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static Dictionary<string, double> Defaults(string kind) => Detectors.Find(kind)!.Parameters.ToDictionary(p => p.Name, p => p.Default);

    private static async Task<long> CountAsync(NpgsqlConnection connection, DetectionStatement statement)
    {
        await using var command = new NpgsqlCommand(statement.Sql, connection) { CommandTimeout = 600 };
        foreach (var value in statement.Parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        await using var reader = await command.ExecuteReaderAsync();
        long rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
        }
        return rows;
    }
}
