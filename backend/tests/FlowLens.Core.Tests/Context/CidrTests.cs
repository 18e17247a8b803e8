using FlowLens.Core.Context;

namespace FlowLens.Core.Tests.Context;

public sealed class CidrTests
{
    [Theory]
    [InlineData("10.0.0.0/16", "10.0.0.0/16")]
    [InlineData(" 10.0.3.0/24 ", "10.0.3.0/24")]
    [InlineData("10.0.0.5", "10.0.0.5/32")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("2001:DB8::/32", "2001:db8::/32")]
    [InlineData("2001:db8::1", "2001:db8::1/128")]
    [InlineData("::/0", "::/0")]
    public void TryParse_ReadsBlocks(string text, string expected)
    {
        Assert.True(Cidr.TryParse(text, clearHostBits: false, out var network, out var error), error);
        Assert.Equal(expected, network.ToString());
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("", "is required")]
    [InlineData("10.0.0.0/33", "prefix length of 0 to 32")]
    [InlineData("2001:db8::/129", "prefix length of 0 to 128")]
    [InlineData("10.0.0.0/", "prefix length")]
    [InlineData("10.0.0.0/-1", "prefix length")]
    [InlineData("prod", "is not an IP address")]
    [InlineData("10.0.0/8", "is not an IP address")]
    [InlineData("fe80::1%eth0/64", "is not an IP address")]
    [InlineData("10.0.0.1/16", "host bits set; the network is 10.0.0.0/16")]
    [InlineData("2001:db8::1/32", "host bits set; the network is 2001:db8::/32")]
    public void TryParse_RefusesWithAReason(string? text, string reason)
    {
        Assert.False(Cidr.TryParse(text, clearHostBits: false, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void TryParse_ClearsHostBits_WhenAsked()
    {
        Assert.True(Cidr.TryParse("10.0.0.1/16", clearHostBits: true, out var network, out _));
        Assert.Equal("10.0.0.0/16", network.ToString());
    }
}
