using System.Text;
using FlowLens.Core.FlowLogs;
using static FlowLens.Core.Tests.FlowLogs.FlowLogTesting;

namespace FlowLens.Core.Tests.FlowLogs;

public sealed class BadInputTests
{
    internal const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
    internal const string Line = "2 123456789010 eni-1235b8ca123456789 10.0.0.1 10.0.0.2 443 49152 6 10 840 1418530010 1418530070 ACCEPT OK";

    [Fact]
    public async Task MalformedLine_IsSkipped_AndTheNextLinesStillParse()
    {
        var outcome = await ReadTextAsync($"{Header}\n{Line}\n2 123456789010 eni-1 10.0.0.1\n{Line}\n");
        Assert.Equal(2, outcome.Records.Count);
        var error = Assert.Single(outcome.LineErrors);
        Assert.Equal(3, error.Line);
        Assert.Equal("expected 14 fields, found 4", error.Reason);
    }

    [Fact]
    public async Task TooManyFields_IsAnError()
    {
        var outcome = await ReadTextAsync($"{Line} extra\n");
        Assert.Equal("expected 14 fields, found 15", Assert.Single(outcome.LineErrors).Reason);
    }

    [Fact]
    public async Task TruncatedLastLine_IsAnError_NotAnException()
    {
        var outcome = await ReadTextAsync($"{Header}\n{Line}\n{Line[..40]}");
        Assert.Single(outcome.Records);
        Assert.Equal(3, Assert.Single(outcome.LineErrors).Line);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n\r\n")]
    [InlineData(Header + "\n")]
    [InlineData(Header)]
    public async Task EmptyFile_OrHeaderWithNoRows_ReadsNothing(string text)
    {
        var outcome = await ReadTextAsync(text);
        Assert.Empty(outcome.Records);
        Assert.Empty(outcome.LineErrors);
        Assert.Null(outcome.ObjectError);
    }

    [Fact]
    public async Task CrLfLineEnds_AndRepeatedSpaces_AreAccepted()
    {
        var outcome = await ReadTextAsync($"{Header}\r\n{Line.Replace(" 443 ", "  443   ")}\r\n");
        Assert.Equal(443, Assert.Single(outcome.Records).SrcPort);
    }

    [Fact]
    public async Task RandomBytes_GiveLineErrors_NotExceptions()
    {
        var random = new Random(7);
        var bytes = new byte[200_000];
        random.NextBytes(bytes);
        var outcome = await ReadAllAsync(new TextFlowLogReader(new MemoryStream(bytes), gzip: false));
        Assert.Empty(outcome.Records);
        Assert.NotEmpty(outcome.LineErrors);
        Assert.Null(outcome.ObjectError);
    }

    [Fact]
    public async Task NotGzip_IsAnObjectError()
    {
        var outcome = await ReadGzipAsync(Encoding.UTF8.GetBytes($"{Header}\n{Line}\n"));
        Assert.Empty(outcome.Records);
        Assert.NotNull(outcome.ObjectError);
        Assert.StartsWith("unreadable gzip data", outcome.ObjectError.Reason);
    }

    [Fact]
    public async Task EmptyGzipObject_IsAnObjectError()
    {
        var outcome = await ReadGzipAsync([]);
        Assert.Contains("too short to be gzip", outcome.ObjectError?.Reason);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(1000)]
    [InlineData(30_000)]
    public async Task TruncatedGzip_IsAnObjectError_SoThatNothingPartialIsStored(int cutBytes)
    {
        var random = new Random(1);
        var text = new StringBuilder(Header + "\n");
        for (var i = 0; i < 5000; i++)
        {
            text.Append($"2 123456789010 eni-1 10.0.{random.Next(256)}.{random.Next(256)} 10.1.0.2 {random.Next(65536)} 443 6 {random.Next(1000)} {random.Next(1_000_000)} 1418530010 1418530070 ACCEPT OK\n");
        }
        var gzip = Gzip(text.ToString());
        Assert.True(gzip.Length > cutBytes * 2);

        var whole = await ReadGzipAsync(gzip);
        Assert.Null(whole.ObjectError);
        Assert.Equal(5000, whole.Records.Count);

        var cut = await ReadGzipAsync(gzip[..^cutBytes]);
        Assert.NotNull(cut.ObjectError);
        Assert.Contains("truncated or corrupt", cut.ObjectError.Reason);
    }

    [Fact]
    public async Task CorruptGzipPayload_IsAnObjectError()
    {
        var gzip = Gzip(string.Join('\n', Enumerable.Repeat(Line, 2000)));
        for (var i = 100; i < 140; i++)
        {
            gzip[i] ^= 0x5A;
        }
        var outcome = await ReadGzipAsync(gzip);
        Assert.NotNull(outcome.ObjectError);
    }

    [Fact]
    public async Task OverlongLine_IsOneError_AndReadingGoesOn()
    {
        var text = $"{Header}\n{Line}\n{new string('9', 5000)} {new string('x', 5000)}\n{Line}\n";
        var outcome = await ReadAllAsync(new TextFlowLogReader(
            new MemoryStream(Encoding.UTF8.GetBytes(text)), gzip: false, limits: new FlowLogLimits { MaxLineLength = 4096 }));
        Assert.Equal(2, outcome.Records.Count);
        var error = Assert.Single(outcome.LineErrors);
        Assert.Equal(3, error.Line);
        Assert.Equal("line is longer than 4096 bytes", error.Reason);
    }

    [Fact]
    public async Task UnknownHeaderField_IsKeptAsText_WithAWarning()
    {
        var outcome = await ReadTextAsync("version interface-id future-field action log-status\n3 eni-1 something ACCEPT OK\n3 eni-2 - REJECT OK\n");
        Assert.Equal(["unknown field 'future-field' is kept as text"], outcome.Warnings);
        Assert.Equal(new string?[] { "something" }, outcome.Records[0].Extras.AsEnumerable());
        Assert.Equal(new string?[] { null }, outcome.Records[1].Extras.AsEnumerable());
        Assert.Equal(FlowAction.Reject, outcome.Records[1].Action);
    }

    [Fact]
    public async Task HeaderNamingAFieldTwice_IsALineError_AndTheFormatStays()
    {
        var outcome = await ReadTextAsync($"{Header}\nversion srcaddr srcaddr\n{Line}\n");
        Assert.Single(outcome.Records);
        var error = Assert.Single(outcome.LineErrors);
        Assert.Equal((2L, "bad header line: the field 'srcaddr' appears twice"), (error.Line, error.Reason));
    }

    [Fact]
    public async Task HeaderInTheMiddle_ChangesTheFormatForTheLinesAfterIt()
    {
        var outcome = await ReadTextAsync($"{Header}\n{Line}\n\nversion srcaddr dstport log-status\n5 10.9.9.9 22 OK\n");
        Assert.Equal(2, outcome.Records.Count);
        Assert.Equal("10.9.9.9", outcome.Records[1].SrcAddr.ToString());
        Assert.Null(outcome.Records[1].AccountId);
    }
}
