using System.Net;
using FlowLens.Core.Context;

namespace FlowLens.Core.Tests.Context;

public sealed class AddressRangesTests
{
    private static (IPNetwork, string) N(string cidr, string name) => (IPNetwork.Parse(cidr), name);

    private static string Text(List<AddressRange> ranges) => AddressRanges.ToMultirange(ranges);

    [Fact]
    public void MostSpecific_NestedThreeDeep_KeepsOnlyWhereTheNameWins()
    {
        var map = PrefixMap<string>.Build([N("10.0.0.0/16", "prod"), N("10.0.9.0/24", "staging"), N("10.0.9.128/25", "prod"), N("10.1.0.0/16", "prod")]);
        Assert.Equal("{[10.0.0.0,10.0.8.255],[10.0.9.128,10.1.255.255]}", Text(map.RangesWhere(n => n == "prod")));
        Assert.Equal("{[10.0.9.0,10.0.9.127]}", Text(map.RangesWhere(n => n == "staging")));
        Assert.Equal("{}", Text(map.RangesWhere(n => n == "dev")));
    }

    [Fact]
    public void MostSpecific_AgreesWithLookup_OnEveryAddressOfASmallSpace()
    {
        var random = new Random(7);
        var names = new[] { "a", "b", "c" };
        var entries = Enumerable.Range(0, 40).Select(_ =>
        {
            var length = random.Next(20, 31);
            var address = new IPAddress([10, 0, (byte)random.Next(0, 16), (byte)random.Next(0, 256)]);
            return (new IPNetwork(Mask(address, length), length), names[random.Next(names.Length)]);
        }).ToList();
        var map = PrefixMap<string>.Build(entries);
        var ranges = map.RangesWhere(n => n == "b");
        for (var i = 0; i < 16 * 256; i++)
        {
            var address = new IPAddress([10, 0, (byte)(i / 256), (byte)(i % 256)]);
            var expected = map.TryLookup(address, out var name) && name == "b";
            Assert.True(expected == ranges.Any(r => r.Contains(address)), address.ToString());
        }
    }

    [Fact]
    public void MostSpecific_IPv6_AndTheWholeSpace()
    {
        var map = PrefixMap<string>.Build([N("::/0", "all"), N("2001:db8::/32", "doc"), N("0.0.0.0/0", "all4")]);
        Assert.Equal("{[::,2001:db7:ffff:ffff:ffff:ffff:ffff:ffff],[2001:db9::,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]}", Text(map.RangesWhere(n => n == "all")));
        Assert.Equal("{[0.0.0.0,255.255.255.255]}", Text(map.RangesWhere(n => n == "all4")));
    }

    [Fact]
    public void Merge_JoinsAdjacentAndOverlapping_KeepsFamiliesApart()
    {
        var ranges = new[]
        {
            AddressRange.Of(IPAddress.Parse("10.0.1.0"), 24), AddressRange.Of(IPAddress.Parse("10.0.0.0"), 24),
            AddressRange.Of(IPAddress.Parse("10.0.0.128"), 25), AddressRange.Of(IPAddress.Parse("::ffff:10.0.3.0"), 120),
            AddressRange.Of(IPAddress.Parse("2001:db8::"), 64),
        };
        Assert.Equal("{[10.0.0.0,10.0.1.255],[10.0.3.0,10.0.3.255],[2001:db8::,2001:db8::ffff:ffff:ffff:ffff]}", Text(AddressRanges.Merge(ranges)));
    }

    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        var value = (uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3];
        value &= uint.MaxValue << (32 - length);
        return new IPAddress([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
    }

    [Theory]
    [InlineData("10.0.0.0", true)]
    [InlineData("10.0.255.255", true)]
    [InlineData("10.1.0.0", false)]
    [InlineData("9.255.255.255", false)]
    [InlineData("192.0.2.7", true)]
    [InlineData("192.0.2.8", false)]
    [InlineData("::ffff:192.0.2.7", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("2001:db9::", false)]
    [InlineData("::1", false)]
    [InlineData("0.0.0.0", false)]
    public void Holds_FindsTheRangeByBisection_InEachFamily(string address, bool held)
    {
        var ranges = AddressRanges.Merge([
            AddressRange.Of(IPAddress.Parse("10.0.0.0"), 16), AddressRange.Of(IPAddress.Parse("192.0.2.7"), 32),
            AddressRange.Of(IPAddress.Parse("2001:db8::"), 32), AddressRange.Of(IPAddress.Parse("172.16.0.0"), 12)]);
        Assert.Equal(held, AddressRanges.Holds(ranges, IPAddress.Parse(address)));
        Assert.False(AddressRanges.Holds([], IPAddress.Parse(address)));
    }
}
