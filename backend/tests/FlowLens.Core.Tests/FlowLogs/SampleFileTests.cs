using System.Text.Json;
using FlowLens.Core.FlowLogs;
using static FlowLens.Core.Tests.FlowLogs.FlowLogTesting;

namespace FlowLens.Core.Tests.FlowLogs;

/// <summary>The conformance set: real samples from other projects (testdata/flowlogs, see SOURCES.md).</summary>
public sealed class SampleFileTests
{
    private static string Folder(string name) => Path.Combine(AppContext.BaseDirectory, "testdata", "flowlogs", name);

    private static JsonElement Expected(string folder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(folder), "expected.json"))).RootElement;

    [Theory]
    [InlineData("elastic-beats", "accept-reject-traffic.log")]
    [InlineData("elastic-beats", "bad.log")]
    [InlineData("elastic-beats", "custom-nat-gateway.log")]
    [InlineData("elastic-beats", "custom-transit-gateway.log")]
    [InlineData("elastic-beats", "ipv6.log")]
    [InlineData("elastic-beats", "no-data-skip-data.log")]
    [InlineData("elastic-beats", "tcp-flag-sequence.log")]
    [InlineData("elastic-beats", "tcp-flag-sequence-skip-data.log")]
    [InlineData("transit-gateway", "elastic-firehose-default.log")]
    [InlineData("transit-gateway", "elastic-vpcflow-tgw.log")]
    [InlineData("transit-gateway", "otel-custom-header.log")]
    public async Task Sample_ParsesToItsExpectedValues_PlainAndGzip(string folder, string file)
    {
        var expected = Expected(folder).GetProperty(file);
        var format = expected.GetProperty("headerless_format").GetString() is { } f ? FlowLogFormat.Parse(f) : null;
        var bytes = await File.ReadAllBytesAsync(Path.Combine(Folder(folder), file), TestContext.Current.CancellationToken);

        foreach (var outcome in new[]
        {
            await ReadAllAsync(new TextFlowLogReader(new MemoryStream(bytes), gzip: false, format)),
            await ReadGzipAsync(Gzip(bytes), format),
        })
        {
            Assert.Null(outcome.ObjectError);
            var records = expected.GetProperty("records").EnumerateArray().ToList();
            Assert.Equal(records.Count, outcome.Records.Count);
            for (var i = 0; i < records.Count; i++)
            {
                AssertRecord(records[i], outcome.Records[i]);
            }
            var errors = expected.GetProperty("errors").EnumerateArray()
                .Select(e => (e.GetProperty("line").GetInt64(), e.GetProperty("reason").GetString()));
            Assert.Equal(errors, outcome.LineErrors.Select(e => (e.Line, (string?)e.Reason)));
        }
    }

    [Fact]
    public void TheTransitGatewayDefaultFormat_IsAwssDefault_EveryFieldTyped()
    {
        // AWS: "the flow log records include all version 2 to version 6 fields, in the order shown in the available fields table".
        Assert.Equal(Expected("transit-gateway").GetProperty("elastic-firehose-default.log").GetProperty("headerless_format").GetString(),
            FlowLogFormat.TransitGatewayDefault.ToString());
        Assert.Empty(FlowLogFormat.TransitGatewayDefault.ExtraNames);
    }

    private static void AssertRecord(JsonElement expected, FlowRecord actual)
    {
        foreach (var property in expected.EnumerateObject())
        {
            Assert.True(FlowFields.TryFind(property.Name, out var info), $"unknown field {property.Name}");
            object? want = property.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Number => property.Value.GetInt64(),
                _ => property.Value.GetString(),
            };
            Assert.True(Equals(want, AwsValue(actual, info.Field)), $"{property.Name}: expected {want ?? "null"}, got {AwsValue(actual, info.Field) ?? "null"}");
        }
        // Fields the format lacks stay null.
        var named = expected.EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var info in FlowFields.All.Where(f => !named.Contains(f.Name)))
        {
            Assert.Null(actual.Get(info.Field));
        }
    }
}
