using System.Text;
using FlowLens.Core.FlowLogs;
using static FlowLens.Core.Tests.FlowLogs.FlowLogTesting;

namespace FlowLens.Core.Tests.FlowLogs;

/// <summary>Input an attacker who can write flow log objects or events would try: each is a bad line or a failed object, never an exception.</summary>
public sealed class PoisonInputTests
{
    private const string Header = BadInputTests.Header;
    private const string Line = BadInputTests.Line;

    public static TheoryData<string, byte[], string?, string> PoisonValues => new()
    {
        { "NUL in a text field", [.. "eni-1"u8, 0, .. "23"u8], "interface-id", "the value holds a NUL byte" },
        { "invalid UTF-8", [.. "eni-"u8, 0xff, 0xfe], "interface-id", "the value is not valid UTF-8" },
        { "overlong UTF-8 (a slash)", [.. "eni-"u8, 0xc0, 0xaf], "interface-id", "the value is not valid UTF-8" },
        { "a surrogate encoded in UTF-8", [.. "eni-"u8, 0xed, 0xa0, 0x80], "interface-id", "the value is not valid UTF-8" },
        { "a 2 KB id", Encoding.ASCII.GetBytes("eni-" + new string('a', 2048)), "interface-id", "the value is longer than 1024 bytes" },
        { "NUL in a number", [.. "44"u8, 0, .. "3"u8], "srcport", "'44\ufffd3' is not a whole number" },
    };

    [Theory]
    [MemberData(nameof(PoisonValues))]
    public async Task PoisonValue_IsALineError_WithAPrintableSample_AndTheOtherLinesAreRead(string what, byte[] value, string? field, string reason)
    {
        var column = what.Contains("number") ? 5 : 2;
        var parts = Line.Split(' ').Select(p => Encoding.ASCII.GetBytes(p)).ToArray();
        parts[column] = value;
        var text = new List<byte>();
        text.AddRange(Encoding.ASCII.GetBytes($"{Header}\n{Line}\n"));
        text.AddRange(parts.SelectMany((p, i) => i == 0 ? p : [(byte)' ', .. p]));
        text.AddRange(Encoding.ASCII.GetBytes($"\n{Line}\n"));

        var outcome = await ReadAllAsync(new TextFlowLogReader(new MemoryStream([.. text]), gzip: false));

        Assert.Equal(2, outcome.Records.Count);
        var error = Assert.Single(outcome.LineErrors);
        Assert.Equal((3L, field, reason), (error.Line, error.Field, error.Reason));
        Assert.DoesNotContain(error.Text, c => char.IsControl(c) || char.IsSurrogate(c));
    }

    [Fact]
    public async Task NulInAnUnknownField_IsALineError()
    {
        var outcome = await ReadTextAsync("version future-field action log-status\n3 a\0b ACCEPT OK\n3 ok ACCEPT OK\n");
        Assert.Equal("ok", Assert.Single(outcome.Records).Extras[0]);
        Assert.Equal(("future-field", "the value holds a NUL byte"), (outcome.LineErrors[0].Field, outcome.LineErrors[0].Reason));
    }

    [Fact]
    public async Task HugeLineWithoutANewline_IsOneLineError_ReadWithBoundedMemory()
    {
        var huge = new string('x', 10 << 20);
        var outcome = await ReadAllAsync(new TextFlowLogReader(new MemoryStream(Gzip($"{Header}\n{Line}\n{huge}")), gzip: true));
        Assert.Single(outcome.Records);
        Assert.Equal("line is longer than 65536 bytes", Assert.Single(outcome.LineErrors).Reason);
        Assert.Null(outcome.ObjectError);
    }

    [Fact]
    public async Task GzipBomb_FailsTheObject_AtMaxObjectBytes()
    {
        var bomb = Gzip(new byte[64 << 20]); // 64 MiB of NULs, 64 KiB compressed
        var outcome = await ReadAllAsync(new TextFlowLogReader(new MemoryStream(bomb), gzip: true, limits: new FlowLogLimits { MaxObjectBytes = 8 << 20 }));
        Assert.Equal("the object holds more than 8388608 bytes once decompressed (limit MaxObjectBytes)", outcome.ObjectError?.Reason);
    }

    [Fact]
    public async Task TooManyLines_FailsTheObject_AtMaxRecordsPerObject()
    {
        var text = Header + "\n" + string.Concat(Enumerable.Repeat(Line + "\n", 1001));
        var limits = new FlowLogLimits { MaxRecordsPerObject = 1000 };
        var outcome = await ReadAllAsync(new TextFlowLogReader(new MemoryStream(Encoding.ASCII.GetBytes(text)), gzip: false, limits: limits));
        Assert.Equal("the object holds more than 1000 lines (limit MaxRecordsPerObject)", outcome.ObjectError?.Reason);

        var exactly = await ReadAllAsync(new TextFlowLogReader(new MemoryStream(Encoding.ASCII.GetBytes(text[..^(Line.Length + 1)])), gzip: false, limits: limits));
        Assert.Equal((1000, (FlowLogError?)null), (exactly.Records.Count, exactly.ObjectError));
    }

