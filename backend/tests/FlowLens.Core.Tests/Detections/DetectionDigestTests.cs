using FlowLens.Core.Detections;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Tests.Detections;

public sealed class DetectionDigestTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static FlowRecord Flow(string src, string dst, int srcPort, int dstPort, FlowAction action, DateTimeOffset at, LogStatus status = LogStatus.Ok) => new()
    {
        SrcAddr = FlowAddress.TryParse(src, out var s) ? s : null, DstAddr = FlowAddress.TryParse(dst, out var d) ? d : null,
        SrcPort = srcPort, DstPort = dstPort, Action = action, LogStatus = status, Start = at, End = at.AddSeconds(50),
    };

    [Fact]
    public void EveryGroupListedIsExact_AndEveryGroupLeftOutIsUnderTheFloor()
    {
        var random = new Random(7);
        var flows = Enumerable.Range(0, 3000).Select(_ => Flow($"198.51.100.{random.Next(40)}", $"10.0.0.{random.Next(30)}", 40000 + random.Next(5000),
            random.Next(1, 60), random.Next(3) == 0 ? FlowAction.Accept : FlowAction.Reject, T0.AddSeconds(random.Next(600)))).ToList();
        var digest = new DetectionDigest();
        flows.ForEach(digest.Add);

        var slices = digest.Slices(5).ToList();
        Assert.Equal([T0.UtcDateTime, T0.UtcDateTime.AddMinutes(5)], slices.Select(s => s.Slice));
        foreach (var slice in slices)
        {
            var inSlice = flows.Where(f => f.Start >= slice.Slice && f.Start < slice.Slice.AddMinutes(5)).ToList();
            Assert.Equal(inSlice.Count, slice.Records);
            var rejected = inSlice.Where(f => f.Action == FlowAction.Reject).ToList();
            var truth = rejected.GroupBy(f => (f.SrcAddr, f.DstAddr)).ToDictionary(g => g.Key, g => g.Select(f => f.DstPort!.Value).Distinct().Order().ToArray());
            var listed = slice.Keys.Where(k => k.Family == DigestFamily.Ports).ToList();
            Assert.Equal(5, listed.Count);
            foreach (var key in listed)
            {
                Assert.Equal(truth[(key.SrcAddr, key.DstAddr)], key.Ports);
            }
            var left = truth.Where(t => !listed.Any(k => (k.SrcAddr, k.DstAddr) == t.Key)).ToList();
            Assert.NotEmpty(left);
            Assert.Equal(left.Max(t => t.Value.Length), slice.Floor(DigestFamily.Ports));
            Assert.All(listed, k => Assert.True(k.Measure >= slice.Floor(DigestFamily.Ports)));

            var hosts = rejected.GroupBy(f => (f.SrcAddr, f.DstPort)).ToDictionary(g => g.Key, g => g.Select(f => f.DstAddr!.Value).Distinct().Count());
            Assert.All(slice.Keys.Where(k => k.Family == DigestFamily.Hosts), k => Assert.Equal(hosts[(k.SrcAddr, k.DstPort)], k.Hosts.Length));
            Assert.Equal(hosts.Values.OrderDescending().Skip(5).First(), slice.Floor(DigestFamily.Hosts));
        }
    }

    [Fact]
    public void FewGroups_AreAllKept_WithFloorsZero_AndOnlyOutsideLoginsToSshOrRdpCountAsConnections()
    {
        var digest = new DetectionDigest();
        for (var i = 0; i < 25; i++)
        {
            digest.Add(Flow("192.0.2.66", "10.0.1.7", 52000 + i, 22, FlowAction.Accept, T0));   // outside to SSH: counted
            digest.Add(Flow("10.0.9.9", "10.0.1.7", 53000 + i, 22, FlowAction.Accept, T0));     // inside: not
            digest.Add(Flow("192.0.2.67", "10.0.1.7", 54000 + i, 443, FlowAction.Accept, T0));  // not SSH/RDP: not
        }
        digest.Add(Flow("192.0.2.68", "10.0.1.7", 1, 3389, FlowAction.Reject, T0, LogStatus.SkipData)); // not OK: not counted, but a record
        var slice = Assert.Single(digest.Slices(500));
        Assert.Equal(76, slice.Records);
        Assert.Equal([0L, 0, 0, 0, 0], slice.Floors);
        var login = Assert.Single(slice.Keys, k => k.Family == DigestFamily.Connections);
        Assert.Equal(("192.0.2.66", 22, 25, 25L), (login.SrcAddr.ToString(), login.DstPort, login.Flows, login.Measure));
        Assert.DoesNotContain(slice.Keys, k => k.Family is DigestFamily.Ports or DigestFamily.Hosts);
    }

    [Fact]
    public void SingleProbes_AreNotListed_TheirFloorIsOne()
    {
        var digest = new DetectionDigest();
        for (var i = 0; i < 30; i++)
        {
            digest.Add(Flow($"203.0.113.{i}", $"10.0.0.{i}", 40000 + i, 23, FlowAction.Reject, T0));             // one probe each: not listed
        }
        digest.Add(Flow("198.51.100.9", "10.0.0.1", 41000, 80, FlowAction.Reject, T0));
        digest.Add(Flow("198.51.100.9", "10.0.0.1", 41001, 81, FlowAction.Reject, T0));                           // two ports of one host: listed
        digest.Add(Flow("192.0.2.5", "10.0.1.7", 50000, 22, FlowAction.Accept, T0));                              // one login: not listed
        var slice = Assert.Single(digest.Slices(500));
        var ports = Assert.Single(slice.Keys, k => k.Family == DigestFamily.Ports);
        Assert.Equal("198.51.100.9", ports.SrcAddr.ToString());
        Assert.Equal([80, 81], ports.Ports);
        Assert.DoesNotContain(slice.Keys, k => k.Family is DigestFamily.Hosts or DigestFamily.Connections);
        Assert.Equal([1L, 1, 1, 0, 0], slice.Floors);
    }

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.0.1", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.128.0.1", false)]
    [InlineData("169.254.169.254", true)]
    [InlineData("198.51.100.7", false)]
    [InlineData("fd00::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("::1", true)]
    [InlineData("2001:db8::1", false)]
    public void Inside_IsThePrivateSharedLoopbackAndLinkLocalRanges(string address, bool inside)
    {
        Assert.True(FlowAddress.TryParse(address, out var parsed));
        Assert.Equal(inside, DetectionDigest.IsInside(parsed));
    }
}
