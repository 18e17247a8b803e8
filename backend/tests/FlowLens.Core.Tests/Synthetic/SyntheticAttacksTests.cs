using System.Net;
using FlowLens.Core.FlowLogs;
using FlowLens.Core.Synthetic;
using FlowLens.Core.ThreatLists;

namespace FlowLens.Core.Tests.Synthetic;

public sealed class SyntheticAttacksTests
{
    private static readonly DateTimeOffset Day = new(2026, 12, 2, 10, 35, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    private static List<FlowRecord> At(TimeSpan offset) => SyntheticAttacks.For(Day, Day + offset);

    private static IEnumerable<(DateTimeOffset Window, FlowRecord Record)> WholeDay() =>
        Enumerable.Range(0, 288).Select(i => Day + Window * i).SelectMany(w => SyntheticAttacks.For(Day, w).Select(r => (w, r)));

    [Fact]
    public void EveryPlantedRecord_StartsInItsOwnFiveMinuteWindow()
    {
        Assert.All(WholeDay(), p => Assert.InRange(p.Record.Start!.Value, p.Window, p.Window + Window - TimeSpan.FromTicks(1)));
    }

    [Fact]
    public void PortScan_IsOneOutsideAddress_On60PortsOfOneHost_AllRejected()
    {
        var scan = At(SyntheticAttacks.PortScanAt).Where(r => r.SrcAddr == SyntheticAttacks.PortScanner).ToList();
        Assert.Equal(60, scan.Select(r => r.DstPort).Distinct().Count());
        Assert.Equal([SyntheticAttacks.PortScanTarget], scan.Select(r => r.DstAddr!.Value).Distinct());
        Assert.All(scan, r => Assert.Equal(FlowAction.Reject, r.Action));
        Assert.DoesNotContain(WholeDay(), p => p.Record.SrcAddr == SyntheticAttacks.PortScanner && p.Window != Day + SyntheticAttacks.PortScanAt);
    }

    [Fact]
    public void HostSweep_IsOneOutsideAddress_OnOnePortOf48Hosts_AllRejected()
    {
        var sweep = At(SyntheticAttacks.HostSweepAt).Where(r => r.SrcAddr == SyntheticAttacks.HostSweeper).ToList();
        Assert.Equal(48, sweep.Select(r => r.DstAddr).Distinct().Count());
        Assert.Equal([445], sweep.Select(r => r.DstPort!.Value).Distinct());
        Assert.All(sweep, r => Assert.Equal(FlowAction.Reject, r.Action));
        // Each host's own ENI records its probe, as AWS would: host 10.1.e.x is ENI e's.
        Assert.All(sweep, r => Assert.Equal(SyntheticEstate.Accounts[1].InterfaceId(int.Parse(r.DstAddr!.Value.ToString().Split('.')[2])), r.InterfaceId));
    }

    [Fact]
    public void BruteForce_Is60SourcePorts_ToSshOfOneHost()
    {
        var attempts = At(SyntheticAttacks.BruteForceAt).Where(r => r.SrcAddr == SyntheticAttacks.BruteForcer).ToList();
        Assert.Equal(60, attempts.Select(r => r.SrcPort).Distinct().Count());
        Assert.Equal([(SyntheticAttacks.BruteForceTarget, 22)], attempts.Select(r => (r.DstAddr!.Value, r.DstPort!.Value)).Distinct());
    }

    [Fact]
    public void ThreatListHit_IsTrafficWithAnAddressOfTheDemosList()
    {
        var hits = WholeDay().Where(p => p.Record.SrcAddr == SyntheticAttacks.ThreatListed).ToList();
        Assert.Equal(6, hits.Count);
        Assert.All(hits, p => Assert.Equal(Day + SyntheticAttacks.ThreatListHitAt, p.Window));
        var list = ThreatListParser.Parse(SyntheticAttacks.ThreatListText, ThreatListLimits.Default);
        Assert.Null(list.Error);
        Assert.Contains(list.Entries, e => e.Contains(IPAddress.Parse(SyntheticAttacks.ThreatListed.ToString())));
    }

    [Fact]
    public void NewPort_ThePartnerInterfaceServesOnly443_Until8081InTheLastHours()
    {
        var inbound = WholeDay().Where(p => p.Record.InterfaceId == SyntheticAttacks.PartnerInterface).ToList();
        Assert.Equal([443], inbound.Where(p => p.Window < Day + SyntheticAttacks.NewPortFrom).Select(p => p.Record.DstPort!.Value).Distinct());
        var late = inbound.Where(p => p.Record.DstPort == 8081).ToList();
        Assert.Equal(36 * 2, late.Count); // two a window for the last three hours
        Assert.All(late, p => Assert.Equal((FlowAction.Accept, SyntheticAttacks.PartnerAddress), (p.Record.Action!.Value, p.Record.DstAddr!.Value)));
        // No background flow uses the partner's interface: its ENI index is past the estate's.
        Assert.Equal(24, SyntheticEstate.Interfaces.Count);
    }

    [Fact]
    public void Exfiltration_IsFifteenMinutesOf50TimesTheReportsHostsUsualBytes_ToOneOutsideAddress()
    {
        var byWindow = WholeDay().Where(p => p.Record.InterfaceId == SyntheticAttacks.ReportsInterface)
            .GroupBy(p => p.Window, p => p.Record.Bytes!.Value).ToDictionary(g => g.Key, g => g.Sum());
        Assert.Equal(288, byWindow.Count);
        var spike = WholeDay().Where(p => p.Record.DstAddr == SyntheticAttacks.ExfilDestination).ToList();
        Assert.Equal(3, spike.Count);
        Assert.All(spike, p => Assert.Equal(50 * SyntheticAttacks.ExfilBaselineBytes, p.Record.Bytes));
        Assert.Equal([Day + SyntheticAttacks.ExfilAt, Day + SyntheticAttacks.ExfilAt + Window, Day + SyntheticAttacks.ExfilAt + Window * 2], spike.Select(p => p.Window));
        Assert.Equal(285, byWindow.Values.Count(b => b == SyntheticAttacks.ExfilBaselineBytes));
    }

    [Fact]
    public async Task WriteDay_PutsThePlantedRecords_InTheObjectOfTheirWindow()
    {
        var root = Directory.CreateTempSubdirectory("flowlens-attacks").FullName;
        try
        {
            var keys = SyntheticFlowLogFiles.WriteDay(root, Day, files: 288, recordsPerFile: 2, seed: 2026, plant: w => SyntheticAttacks.For(Day, w));
            var records = new List<(int File, FlowRecord Record)>();
            for (var f = 0; f < keys.Count; f++)
            {
                await using var reader = FlowLogFiles.Open(File.OpenRead(Path.Combine(root, keys[f])), keys[f]);
                while (await reader.ReadAsync() == FlowReadResult.Record)
                {
                    records.Add((f, reader.Record.Clone()));
                }
            }
            Assert.Equal(288 * 2 + WholeDay().Count(), records.Count);
            var scan = records.Where(r => r.Record.SrcAddr == SyntheticAttacks.PortScanner).ToList();
            Assert.Equal(60, scan.Count);
            Assert.All(scan, r => Assert.Equal(SyntheticAttacks.PortScanAt / Window, r.File));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
