using System.Text.Json;
using FlowLens.Core.FlowLogs;
using static FlowLens.Core.Tests.FlowLogs.FlowLogTesting;

namespace FlowLens.Core.Tests.FlowLogs;

/// <summary>The conformance set: real samples from other projects (testdata/flowlogs, see SOURCES.md).</summary>
public sealed class SampleFileTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "testdata", "flowlogs", "elastic-beats");

    private static readonly JsonElement Expected =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "expected.json"))).RootElement;

    [Theory]
    [InlineData("accept-reject-traffic.log")]
    [InlineData("bad.log")]
    [InlineData("custom-nat-gateway.log")]
    [InlineData("custom-transit-gateway.log")]
    [InlineData("ipv6.log")]
    [InlineData("no-data-skip-data.log")]
    [InlineData("tcp-flag-sequence.log")]
    [InlineData("tcp-flag-sequence-skip-data.log")]
    public async Task Sample_ParsesToItsExpectedValues_PlainAndGzip(string file)
    {
        var expected = Expected.GetProperty(file);
        var format = expected.GetProperty("headerless_format").GetString() is { } f ? FlowLogFormat.Parse(f) : null;
        var bytes = await File.ReadAllBytesAsync(Path.Combine(Folder, file), TestContext.Current.CancellationToken);

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
