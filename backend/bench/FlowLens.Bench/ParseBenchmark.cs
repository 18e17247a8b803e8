using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using FlowLens.Core.Detections;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Stats;
using FlowLens.Core.Synthetic;

namespace FlowLens.Bench;

/// <summary>
/// Parsing speed, one thread: v2 default lines and v5 all-fields lines from memory, and a gzip file of 1M v2
/// lines end to end. Input is generated here. Each case runs once to warm up, then five times; the median counts.
/// </summary>
internal static class ParseBenchmark
{
    private const int Runs = 5;

    /// <summary>With <c>--objects</c>, only the realistic objects read as ingestion reads them.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        Console.WriteLine($"FlowLens parse benchmark — {Environment.ProcessorCount} cores, .NET {Environment.Version}, one thread");
        if (new BenchArgs(args).Flag("objects"))
        {
            await MeasureObjectsAsync();
            return 0;
        }
        var v2 = Generate(FlowLogFormat.Default, 2_000_000);
        var v5 = Generate(SyntheticFlows.V5AllFields, 1_000_000);
        var gzipPath = Path.Combine(Path.GetTempPath(), $"flowlens-bench-{Environment.ProcessId}.log.gz");
        try
        {
            await File.WriteAllBytesAsync(gzipPath, Gzip(Generate(FlowLogFormat.Default, 1_000_000)));
            await MeasureAsync("v2 default, from memory", v2.Length, () => new TextFlowLogReader(new MemoryStream(v2), gzip: false));
            await MeasureAsync("v5 all fields, from memory", v5.Length, () => new TextFlowLogReader(new MemoryStream(v5), gzip: false));
            await MeasureAsync("v5 all fields, from memory, with rollup sums", v5.Length, () => new TextFlowLogReader(new MemoryStream(v5), gzip: false), rollups: true);
            await MeasureAsync($"gzip file, 1M v2 lines ({new FileInfo(gzipPath).Length / 1_048_576.0:F1} MiB), end to end", null,
                () => new TextFlowLogReader(new FileStream(gzipPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: false), gzip: true));
            await MeasureObjectsAsync();
        }
        finally
        {
            File.Delete(gzipPath);
        }
        return 0;
    }

    private static async Task MeasureAsync(string name, long? inputBytes, Func<IFlowLogReader> open, bool rollups = false)
    {
        await ReadAllAsync(open(), rollups); // warm-up: JIT, tiering, caches
        var results = new List<(double LinesPerSecond, double BytesPerLine, long Lines)>();
        for (var run = 0; run < Runs; run++)
        {
            var reader = open();
            GC.Collect();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var clock = Stopwatch.StartNew();
            var lines = await ReadAllAsync(reader, rollups);
            clock.Stop();
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            results.Add((lines / clock.Elapsed.TotalSeconds, (double)allocated / lines, lines));
        }
        var median = results.OrderBy(r => r.LinesPerSecond).ElementAt(Runs / 2);
        var best = results.Max(r => r.LinesPerSecond);
        var throughput = inputBytes is { } b ? $", {b / (median.Lines / median.LinesPerSecond) / 1_048_576:F0} MiB/s" : "";
        Console.WriteLine($"{name}: {median.Lines:N0} lines; median {median.LinesPerSecond / 1e6:F2}M lines/s (best {best / 1e6:F2}M){throughput}; {median.BytesPerLine:F2} bytes allocated per line");
    }

    /// <summary>Reads every line; with <paramref name="rollups"/>, sums the records as ingestion does, one accumulator per 50,000 (an object).</summary>
    private static async Task<long> ReadAllAsync(IFlowLogReader reader, bool rollups)
    {
        await using var _ = reader;
        long lines = 0;
        var sums = new RollupAccumulator();
        while (true)
        {
            switch (await reader.ReadAsync())
            {
                case FlowReadResult.Record:
                    lines++;
                    if (rollups)
                    {
                        sums.Add(reader.Record);
                        if (lines % 50_000 == 0)
                        {
                            sums = new RollupAccumulator();
                        }
                    }
                    break;
                case FlowReadResult.End:
                    return lines;
                default:
                    throw new InvalidOperationException($"benchmark input did not parse: {reader.Error}");
            }
        }
    }

    /// <summary>
    /// Realistic traffic (200,000 internet addresses a day) in gzip objects of 50,000 v2 records, each read as
    /// ingestion reads one: parsed, summed, and its hourly top summaries bounded at the end (FlowLens:Rollups:TopKeys).
    /// </summary>
    private static async Task MeasureObjectsAsync()
    {
        var folder = Directory.CreateTempSubdirectory("flowlens-parse-bench").FullName;
        try
        {
            var day = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1), TimeSpan.Zero);
            TrafficFiles.Write(folder, new RealisticTraffic(200_000, 3000), FlowLogFormat.Default, day, TimeSpan.FromDays(1), 1_000_000, TrafficFiles.RecordsPerObject);
            var objects = Directory.GetFiles(folder, "*.gz", SearchOption.AllDirectories);
            await ReadObjectsAsync(objects, digests: true); // warm-up
            // Alternating without and with the detections' digests (as ingestion keeps them), so their cost shows apart.
            var runs = new List<(bool Digests, double Seconds, double SummarySeconds, double Bytes, int Gen2, long Lines)>();
            for (var run = 0; run < Runs * 2; run++)
            {
                var digests = run % 2 == 1;
                GC.Collect();
                var (allocated, gen2) = (GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(2));
                var clock = Stopwatch.StartNew();
                var (lines, summarySeconds) = await ReadObjectsAsync(objects, digests);
                runs.Add((digests, clock.Elapsed.TotalSeconds, summarySeconds, GC.GetTotalAllocatedBytes(precise: true) - allocated, GC.CollectionCount(2) - gen2, lines));
            }
            foreach (var digests in new[] { false, true })
            {
                var median = runs.Where(r => r.Digests == digests).OrderBy(r => r.Seconds).ElementAt(Runs / 2);
                Console.WriteLine($"realistic v2 objects ({objects.Length} x {TrafficFiles.RecordsPerObject:N0} records, gzip, 200,000 internet addresses a day), parse + sums + top summaries" +
                    $"{(digests ? " + detection digests" : "")}: median {median.Seconds / median.Lines * 1e6:F2} µs a line (the summaries {median.SummarySeconds / median.Lines * 1e6:F2}); " +
                    $"{median.Bytes / median.Lines:F0} bytes allocated per line, {median.Gen2} gen2 GCs per {median.Lines:N0} lines");
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Reads each object as ingestion does (with <paramref name="digests"/>, also the detections' digests and their
    /// bounded slices, DigestWriter.Keys per family); returns the lines and the seconds spent bounding the summaries.
    /// </summary>
    private static async Task<(long Lines, double SummarySeconds)> ReadObjectsAsync(string[] objects, bool digests)
    {
        long lines = 0;
        var summaries = TimeSpan.Zero;
        var digest = new DetectionDigest();
        foreach (var path in objects)
        {
            var sums = new RollupAccumulator();
            await using (var reader = new TextFlowLogReader(File.OpenRead(path), gzip: true))
            {
                while (await reader.ReadAsync() == FlowReadResult.Record)
                {
                    sums.Add(reader.Record);
                    if (digests)
                    {
                        digest.Add(reader.Record);
                    }
                    lines++;
                }
            }
            var started = Stopwatch.GetTimestamp();
            foreach (var _ in sums.Summaries(1000))
            {
            }
            summaries += Stopwatch.GetElapsedTime(started);
            sums.Release();
            foreach (var _ in digest.Slices(FlowLens.Api.Features.Detections.DigestWriter.Keys))
            {
            }
            digest.Clear();
        }
        return (lines, summaries.TotalSeconds);
    }

    private static byte[] Generate(FlowLogFormat format, int lines)
    {
        var flows = new SyntheticFlows(seed: 42);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var text = new StringBuilder(FlowLogText.Header(format)).Append('\n');
        for (var i = 0; i < lines; i++)
        {
            var record = flows.Next(start.AddMinutes(i / 10_000));
            record.Version = format == FlowLogFormat.Default ? 2 : 5;
            text.Append(FlowLogText.Line(record, format)).Append('\n');
        }
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }
}