    [Fact]
    public async Task ManyHeaders_KeepWarningsBounded()
    {
        var text = string.Concat(Enumerable.Range(0, 500).Select(i => $"version unknown-{i} action log-status\n3 x ACCEPT OK\n"));
        var outcome = await ReadTextAsync(text);
        Assert.Equal(500, outcome.Records.Count);
        Assert.Equal(50, outcome.Warnings.Count);
    }

    public static TheoryData<string, string> PoisonMessages => new()
    {
        { Line.Replace("eni-1235b8ca123456789", "eni-\0"), "the value holds a NUL byte" },
        { Line.Replace("eni-1235b8ca123456789", "eni-\ud800x"), "line is not valid Unicode (a lone surrogate)" },
        { Line.Replace("eni-1235b8ca123456789", "eni-" + new string('é', 40_000)), "line is longer than 65536 bytes" },
        { Line + new string(' ', 70_000), "line is longer than 65536 bytes" },
    };

    [Theory]
    [MemberData(nameof(PoisonMessages), DisableDiscoveryEnumeration = true)] // a lone surrogate does not survive serialisation
    public void PoisonMessage_IsALineError_AndTheParserGoesOn(string message, string reason)
    {
        var parser = new FlowLineParser(FlowLogFormat.Default);
        Assert.False(parser.TryParse(message, 7, 65536, out var error));
        Assert.Equal((7L, reason), (error!.Line, error.Reason));
        Assert.DoesNotContain(error.Text, c => char.IsControl(c) || char.IsSurrogate(c));
        Assert.True(parser.TryParse(Line + "\n", 8, 65536, out _));
        Assert.Equal("eni-1235b8ca123456789", parser.Record.InterfaceId);
    }

    [Fact]
    public async Task ParquetRowGroup_OverMaxParquetRowGroupRows_FailsTheObject()
    {
        var file = await ParquetTests.WriteAsync([["5 123456789010 eni-1 10.0.0.1 52.95.1.1 49152 443 6 10 840 1700000000 1700000060 ACCEPT OK vpc-1 S3 egress 8"]]);
        var outcome = await ReadAllAsync(new ParquetFlowLogReader(file, new FlowLogLimits { MaxParquetRowGroupRows = 0 }));
        Assert.Equal("a row group claims 1 rows, more than 0 (limit MaxParquetRowGroupRows)", outcome.ObjectError?.Reason);
        Assert.Empty(outcome.Records);
    }

    [Fact]
    public async Task ParquetFooter_ClaimingTwoBillionRows_FailsTheObject_WithoutAllocatingThem()
    {
        var file = (await ParquetTests.WriteAsync([["5 123456789010 eni-1 10.0.0.1 52.95.1.1 49152 443 6 10 840 1700000000 1700000060 ACCEPT OK vpc-1 S3 egress 8"]])).ToArray();
        var outcome = await ReadAllAsync(new ParquetFlowLogReader(new MemoryStream(ClaimRows(file, 2_000_000_000))));
        Assert.Equal("a row group claims 2000000000 rows, more than 1000000 (limit MaxParquetRowGroupRows)", outcome.ObjectError?.Reason);
    }

    /// <summary>
    /// Rewrites a one-row file's footer so that its row counts (Thrift compact: field 3, i64, zigzag varint 2) say
    /// <paramref name="rows"/>, as a crafted file would; the footer length is fixed up after.
    /// </summary>
    private static byte[] ClaimRows(byte[] file, long rows)
    {
        var footerLength = BitConverter.ToInt32(file, file.Length - 8);
        var footerStart = file.Length - 8 - footerLength;
        var footer = file.AsSpan(footerStart, footerLength).ToArray();
        var varint = new List<byte>();
        for (var v = (ulong)(rows << 1); ; v >>= 7)
        {
            if (v < 0x80)
            {
                varint.Add((byte)v);
                break;
            }
            varint.Add((byte)(v | 0x80));
        }
        var patched = new List<byte>();
        for (var i = 0; i < footer.Length; i++)
        {
            if (footer[i] == 0x16 && i + 1 < footer.Length && footer[i + 1] == 0x02)
            {
                patched.Add(0x16);
                patched.AddRange(varint);
                i++;
                continue;
            }
            patched.Add(footer[i]);
        }
        return [.. file.AsSpan(0, footerStart), .. patched, .. BitConverter.GetBytes(patched.Count), .. "PAR1"u8];
    }
}
