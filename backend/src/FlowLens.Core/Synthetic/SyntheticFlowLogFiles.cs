using System.Globalization;
using System.IO.Compression;
using System.Text;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Synthetic;

/// <summary>Writes synthetic flow logs as AWS delivers them to S3: gzip text with a header, in the S3 key layout.</summary>
public static class SyntheticFlowLogFiles
{
    public const string Region = SyntheticEstate.Region;

    /// <summary>
    /// Writes <paramref name="files"/> objects spread over the 24 hours from <paramref name="start"/>, each with
    /// <paramref name="recordsPerFile"/> records (v5 format with a header), under <c>{root}/AWSLogs/...</c>.
    /// Returns the keys written, relative to <paramref name="root"/>. <paramref name="plant"/> adds records to the
    /// object of each window (given its start): the demo's attacks (<see cref="SyntheticAttacks"/>).
    /// </summary>
    public static IReadOnlyList<string> WriteDay(string root, DateTimeOffset start, int files, int recordsPerFile, int seed = 1, FlowLogFormat? format = null,
        Func<DateTimeOffset, IEnumerable<FlowRecord>>? plant = null)
    {
        format ??= SyntheticFlows.V5AllFields;
        var flows = new SyntheticFlows(seed);
        var keys = new List<string>();
        for (var f = 0; f < files; f++)
        {
            var window = start.AddMinutes(f * 24 * 60 / files);
            var records = Enumerable.Range(0, recordsPerFile).Select(_ => flows.Next(window)).ToList();
            records.AddRange(plant?.Invoke(window) ?? []);
            var account = records[0].AccountId!;
            var key = KeyFor(account, window, f);
            var path = Path.Combine(root, key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var file = File.Create(path);
            using var gzip = new GZipStream(file, CompressionLevel.Fastest);
            using var writer = new StreamWriter(gzip, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
            writer.WriteLine(FlowLogText.Header(format));
            foreach (var record in records)
            {
                writer.WriteLine(FlowLogText.Line(record, format));
            }
            keys.Add(key);
        }
        return keys;
    }

    /// <summary>An S3 key in AWS's layout for an object delivered at <paramref name="time"/>.</summary>
    public static string KeyFor(string account, DateTimeOffset time, int serial) =>
        string.Create(CultureInfo.InvariantCulture,
            $"AWSLogs/{account}/vpcflowlogs/{Region}/{time:yyyy}/{time:MM}/{time:dd}/{account}_vpcflowlogs_{Region}_fl-0a1b2c3d4e5f60718_{time:yyyyMMdd'T'HHmm'Z'}_{serial:x8}.log.gz");
}
