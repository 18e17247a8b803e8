using System.IO.Compression;
using System.Text;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Tests.FlowLogs;

/// <summary>Reads whole objects in tests and shows records the way AWS writes them.</summary>
internal static class FlowLogTesting
{
    public sealed record ReadOutcome(List<FlowRecord> Records, List<FlowLogError> LineErrors, FlowLogError? ObjectError, IReadOnlyList<string> Warnings);

    public static async Task<ReadOutcome> ReadAllAsync(IFlowLogReader reader)
    {
        await using var _ = reader;
        var records = new List<FlowRecord>();
        var errors = new List<FlowLogError>();
        while (true)
        {
            switch (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                case FlowReadResult.Record:
                    records.Add(reader.Record.Clone());
                    break;
                case FlowReadResult.LineError:
                    errors.Add(reader.Error!);
                    break;
                case FlowReadResult.ObjectError:
                    return new(records, errors, reader.Error, reader.Warnings);
                case FlowReadResult.End:
                    return new(records, errors, null, reader.Warnings);
            }
        }
    }

    public static Task<ReadOutcome> ReadTextAsync(string text, FlowLogFormat? format = null) =>
        ReadAllAsync(new TextFlowLogReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), gzip: false, format));

    public static Task<ReadOutcome> ReadGzipAsync(byte[] gzipBytes, FlowLogFormat? format = null) =>
        ReadAllAsync(new TextFlowLogReader(new MemoryStream(gzipBytes), gzip: true, format));

    public static byte[] Gzip(string text) => Gzip(Encoding.UTF8.GetBytes(text));

    public static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>A field's value as AWS's text would carry it, in the shape of the samples' expected.json.</summary>
    public static object? AwsValue(FlowRecord record, FlowField field) => record.Get(field) switch
    {
        null => null,
        FlowAddress a => a.ToString(),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
        FlowAction a => a.ToString().ToUpperInvariant(),
        LogStatus s => s.ToString().ToUpperInvariant(),
        TrafficType t => t.ToString(),
        FlowDirection d => d.ToString().ToLowerInvariant(),
        TcpFlags f => (long)f,
        byte b => (long)b,
        int i => (long)i,
        long l => l,
        string s => s,
        var other => throw new InvalidOperationException($"unexpected {other.GetType()}"),
    };
}
