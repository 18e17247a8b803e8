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
            // The threshold rules exist before the hour is ingested, as in use: ingestion sums them into digests.
            await using (var insert = new NpgsqlConnection(database))
            {
                await insert.OpenAsync();
                for (var i = 0; i < Rules.Length; i++)
                {
                    await using var command = new NpgsqlCommand("""
                        insert into rules (name, kind, enabled, severity, filter, window_size, group_by, metric, threshold, created_at, updated_at)
                        values ($1, 'threshold', true, 'low', $2, '5m', $3, $4, $5, now(), now())
                        """, insert);
                    foreach (var value in new object[] { $"rule {i + 1}", Rules[i].Filter.Length == 0 ? DBNull.Value : Rules[i].Filter, Rules[i].GroupBy, Rules[i].Metric, Rules[i].Threshold })
                    {
                        command.Parameters.Add(new NpgsqlParameter { Value = value });
                    }
                    await command.ExecuteNonQueryAsync();
                }
            }
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
            var rules = new List<Rule>();
            await using (var command = new NpgsqlCommand($"select {Rule.Columns} from rules where kind = 'threshold' order by id", connection))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    rules.Add(Rule.Read(reader));
                }
            }
            var (digestSeconds, rawSeconds, thresholdSeconds, thresholdDigestSeconds) = (0.0, 0.0, 0.0, 0.0);
            var (digestFires, rawFires, rawPasses, checkedGroups) = (new List<string>(), new List<string>(), 0, 0);
            var (thresholdFires, thresholdRawFires, rawParts, checkedThresholds, lowerBounds) = (new List<string>(), new List<string>(), 0, 0, 0);
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

                // The threshold rules as the job judges them, from their digests; then over every flow, for comparison.
                watch.Restart();
                var (ruleFires, rulePass) = await ThresholdJudge.JudgeAsync(connection, (filter, _, _) => Task.FromResult(filter), rules, start, start + size,
                    windowRecords.GetValueOrDefault(start), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, default);
                thresholdDigestSeconds += watch.Elapsed.TotalSeconds;
                thresholdFires.AddRange(ruleFires.Select(f => $"{start:HH:mm} {f.Rule.Name} {f.Key}"));
                lowerBounds += ruleFires.Count(f => !(bool)f.Details["exact"]!);
                (rawParts, checkedThresholds) = (rawParts + rulePass.RawParts, checkedThresholds + rulePass.Checked);
                watch.Restart();
                thresholdRawFires.AddRange(await RuleKeysAsync(connection, DetectionSql.Thresholds(start, start + size, thresholds), rules, start));
                thresholdSeconds += watch.Elapsed.TotalSeconds;
            }
            var agree = digestFires.Order().SequenceEqual(rawFires.Order());
            Console.WriteLine($"built-in detectors, the hour (12 windows): from the digests {fingerprints + digestSeconds:F2} s (fingerprints {fingerprints:F2} s; "
                + $"{rawPasses} windows read from the flows, {checkedGroups} groups checked on their flows), {digestFires.Count} groups fired; "
                + $"over every flow {rawSeconds:F1} s, {rawFires.Count} fired; same answers: {(agree ? "yes" : "NO")}");
            Console.WriteLine($"built-in detectors / ingestion = {(fingerprints + digestSeconds) / ingest:P1} (over every flow: {rawSeconds / ingest:P1})");
            var same = thresholdFires.Order().SequenceEqual(thresholdRawFires.Order());
            Console.WriteLine($"{Rules.Length} threshold rules, the hour: from the digests {thresholdDigestSeconds:F2} s ({rawParts} rule windows read from the flows, "
                + $"{checkedThresholds} groups checked on their flows), {thresholdFires.Count} groups fired ({lowerBounds} with a value at least the one given); "
                + $"one pass over every flow {thresholdSeconds:F1} s, "
                + $"{thresholdRawFires.Count} fired; same answers: {(same ? "yes" : "NO")}");
            if (!same)
            {
                Console.WriteLine($"  only from the digests: {string.Join("; ", thresholdFires.Except(thresholdRawFires).Take(10))}");
                Console.WriteLine($"  only over every flow: {string.Join("; ", thresholdRawFires.Except(thresholdFires).Take(10))}");
            }
            Console.WriteLine($"bytes per record: {await BenchNode.BytesPerRecordAsync(database, 0)}");
            Console.WriteLine($"all detections / ingestion = {(fingerprints + digestSeconds + thresholdDigestSeconds) / ingest:P1} "
                + $"(threshold rules {thresholdDigestSeconds / ingest:P1}; over every flow: {(rawSeconds + thresholdSeconds) / ingest:P1}); {BenchArgs.Load()}");
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

    /// <summary>The groups the raw threshold statement fires for, named as the judge names them (the rules in the statement's order).</summary>
    private static async Task<List<string>> RuleKeysAsync(NpgsqlConnection connection, DetectionStatement statement, IReadOnlyList<Rule> rules, DateTimeOffset start)
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
            keys.Add($"{start:HH:mm} {rules[reader.GetInt32(0)].Name} {reader.GetString(1)}");
        }
        return keys;
    }
}
