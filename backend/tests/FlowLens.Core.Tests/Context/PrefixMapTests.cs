using System.Net;
using FlowLens.Core.Context;

namespace FlowLens.Core.Tests.Context;

public sealed class PrefixMapTests
{
    private static readonly PrefixMap<string> Map = PrefixMap<string>.Build(new[]
    {
        ("0.0.0.0/0", "v4-default"),
        ("10.0.0.0/8", "ten"),
        ("10.0.0.0/16", "prod"),
        ("10.0.3.0/24", "prod-db"),
        ("10.0.3.7/32", "db-primary"),
        ("10.1.0.0/16", "staging"),
        ("192.0.2.0/24", "docs"),
        ("255.255.255.255/32", "broadcast"),
        ("2001:db8::/32", "doc-v6"),
        ("2001:db8:1::/48", "site-1"),
        ("2001:db8:1::1/128", "host-1"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "last-v6"),
    }.Select(e => (IPNetwork.Parse(e.Item1), e.Item2)));

    [Theory]
    [InlineData("10.0.3.7", "db-primary", "10.0.3.7/32")]
    [InlineData("10.0.3.8", "prod-db", "10.0.3.0/24")]
    [InlineData("10.0.4.1", "prod", "10.0.0.0/16")]
    [InlineData("10.200.0.1", "ten", "10.0.0.0/8")]
    [InlineData("10.1.255.255", "staging", "10.1.0.0/16")]
    [InlineData("8.8.8.8", "v4-default", "0.0.0.0/0")]
    [InlineData("0.0.0.0", "v4-default", "0.0.0.0/0")]
    [InlineData("255.255.255.255", "broadcast", "255.255.255.255/32")]
    [InlineData("255.255.255.254", "v4-default", "0.0.0.0/0")]
    [InlineData("2001:db8:1::1", "host-1", "2001:db8:1::1/128")]
    [InlineData("2001:db8:1::2", "site-1", "2001:db8:1::/48")]
    [InlineData("2001:db8:2::1", "doc-v6", "2001:db8::/32")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "last-v6", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")]
    // IPv4-mapped IPv6 is the IPv4 address.
    [InlineData("::ffff:10.0.3.7", "db-primary", "10.0.3.7/32")]
    [InlineData("::ffff:192.0.2.1", "docs", "192.0.2.0/24")]
    public void Lookup_FindsTheMostSpecificNetwork(string address, string expected, string network)
    {
        Assert.True(Map.TryLookup(IPAddress.Parse(address), out var value, out var found));
        Assert.Equal(expected, value);
        Assert.Equal(network, found.ToString());
    }

    [Theory]
    [InlineData("2001:db9::1")]
    [InlineData("::1")]
    [InlineData("::")]
    public void Lookup_FindsNothing_OutsideEveryNetwork(string address) =>
        Assert.False(Map.TryLookup(IPAddress.Parse(address), out _, out _));

    [Fact]
    public void AnIPv4DefaultRoute_DoesNotHoldIPv6_NorTheReverse()
    {
        var v6Default = PrefixMap<string>.Build([(IPNetwork.Parse("::/0"), "all-v6")]);
        Assert.True(v6Default.TryLookup(IPAddress.Parse("2600::1"), out var value, out _));
        Assert.Equal("all-v6", value);
        Assert.False(v6Default.TryLookup(IPAddress.Parse("10.0.0.1"), out _, out _));
        Assert.False(v6Default.TryLookup(IPAddress.Parse("::ffff:10.0.0.1"), out _, out _));
        Assert.False(Map.TryLookup(IPAddress.Parse("2600::1"), out _, out _));
    }

    [Theory]
    [InlineData(0x0A000307u, "db-primary")]
    [InlineData(0x0A000308u, "prod-db")]
    [InlineData(0x08080808u, "v4-default")]
    public void LookupV4_TakesTheAddressAsANumber(uint address, string expected)
    {
        Assert.True(Map.TryLookupV4(address, out var value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void LookupV6_TakesTheAddressAsANumber()
    {
        Assert.True(Map.TryLookupV6(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(IPAddress.Parse("2001:db8:1::2").GetAddressBytes()), out var value));
        Assert.Equal("site-1", value);
        Assert.True(Map.TryLookup(IPAddress.Parse("2001:db8:1::1"), out var host));
        Assert.Equal("host-1", host);
    }

    [Fact]
    public void AnEmptyMap_FindsNothing()
    {
        Assert.False(PrefixMap<string>.Empty.TryLookup(IPAddress.Parse("10.0.0.1"), out _, out _));
        Assert.Equal(0, PrefixMap<string>.Empty.Count);
        Assert.Equal(12, Map.Count);
    }

    [Fact]
    public void ANetworkGivenTwice_KeepsWhatChooseSays()
    {
        var entries = new[] { (IPNetwork.Parse("10.0.0.0/8"), "a"), (IPNetwork.Parse("10.0.0.0/8"), "b") };
        Assert.True(PrefixMap<string>.Build(entries).TryLookup(IPAddress.Parse("10.1.1.1"), out var first, out _));
        Assert.Equal("a", first);
        Assert.True(PrefixMap<string>.Build(entries, (_, next) => next).TryLookup(IPAddress.Parse("10.1.1.1"), out var last, out _));
        Assert.Equal("b", last);
    }

    [Fact]
    public void Lookup_AgreesWithALinearScan_OnRandomNetworks()
    {
        var random = new Random(22);
        var networks = new List<(IPNetwork, int)>();
        for (var i = 0; i < 400; i++)
        {
            var v6 = i % 2 == 1;
            var bytes = new byte[v6 ? 16 : 4];
            random.NextBytes(bytes);
            bytes[0] = v6 ? (byte)0x20 : (byte)10; // crowd them so that they overlap
            var length = random.Next(v6 ? 8 : 4, v6 ? 129 : 33);
            Assert.True(Cidr.TryParse($"{new IPAddress(bytes)}/{length}", clearHostBits: true, out var network, out _));
            networks.Add((network, i));
        }
        var map = PrefixMap<int>.Build(networks);
        for (var i = 0; i < 4000; i++)
        {
            var v6 = i % 2 == 1;
            var bytes = new byte[v6 ? 16 : 4];
            random.NextBytes(bytes);
            bytes[0] = v6 ? (byte)0x20 : (byte)10;
            var address = new IPAddress(bytes);
            var expected = networks.Where(n => n.Item1.Contains(address)).OrderByDescending(n => n.Item1.PrefixLength).ThenBy(n => n.Item2)
                .Select(n => (int?)n.Item2).FirstOrDefault();
            Assert.Equal(expected is not null, map.TryLookup(address, out var found, out _));
            if (expected is not null)
            {
                Assert.Equal(expected, found);
            }
        }
    }
}
