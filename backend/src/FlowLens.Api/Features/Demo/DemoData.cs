using FlowLens.Core.Detections;
using FlowLens.Core.Synthetic;

namespace FlowLens.Api.Features.Demo;

/// <summary>
/// <c>FlowLens.Api demo-data DIR</c>: writes the last 24 hours of synthetic flow logs into DIR as AWS delivers
/// them to S3 (gzip, one object every 5 minutes), with the planted attacks of <see cref="SyntheticAttacks"/>, for
/// the local demo and the compose demo.
/// </summary>
public static class DemoData
{
    public const int Files = 288, RecordsPerFile = 500;

    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] == "demo-data";

    public static int Run(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: FlowLens.Api demo-data <folder>");
            return 2;
        }
        var (keys, records) = Write(args[1], DateTimeOffset.UtcNow, RecordsPerFile);
        Console.WriteLine($"Wrote {keys.Count} flow log objects ({records:N0} records) under {Path.GetFullPath(args[1])}");
        return 0;
    }

    /// <summary>
    /// The day before <paramref name="now"/>, starting on a 5-minute boundary so each object's records (and each
    /// planted attack) fall in one detection window; the newest records end a few minutes before now, so every
    /// window but the last ~15 minutes is judged at once (docs/detections.md, grace).
    /// </summary>
    public static (IReadOnlyList<string> Keys, int Records) Write(string folder, DateTimeOffset now, int recordsPerFile)
    {
        var start = DetectionWindows.Floor(now.AddDays(-1), TimeSpan.FromMinutes(5));
        var planted = 0;
        var keys = SyntheticFlowLogFiles.WriteDay(folder, start, Files, recordsPerFile, seed: 2026, plant: window =>
        {
            var records = SyntheticAttacks.For(start, window);
            planted += records.Count;
            return records;
        });
        return (keys, keys.Count * recordsPerFile + planted);
    }
}
