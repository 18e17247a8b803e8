using System.Text;
using FlowLens.Core.FlowLogs;
using FsCheck;
using FsCheck.Fluent;

namespace FlowLens.Core.Tests.FlowLogs;

/// <summary>Random input never makes a reader throw: every line ends as a record or an error.</summary>
public sealed class PropertyTests
{
    private static readonly string[] Pieces =
    [
        "2", "5", "123456789010", "eni-1", "10.0.0.1", "2001:db8::1", "::", "-", "ACCEPT", "REJECT", "OK", "NODATA",
        "SKIPDATA", "443", "65536", "99999999999999999999", "1418530010", "version", "srcaddr", "IPv4", "egress", "8",
        " ", "  ", "\t", "\r", "\n", "\u00e9", "\0", ":", ".", "${x}", "log-status",
    ];

    [Fact]
    public void RandomLines_NeverThrow_AndEveryLineIsARecordOrAnError()
    {
        var line = Gen.Elements(Pieces).ListOf().Select(parts => string.Join(' ', parts));
        var lines = line.ListOf().Select(l => string.Join('\n', l));
        Prop.ForAll(lines.ToArbitrary(), text =>
        {
            var (records, errors) = ReadAll(Encoding.UTF8.GetBytes(text), FlowLogFormat.Default);
            // Every line but blank ones and valid headers ends as a record or an error; nothing is lost silently.
            var counted = text.Split('\n').Select(l => l.TrimEnd(' ', '\t', '\r')).Count(l => l.Trim(' ', '\t').Length > 0 &&
                !(FlowLogFormat.LooksLikeHeader(Encoding.UTF8.GetBytes(l)) && FlowLogFormat.TryParse(l, out _, out _)));
            return records + errors == counted;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Fact]
    public void RandomBytes_NeverThrow_PlainOrGzip()
    {
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            ReadAll(bytes, FlowLogFormat.Default);
            ReadAll(bytes, FlowLogFormat.Default, gzip: true);
            return true;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    private static (int Records, int Errors) ReadAll(byte[] bytes, FlowLogFormat format, bool gzip = false)
    {
        var reader = new TextFlowLogReader(new MemoryStream(bytes), gzip, format);
        var (records, errors) = (0, 0);
        while (true)
        {
            switch (reader.ReadAsync().AsTask().GetAwaiter().GetResult())
            {
                case FlowReadResult.Record: records++; break;
                case FlowReadResult.LineError: errors++; break;
                default: return (records, errors);
            }
        }
    }
}
