using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FlowLens.Core.Context;

/// <summary>
/// Longest-prefix match over IPv4 and IPv6 networks: the most specific network holding an address wins. Immutable once
/// built; per prefix length a sorted array of network keys, searched from the longest length present down (a lookup
/// costs a binary search per distinct length, about 20 in AWS's ip-ranges.json). IPv4-mapped IPv6 addresses
/// (<c>::ffff:a.b.c.d</c>) are looked up as IPv4.
/// </summary>
public sealed class PrefixMap<T>
{
    private readonly Level<uint>[] _v4;
    private readonly Level<UInt128>[] _v6;

    private PrefixMap(Level<uint>[] v4, Level<UInt128>[] v6) => (_v4, _v6) = (v4, v6);

    public static PrefixMap<T> Empty { get; } = new([], []);

    /// <summary>How many distinct networks the map holds.</summary>
    public int Count => _v4.Sum(l => l.Keys.Length) + _v6.Sum(l => l.Keys.Length);

    /// <summary>
    /// Builds the map. Host bits of a network are ignored (<c>10.0.0.1/8</c> is <c>10.0.0.0/8</c>). When one network
    /// comes more than once, <paramref name="choose"/> picks between the value kept so far and the next (default: the
    /// first stays).
    /// </summary>
    public static PrefixMap<T> Build(IEnumerable<(IPNetwork Network, T Value)> entries, Func<T, T, T>? choose = null)
    {
        var v4 = new Dictionary<(int, uint), T>();
        var v6 = new Dictionary<(int, UInt128), T>();
        foreach (var (network, value) in entries)
        {
            var length = network.PrefixLength;
            if (network.BaseAddress.AddressFamily == AddressFamily.InterNetwork)
            {
                Add(v4, (length, V4(network.BaseAddress) & Mask32(length)), value, choose);
            }
            else
            {
                Add(v6, (length, V6(network.BaseAddress) & Mask128(length)), value, choose);
            }
        }
        return new PrefixMap<T>(Levels(v4), Levels(v6));
    }

    /// <summary>Every network of the map with its value (for <see cref="AddressRanges.MostSpecific"/>).</summary>
    public IEnumerable<(AddressRange Network, T Value)> Entries =>
        _v4.SelectMany(l => l.Keys.Select((key, i) => (AddressRange.Of(true, key, l.Length), l.Values[i])))
            .Concat(_v6.SelectMany(l => l.Keys.Select((key, i) => (AddressRange.Of(false, key, l.Length), l.Values[i]))));

    /// <summary>The addresses whose most specific network has a value <paramref name="keep"/> accepts, as sorted, disjoint ranges.</summary>
    public List<AddressRange> RangesWhere(Func<T, bool> keep) => AddressRanges.MostSpecific(Entries, keep);

    /// <summary>The value of the most specific network holding <paramref name="address"/>, if any.</summary>
    public bool TryLookup(IPAddress address, out T value) => TryLookup(address, out value, out _, wantNetwork: false);

    /// <summary>The value of the most specific network holding <paramref name="address"/>, and that network.</summary>
    public bool TryLookup(IPAddress address, out T value, out IPNetwork network) => TryLookup(address, out value, out network, wantNetwork: true);

    /// <summary>The value for an IPv4 address as a big-endian number (10.0.0.1 is 0x0A000001), without an IPAddress.</summary>
    public bool TryLookupV4(uint address, out T value) => TryLookupV4(address, out value, out _);

    /// <summary>The value for an IPv6 address as a big-endian number, without an IPAddress; IPv4-mapped ones are not mapped here.</summary>
    public bool TryLookupV6(UInt128 address, out T value) => TryLookupV6(address, out value, out _);

    private bool TryLookup(IPAddress address, out T value, out IPNetwork network, bool wantNetwork)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        network = default;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var key = V4(address);
            if (TryLookupV4(key, out value, out var length))
            {
                network = wantNetwork ? new IPNetwork(ToAddress(key & Mask32(length)), length) : default;
                return true;
            }
        }
        else if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var key = V6(address);
            if (TryLookupV6(key, out value, out var length))
            {
                network = wantNetwork ? new IPNetwork(ToAddress(key & Mask128(length)), length) : default;
                return true;
            }
        }
        value = default!;
        return false;
    }

    private bool TryLookupV4(uint key, out T value, out int length)
    {
        foreach (var level in _v4)
        {
            if (level.TryFind(key & Mask32(level.Length), out value))
            {
                length = level.Length;
                return true;
            }
        }
        (value, length) = (default!, 0);
        return false;
    }

    private bool TryLookupV6(UInt128 key, out T value, out int length)
    {
        foreach (var level in _v6)
        {
            if (level.TryFind(key & Mask128(level.Length), out value))
            {
                length = level.Length;
                return true;
            }
        }
        (value, length) = (default!, 0);
        return false;
    }

    private static void Add<TKey>(Dictionary<(int, TKey), T> map, (int, TKey) key, T value, Func<T, T, T>? choose) where TKey : notnull
    {
        if (map.TryGetValue(key, out var kept))
        {
            map[key] = choose is null ? kept : choose(kept, value);
        }
        else
        {
            map[key] = value;
        }
    }

    // Longest first, so that the first hit is the most specific.
    private static Level<TKey>[] Levels<TKey>(Dictionary<(int Length, TKey Key), T> map) where TKey : IComparable<TKey> =>
        [.. map.GroupBy(e => e.Key.Length).OrderByDescending(g => g.Key).Select(g =>
        {
            var sorted = g.OrderBy(e => e.Key.Key).ToArray();
            return new Level<TKey>(g.Key, [.. sorted.Select(e => e.Key.Key)], [.. sorted.Select(e => e.Value)]);
        })];

    private static uint V4(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    private static UInt128 V6(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    private static IPAddress ToAddress(uint key)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, key);
        return new IPAddress(bytes);
    }

    private static IPAddress ToAddress(UInt128 key)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt128BigEndian(bytes, key);
        return new IPAddress(bytes);
    }

    private static uint Mask32(int length) => length == 0 ? 0 : uint.MaxValue << (32 - length);

    private static UInt128 Mask128(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

    private sealed record Level<TKey>(int Length, TKey[] Keys, T[] Values) where TKey : IComparable<TKey>
    {
        public bool TryFind(TKey key, out T value)
        {
            var i = Array.BinarySearch(Keys, key);
            value = i >= 0 ? Values[i] : default!;
            return i >= 0;
        }
    }
}
