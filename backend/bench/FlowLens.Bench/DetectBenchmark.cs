using System.Diagnostics;
using FlowLens.Api.Features.Detections;
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
            var (scan, sweep, brute) = (BuiltIn(Detectors.PortScan), BuiltIn(Detectors.HostSweep), BuiltIn(Detectors.BruteForce));
            await using var connection = new NpgsqlConnection(database);
            await connection.OpenAsync();
            var size = TimeSpan.FromMinutes(5);
            var clock = Stopwatch.StartNew();
            var windowRecords = new Dictionary<DateTimeOffset, long>();
            await using (var command = new NpgsqlCommand(DetectionSql.Fingerprints(hour, hour.AddHours(1), size).Sql, connection))
            {
                foreach (var value in DetectionSql.Fingerprints(hour, hour.AddHours(1), size).Parameters)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = value });
                }
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    windowRecords[reader.GetFieldValue<DateTimeOffset>(0)] = reader.GetInt64(1);
                }
            }
            var fingerprints = clock.Elapsed.TotalSeconds;
            var (digestSeconds, rawSeconds, thresholdSeconds) = (0.0, 0.0, 0.0);
            var (digestFires, rawFires, rawPasses, checkedGroups, thresholdRows) = (new List<string>(), new List<string>(), 0, 0, 0L);
            for (var start = hour; start < hour.AddHours(1); start += size)
            {
                // As the job judges the built-in detectors: from the digests, the undecided groups on their flows.
                var watch = Stopwatch.StartNew();
                var (fires, pass) = await BuiltInJudge.JudgeAsync(connection, scan, sweep, brute, start, start + size, windowRecords.GetValueOrDefault(start), default);
                digestSeconds += watch.Elapsed.TotalSeconds;
                digestFires.AddRange(fires.Select(f => $"{start:HH:mm} {f.Rule.Kind} {f.Key}"));
                (rawPasses, checkedGroups) = (rawPasses + (pass.RawFamilies.Count > 0 ? 1 : 0), checkedGroups + pass.Checked);

                // The same detectors over every flow of the window, for comparison (and to check the answers agree).
                watch.Restart();
                rawFires.AddRange(await KeysAsync(connection, DetectionSql.BuiltIns(start, start + size, builtIns), start));
                rawSeconds += watch.Elapsed.TotalSeconds;

                watch.Restart();
                thresholdRows += await CountAsync(connection, DetectionSql.Thresholds(start, start + size, thresholds));
                thresholdSeconds += watch.Elapsed.TotalSeconds;
            }
            var agree = digestFires.Order().SequenceEqual(rawFires.Order());
            Console.WriteLine($"built-in detectors, the hour (12 windows): from the digests {fingerprints + digestSeconds:F2} s (fingerprints {fingerprints:F2} s; "
                + $"{rawPasses} windows read from the flows, {checkedGroups} groups checked on their flows), {digestFires.Count} groups fired; "
                + $"over every flow {rawSeconds:F1} s, {rawFires.Count} fired; same answers: {(agree ? "yes" : "NO")}");
            Console.WriteLine($"built-in detectors / ingestion = {(fingerprints + digestSeconds) / ingest:P1} (over every flow: {rawSeconds / ingest:P1})");
            Console.WriteLine($"{Rules.Length} threshold rules, one pass over each window's flows: {thresholdSeconds:F1} s, {thresholdRows} groups over threshold; "
                + $"/ ingestion = {thresholdSeconds / ingest:P1}; {BenchArgs.Load()}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static Dictionary<string, double> Defaults(string kind) => Detectors.Find(kind)!.Parameters.ToDictionary(p => p.Name, p => p.Default);

    private static Rule BuiltIn(string kind) => new(0, kind, kind, true, true, "medium", Defaults(kind), null, null, "5m", null, null, null, [], "low", null,
        DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);

    /// <summary>The groups the raw built-in statement fires for, named as the job names them.</summary>
    private static async Task<List<string>> KeysAsync(NpgsqlConnection connection, DetectionStatement statement, DateTimeOffset start)
    {
        var keys = new List<string>();
        await using var command = new NpgsqlCommand(statement.Sql, connection) { CommandTimeout = 600 };
        foreach (var value in statement.Parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var (src, dst, port) = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? (int?)null : reader.GetInt32(3));
            foreach (var (kind, family, column) in new[] { (Detectors.PortScan, DigestFamily.Ports, 13), (Detectors.HostSweep, DigestFamily.Hosts, 14),
                (Detectors.BruteForce, DigestFamily.Connections, 15) })
            {
                if (reader.GetBoolean(column))
                {
                    keys.Add($"{start:HH:mm} {kind} {BuiltInJudge.Key(family, src, dst, port)}");
                }
            }
        }
        return keys;
    }

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
