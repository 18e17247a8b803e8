using System.IO.Compression;
using System.Text;
using FlowLens.Core.Firehose;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Tests.Firehose;

/// <summary>
/// Bodies in the shape of Firehose's HTTP endpoint delivery request (docs.aws.amazon.com/firehose/latest/dev/httpdeliveryrequestresponse.html),
/// with records as VPC Flow Logs publish them to Firehose (plain text) and as a CloudWatch Logs subscription sends them
/// (gzip JSON, docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html).
/// </summary>
public class FirehoseRecordStreamTests
{
    private const string Line1 = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
    private const string Line2 = "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK";

    internal static string Body(IEnumerable<byte[]> records, string requestId = "ed4acda5-034f-9f42-bba1-f29aea6d7d8f", string extra = "") =>
        $$"""{"requestId":"{{requestId}}","timestamp":1578090901599,{{extra}}"records":[{{string.Join(",", records.Select(r => $$"""{"data":"{{Convert.ToBase64String(r)}}"}"""))}}]}""";

    internal static byte[] CloudWatchMessage(string messageType, params string[] messages) => Gzip(Encoding.UTF8.GetBytes($$"""
        {"messageType":"{{messageType}}","owner":"123456789010","logGroup":"/vpc/flow-logs","logStream":"eni-1235b8ca123456789-all",
         "subscriptionFilters":["to-firehose"],"logEvents":[{{string.Join(",", messages.Select((m, i) => $$"""{"id":"3719519539{{i}}","timestamp":1418530070000,"message":"{{m}}"}"""))}}]}
        """));

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }

    private static async Task<(string Text, FirehoseRecordStream Stream)> ReadAsync(string body, int chunk = 4096, long limit = 1 << 30, bool trickle = false)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var stream = new FirehoseRecordStream(trickle ? new TrickleStream(bytes) : new MemoryStream(bytes), limit);
        var text = new MemoryStream();
        var buffer = new byte[chunk];
        int read;
        while ((read = await stream.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0)
        {
            text.Write(buffer, 0, read);
        }
        return (Encoding.UTF8.GetString(text.ToArray()), stream);
    }

    [Fact]
    public async Task ReadsEachRecordsText_EndingEachWithANewline_AndNothingForAnEmptyOne()
    {
        var (text, stream) = await ReadAsync(Body([Encoding.UTF8.GetBytes(Line1), Encoding.UTF8.GetBytes(Line1 + "\n" + Line2 + "\n"), []]));

        Assert.Equal($"{Line1}\n{Line1}\n{Line2}\n", text);
        Assert.Equal(("ed4acda5-034f-9f42-bba1-f29aea6d7d8f", 1578090901599L, 3), (stream.RequestId, stream.Timestamp, stream.Records));
    }

    [Fact]
    public async Task ReadsTheSame_WhateverTheBodyAndTheReadsAreCutInto()
    {
        // Long records (10 KB each) across the 64 KB buffer, a body that arrives a byte at a time, reads of 7 bytes.
        var records = Enumerable.Range(0, 40).Select(i => Encoding.UTF8.GetBytes(string.Join("\n", Enumerable.Repeat(i % 2 == 0 ? Line1 : Line2, 90)))).ToList();
        var expected = string.Concat(records.Select(r => Encoding.UTF8.GetString(r) + "\n"));

        Assert.Equal(expected, (await ReadAsync(Body(records), chunk: 7, trickle: true)).Text);
        Assert.Equal(expected, (await ReadAsync(Body(records), chunk: 100_000)).Text);
    }

    [Fact]
    public async Task ReadsCloudWatchLogsSubscriptionMessages_AndSkipsControlMessages()
    {
        var body = Body([CloudWatchMessage("CONTROL_MESSAGE", "CWL CONTROL MESSAGE: Checking health of destination Firehose."), CloudWatchMessage("DATA_MESSAGE", Line1, Line2)]);

        Assert.Equal($"{Line1}\n{Line2}\n", (await ReadAsync(body)).Text);
    }

    [Fact]
    public async Task IgnoresOtherProperties_AndReadsEscapedBase64()
    {
        var data = Convert.ToBase64String(Encoding.UTF8.GetBytes(Line1 + "???>>>")).Replace("/", "\\/");
        var body = $$$"""{"other":{"records":[1,2],"data":"x"},"list":[{"a":[{}]}],"requestId":"r-1","records":[{"id":7,"data":"{{{data}}}","more":{"data":1}}],"after":null}""";

        var (text, stream) = await ReadAsync(body);

        Assert.Equal(Line1 + "???>>>\n", text);
        Assert.Equal(("r-1", (long?)null), (stream.RequestId, stream.Timestamp));
    }

    [Theory]
    [InlineData("", "the body is not JSON")]
    [InlineData("not json", "the body is not JSON")]
    [InlineData("""{"requestId":"r","records":[{"data":"AAAA"}]""", "the body is not JSON")]
    [InlineData("""{"requestId":"r","records":[]} {"records":[]}""", "the body is not JSON")]
    [InlineData("""[{"data":"AAAA"}]""", "the body is not a JSON object")]
    [InlineData("""{"requestId":"r"}""", "the body has no records array")]
    [InlineData("""{"records":{"data":"AAAA"}}""", "records is not an array")]
    [InlineData("""{"records":[],"records":[]}""", "the body has two records arrays")]
    [InlineData("""{"records":[{"data":"AAAA"},"AAAA"]}""", "record 2 is not an object")]
    [InlineData("""{"records":[{"data":"AAAA"},{"id":1}]}""", "record 2 has no data")]
    [InlineData("""{"records":[{"data":"not base64!"}]}""", "record 1: data is not base64")]
    [InlineData("""{"records":[{"data":12}]}""", "record 1: data is not base64")]
    [InlineData("""{"records":[{"data":"AAAA","data":"AAAA"}]}""", "record 1: data appears twice")]
    [InlineData("""{"requestId":7,"records":[]}""", "requestId is not a string")]
    [InlineData("""{"timestamp":"now","records":[]}""", "timestamp is not a number of milliseconds")]
    public async Task RefusesBodiesThatAreNotFirehoses_SayingWhere(string body, string reason)
    {
        var error = await Assert.ThrowsAsync<UnreadableInputException>(() => ReadAsync(body));

        Assert.StartsWith(reason, error.Message);
    }

    [Fact]
    public async Task RefusesRecordsThatAreNeitherTextNorCloudWatchMessages()
    {
        var notCloudWatch = Encoding.UTF8.GetBytes("""{"message":"2 123456789010 eni-1 ..."}""");
        var noMessage = Gzip(Encoding.UTF8.GetBytes("""{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1"}]}"""));

        Assert.StartsWith("record 2 is JSON but not a CloudWatch Logs subscription message", (await Assert.ThrowsAsync<UnreadableInputException>(() => ReadAsync(Body([[], notCloudWatch])))).Message);
        Assert.StartsWith("record 1 starts like JSON but is not JSON", (await Assert.ThrowsAsync<UnreadableInputException>(() => ReadAsync(Body([Encoding.UTF8.GetBytes("{ nope")])))).Message);
        Assert.StartsWith("record 1: a log event has no message", (await Assert.ThrowsAsync<UnreadableInputException>(() => ReadAsync(Body([noMessage])))).Message);
        Assert.StartsWith("record 1: unreadable gzip data", (await Assert.ThrowsAsync<UnreadableInputException>(() => ReadAsync(Body([[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff]])))).Message);
    }

    [Fact]
    public async Task RefusesAGzipBombRecord()
    {
        var bomb = Gzip(new byte[FirehoseRecordStream.MaxRecordBytes + 1]);

        var error = await Assert.ThrowsAsync<UnreadableInputException>(() => ReadAsync(Body([bomb])));

        Assert.Equal($"record 1 holds more than {FirehoseRecordStream.MaxRecordBytes} bytes once decompressed", error.Message);
    }

    [Fact]
    public async Task RefusesAValueLongerThanAnyRecord_AndABodyPastItsLimit()
    {
        var huge = $$"""{"records":[{"data":"{{new string('A', FirehoseRecordStream.MaxValueBytes + 4)}}"}]}""";
        Assert.StartsWith($"a value in the body is longer than {FirehoseRecordStream.MaxValueBytes} bytes",
            (await Assert.ThrowsAsync<UnreadableInputException>(() => ReadAsync(huge))).Message);

        var body = Body(Enumerable.Range(0, 1000).Select(_ => Encoding.UTF8.GetBytes(Line1)));
        var tooLarge = await Assert.ThrowsAsync<FirehoseBodyTooLargeException>(() => ReadAsync(body, limit: 100_000));
        Assert.Equal(100_000, tooLarge.Limit);
        Assert.Equal(Encoding.UTF8.GetByteCount(body), (await ReadAsync(body, limit: Encoding.UTF8.GetByteCount(body))).Stream.BodyBytes);
    }

    [Fact]
    public async Task ATextFlowLogReader_ReportsTheBodysReasonAsTheObjectsError()
    {
        var stream = new FirehoseRecordStream(new MemoryStream(Encoding.UTF8.GetBytes("""{"records":[{"data":"AAAA"},{"id":1}]}""")), 1 << 20);
        await using var reader = new TextFlowLogReader(stream, gzip: false);

        Assert.Equal(FlowReadResult.LineError, await reader.ReadAsync(TestContext.Current.CancellationToken)); // three NUL bytes: not a flow log line
        Assert.Equal(FlowReadResult.ObjectError, await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal("record 2 has no data", reader.Error!.Reason);
    }

    /// <summary>A body that arrives one byte at a time.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
