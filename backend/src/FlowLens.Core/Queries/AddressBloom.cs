using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Queries;

/// <summary>
/// A chunk's addresses as a Bloom filter (<c>flow_chunks.bloom</c>), which a search tests with <c>flowlens_may_hold</c>
/// before reading the chunk: "no" is certain, "yes" is wrong for at most about 0.4% of other addresses (up to 2% at
/// 4,000 distinct addresses in a chunk, past 2,730 of which it keeps all <see cref="MaxBits"/>). It replaced the
/// chunk's distinct addresses and their GIN index, whose size followed the distinct addresses (45-55 bytes a record at
/// 200,000 internet addresses a day), not the records; this costs 12-24 bits an address, 1-2 bytes a record.
/// <para>
/// Ingestion adds every address of every record (a duplicate sets the same bits) into <see cref="MaxBits"/> bits, then
/// <see cref="ToBytes"/> folds them to the smallest power of two holding <see cref="BitsPerAddress"/> bits per distinct
/// address, which it estimates from the bits set. An address sets <see cref="Probes"/> bits: (h1 + i·h2) mod m for
/// i = 0..5, from <see cref="Hashes"/>. Bit n is bit n &amp; 7 of byte n &gt;&gt; 3, as PostgreSQL's <c>get_bit</c> reads it.
/// </para>
/// </summary>
public sealed class AddressBloom
{
    /// <summary>Bits set per address.</summary>
    public const int Probes = 6;

    /// <summary>The bits filled while adding, 4 KB: 8 bits an address even for 4,000 distinct ones (about 2% false positives).</summary>
    public const int MaxBits = 32768;

    /// <summary>The fewest bits stored: a chunk of few records still answers "no" for almost every other address.</summary>
    public const int MinBits = 512;

    /// <summary>Bits per distinct address at least, after folding: about 0.4% false positives with 6 probes.</summary>
    public const int BitsPerAddress = 12;

    private readonly ulong[] _words = new ulong[MaxBits / 64];
    private readonly byte[] _bytes = new byte[MaxBits / 8];

    /// <summary>Adds an address (again or not).</summary>
    public void Add(FlowAddress address)
    {
        var (h1, h2) = Hashes(address);
        for (var i = 0u; i < Probes; i++)
        {
            var bit = (h1 + i * h2) & (MaxBits - 1);
            _words[bit >> 6] |= 1UL << (int)(bit & 63);
        }
    }

    /// <summary>Empties the filter for another chunk.</summary>
    public void Clear() => Array.Clear(_words);

    /// <summary>
    /// The filter folded to its size, as the bytes of a <c>bytea</c>: valid until the next call. Folding ORs every bit
    /// into bit n mod m, which is where a probe lands with m bits, because m divides <see cref="MaxBits"/>.
    /// </summary>
    // Compiled optimized at once (here and below): run once per chunk or summary, these loops waited for tiering
    // (30 calls) through a young process's first tens of objects, unoptimized.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public ReadOnlySpan<byte> ToBytes()
    {
        var words = Bits(EstimatedCount()) / 64;
        for (var j = 0; j < words; j++)
        {
            var word = 0UL;
            for (var k = j; k < _words.Length; k += words)
            {
                word |= _words[k];
            }
            // Little-endian: bit b of the word is bit b & 7 of its byte b >> 3.
            BinaryPrimitives.WriteUInt64LittleEndian(_bytes.AsSpan(j * 8), word);
        }
        return _bytes.AsSpan(0, words * 8);
    }

    /// <summary>The distinct addresses added, estimated from the bits set: -(m/K)·ln(1 − set/m).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double EstimatedCount()
    {
        var set = 0;
        foreach (var word in _words)
        {
            set += BitOperations.PopCount(word);
        }
        return set == MaxBits ? double.PositiveInfinity : -(double)MaxBits / Probes * Math.Log(1 - (double)set / MaxBits);
    }

    /// <summary>The bits stored for <paramref name="count"/> addresses: a power of two, from <see cref="MinBits"/> to <see cref="MaxBits"/>.</summary>
    public static int Bits(double count)
    {
        var bits = MinBits;
        while (bits < MaxBits && bits < BitsPerAddress * count)
        {
            bits *= 2;
        }
        return bits;
    }

    /// <summary>
    /// The two 32-bit hashes of an address that its probes are made of (h2 odd, so that its probes differ): the halves
    /// of murmur3's 64-bit finalizer over the address's two halves. Searches pass them to <c>flowlens_may_hold</c>.
    /// </summary>
    public static (uint H1, uint H2) Hashes(FlowAddress address)
    {
        var (high, low) = address.Parts;
        var k = (high * 0x9E3779B97F4A7C15UL) ^ low ^ (address.IsIPv4 ? 1UL << 63 : 0);
        k ^= k >> 33;
        k *= 0xFF51AFD7ED558CCDUL;
        k ^= k >> 33;
        k *= 0xC4CEB9FE1A85EC53UL;
        k ^= k >> 33;
        return ((uint)k, (uint)(k >> 32) | 1);
    }
}
