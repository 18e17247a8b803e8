using FlowLens.Core.FlowLogs;
using FlowLens.Core.Lookups;

namespace FlowLens.Core.Tests.Lookups;

public sealed class LookupTests
{
    [Theory]
    [InlineData(1, "ICMP")]
    [InlineData(6, "TCP")]
    [InlineData(17, "UDP")]
    [InlineData(47, "GRE")]
    [InlineData(50, "ESP")]
    [InlineData(58, "IPv6-ICMP")]
    [InlineData(132, "SCTP")]
    [InlineData(145, "NSH")]
    [InlineData(200, "Unassigned")]
    [InlineData(253, "Experimental")]
    [InlineData(255, "Reserved")]
    public void Protocol_HasItsIanaName(int number, string name) => Assert.Equal(name, Protocols.Name(number));

    [Theory]
    [InlineData("tcp", 6)]
    [InlineData("TCP", 6)]
    [InlineData("6", 6)]
    [InlineData("icmpv6", 58)]
    [InlineData("IPv6-ICMP", 58)]
    [InlineData("esp", 50)]
    public void Protocol_ParsesNameOrNumber(string text, int number)
    {
        Assert.True(Protocols.TryParse(text, out var parsed));
        Assert.Equal(number, parsed);
    }

    [Theory]
    [InlineData("256")]
    [InlineData("-1")]
    [InlineData("tcpx")]
    public void Protocol_RejectsUnknown(string text) => Assert.False(Protocols.TryParse(text, out _));

    public static TheoryData<int> AssignedProtocols => [.. Enumerable.Range(0, 146)];

    [Theory]
    [MemberData(nameof(AssignedProtocols))]
    public void Protocol_EveryAssignedNumberHasANameThatParsesBack(int number)
    {
        Assert.True(Protocols.TryParse(Protocols.Name(number), out var back));
        Assert.Equal(number, back);
    }

    [Theory]
    [InlineData(2, "SYN")]
    [InlineData(18, "SYN-ACK")]
    [InlineData(3, "SYN,FIN")]
    [InlineData(19, "SYN,ACK,FIN")]
    [InlineData(0, "none")]
    [InlineData(4, "RST")]
    public void TcpFlags_AreDescribed(int flags, string text) => Assert.Equal(text, TcpFlagNames.Describe((TcpFlags)flags));

    [Fact]
    public void TrafficPaths_LabelEachCode()
    {
        Assert.Equal(8, TrafficPaths.All.Count());
        Assert.Equal("another resource in the same VPC", TrafficPaths.Label(1));
        Assert.Equal("internet gateway (Nitro)", TrafficPaths.Label(8));
        Assert.Equal("path 9", TrafficPaths.Label(9));
        Assert.Equal("Same VPC", TrafficPaths.Short(1));
        Assert.Equal("path 9", TrafficPaths.Short(9));
        Assert.All(TrafficPaths.All, p => Assert.False(string.IsNullOrWhiteSpace(p.Short)));
    }

    [Theory]
    [InlineData(22, "ssh")]
    [InlineData(3389, "rdp")]
    [InlineData(443, "https")]
    [InlineData(40000, null)]
    public void WellKnownPorts_NameCommonServices(int port, string? name) => Assert.Equal(name, WellKnownPorts.Name(port));
}
