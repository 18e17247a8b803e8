using FlowLens.Core.FlowLogs;
using FlowLens.Core.Queries;

namespace FlowLens.Core.Tests.Queries;

/// <summary>The chunks' Bloom filter of addresses; AddressSearchTests checks its bits against PostgreSQL's get_bit.</summary>
public sealed class AddressBloomTests
{
    // What flowlens_may_hold computes: every probe (h1 + i*h2) mod bits is set, bit n being bit n & 7 of byte n >> 3.
    internal static bool MayHold(ReadOnlySpan<byte> bloom, FlowAddress address)
    {
        var (h1, h2) = AddressBloom.Hashes(address);
        var mask = (long)bloom.Length * 8 - 1;
        for (var i = 0L; i < AddressBloom.Probes; i++)
        {
            var n = (h1 + i * h2) & mask;
            if ((bloom[(int)(n >> 3)] & (1 << (int)(n & 7))) == 0)
            {
                return false;
            }
        }
        return true;
    }

    internal static List<FlowAddress> RandomAddresses(Random random, int count) => [.. Enumerable.Range(0, count).Select(i =>
        i % 4 == 3
            ? FlowAddress.FromParts((ulong)random.NextInt64(), (ulong)random.NextInt64(), isIPv4: false)
            : FlowAddress.FromIPv4((uint)random.NextInt64(1L << 32)))];

    [Theory]
    [InlineData(1, 512)]
    [InlineData(30, 512)]
    [InlineData(100, 2048)]
    [InlineData(1000, 16384)]
    [InlineData(2000, 32768)]
    [InlineData(10_000, 32768)]
    public void FoldedFilter_HoldsEveryAddressAdded_In12BitsAnAddressOrMore_AsAPowerOfTwo(int count, int expectedBits)
    {
        var addresses = RandomAddresses(new Random(count), count);
        var bloom = new AddressBloom();
        foreach (var address in addresses)
        {
            bloom.Add(address);
            bloom.Add(address); // a duplicate sets the same bits
        }

        var bytes = bloom.ToBytes();

        Assert.Equal(expectedBits / 8, bytes.Length);
        foreach (var address in addresses)
        {
            Assert.True(MayHold(bytes, address), address.ToString());
        }
    }

    [Fact]
    public void TheCount_IsEstimatedFromTheBitsSet()
    {
        var bloom = new AddressBloom();
        foreach (var address in RandomAddresses(new Random(1), 3000))
        {
            bloom.Add(address);
        }
        Assert.InRange(bloom.EstimatedCount(), 2900, 3100);
    }

    [Fact]
    public void FalsePositives_AreRare_For2000Addresses()
    {
        var random = new Random(7);
        var members = RandomAddresses(random, 2000);
        var bloom = new AddressBloom();
        members.ForEach(bloom.Add);
        var bytes = bloom.ToBytes().ToArray();

        var others = RandomAddresses(random, 100_000).Except(members).ToList();
        var rate = (double)others.Count(a => MayHold(bytes, a)) / others.Count;

        Assert.InRange(rate, 0, 0.02); // 16 bits an address: about 0.1%
    }

    [Fact]
    public void AnIPv4Address_AndTheIPv6AddressWithTheSameBits_HashApart()
    {
        var v4 = FlowAddress.FromIPv4(0xC0000201);
        Assert.True(FlowAddress.TryParse("::192.0.2.1", out var v6));
        Assert.NotEqual(AddressBloom.Hashes(v4), AddressBloom.Hashes(v6));
        Assert.Equal(1u, AddressBloom.Hashes(v4).H2 & 1);
    }

    [Fact]
    public void Clear_EmptiesTheFilter_ForTheNextChunk()
    {
        var bloom = new AddressBloom();
        RandomAddresses(new Random(3), 5000).ForEach(bloom.Add);
        bloom.Clear();
        var other = FlowAddress.FromIPv4(0x0A000001);
        bloom.Add(other);

        var bytes = bloom.ToBytes();

        Assert.Equal(AddressBloom.MinBits / 8, bytes.Length);
        Assert.True(MayHold(bytes, other));
        Assert.Equal(AddressBloom.Probes, bytes.ToArray().Sum(b => System.Numerics.BitOperations.PopCount(b)));
    }
}
