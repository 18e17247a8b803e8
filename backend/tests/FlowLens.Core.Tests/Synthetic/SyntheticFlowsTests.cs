using FlowLens.Core.FlowLogs;
using FlowLens.Core.Synthetic;
using static FlowLens.Core.Tests.FlowLogs.FlowLogTesting;

namespace FlowLens.Core.Tests.Synthetic;

public sealed class SyntheticFlowsTests
{
    private static readonly DateTimeOffset Window = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Records_WrittenAsAwsText_ParseBackToThemselves()
    {
        var flows = new SyntheticFlows(seed: 3);
        var records = Enumerable.Range(0, 2000).Select(_ => flows.Next(Window)).ToList();
        var format = SyntheticFlows.V5AllFields;
        var text = FlowLogText.Header(format) + "\n" + string.Join("\n", records.Select(r => FlowLogText.Line(r, format)));

        var outcome = await ReadTextAsync(text);
        Assert.Empty(outcome.LineErrors);
        Assert.Equal(records.Count, outcome.Records.Count);
        for (var i = 0; i < records.Count; i++)
        {
            foreach (var field in FlowFields.All)
            {
                Assert.Equal(records[i].Get(field.Field), outcome.Records[i].Get(field.Field));
            }
        }
    }

    [Fact]
    public void Flows_AreDeterministic_AndVaried()
    {
        var a = new SyntheticFlows(seed: 9);
        var first = Enumerable.Range(0, 5000).Select(_ => FlowLogText.Line(a.Next(Window), SyntheticFlows.V5AllFields)).ToList();
        var b = new SyntheticFlows(seed: 9);
        Assert.Equal(first, Enumerable.Range(0, 5000).Select(_ => FlowLogText.Line(b.Next(Window), SyntheticFlows.V5AllFields)));

        var again = new SyntheticFlows(seed: 9);
        var records = Enumerable.Range(0, 5000).Select(_ => again.Next(Window)).ToList();
        Assert.Contains(records, r => r.Action == FlowAction.Reject);
        Assert.Contains(records, r => r.LogStatus == LogStatus.NoData);
        Assert.Contains(records, r => r.Type == TrafficType.IPv6);
        Assert.Contains(records, r => r.Protocol == 17);
        Assert.Contains(records, r => r.PktDstAwsService == "S3" && r.TrafficPath == 8);
        // The port scan: one source, many rejected destination ports.
        Assert.True(records.Where(r => r.SrcAddr?.ToString() == "198.51.100.7").Select(r => r.DstPort).Distinct().Count() > 100);
    }
}
