using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FlowLens.Core.Context;

/// <summary>
/// The addresses from <see cref="First"/> to <see cref="Last"/>, both included, of one family; an IPv4 address is
/// its 32-bit number (10.0.0.1 is 0x0A000001).
/// </summary>
public readonly record struct AddressRange(bool IsIPv4, UInt128 First, UInt128 Last)
{
    /// <summary>The addresses of a network (host bits ignored).</summary>
    public static AddressRange Of(bool isIPv4, UInt128 start, int length)
    {
        var bits = isIPv4 ? 32 : 128;
        var host = length >= bits ? UInt128.Zero : (UInt128.MaxValue >> (128 - bits + length));
        return new AddressRange(isIPv4, start & ~host, (start & ~host) | host);
    }

    /// <summary>The addresses of a network; an IPv4-mapped IPv6 network (<c>::ffff:a.b.c.d/104</c>) as IPv4.</summary>
    public static AddressRange Of(IPAddress address, int length)
    {
        if (address.IsIPv4MappedToIPv6 && length >= 96)
        {
            (address, length) = (address.MapToIPv4(), length - 96);
        }
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4
            ? Of(true, BinaryPrimitives.ReadUInt32BigEndian(bytes), length)
            : Of(false, BinaryPrimitives.ReadUInt128BigEndian(bytes), length);
    }

    public IPAddress FirstAddress => ToAddress(First);

    public IPAddress LastAddress => ToAddress(Last);

    private IPAddress ToAddress(UInt128 value)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)value);
            return new IPAddress(bytes[..4]);
        }
        BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new IPAddress(bytes);
    }

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if ((address.AddressFamily == AddressFamily.InterNetwork) != IsIPv4)
        {
            return false;
        }
        var value = Of(address, IsIPv4 ? 32 : 128).First;
        return First <= value && value <= Last;
    }
}

/// <summary>
/// Sets of addresses as sorted, disjoint ranges: how a context value (a network's name, an AWS service, a country, an
/// ASN) becomes a condition on flows — one <c>inetmultirange</c> that PostgreSQL searches by bisection for each row.
/// </summary>
public static class AddressRanges
{
    /// <summary>
    /// The addresses whose most specific network has a value <paramref name="keep"/> accepts, from networks that are
    /// nested or apart (as prefixes are), as sorted, disjoint, merged ranges.
    /// </summary>
    public static List<AddressRange> MostSpecific<T>(IEnumerable<(AddressRange Network, T Value)> networks, Func<T, bool> keep)
    {
        var kept = new List<AddressRange>();
        foreach (var family in networks.GroupBy(n => n.Network.IsIPv4))
        {
            // Outer networks before the ones inside them; a stack of the networks holding the cursor.
            var sorted = family.OrderBy(n => n.Network.First).ThenByDescending(n => n.Network.Last).ToList();
            var open = new Stack<(AddressRange Network, bool Keep)>();
            UInt128 cursor = 0;
            var done = false;
            void Emit(UInt128 first, UInt128 last, bool keepIt)
            {
                if (keepIt && !done && first <= last)
                {
                    kept.Add(new AddressRange(family.Key, first, last));
                }
            }
            void Close()
            {
                var (network, keepIt) = open.Pop();
                Emit(cursor, network.Last, keepIt);
                if (network.Last == UInt128.MaxValue)
                {
                    done = true;
                }
                else if (cursor <= network.Last)
                {
                    cursor = network.Last + 1;
                }
            }
            foreach (var (network, value) in sorted)
            {
                while (open.Count > 0 && open.Peek().Network.Last < network.First)
                {
                    Close();
                }
                if (open.Count > 0 && network.First > 0)
                {
                    Emit(cursor, network.First - 1, open.Peek().Keep);
                }
                cursor = network.First;
                open.Push((network, keep(value)));
            }
            while (open.Count > 0)
            {
                Close();
            }
        }
        return Merge(kept);
    }

    /// <summary>The same addresses as sorted, disjoint ranges, adjacent and overlapping ones joined.</summary>
    public static List<AddressRange> Merge(IEnumerable<AddressRange> ranges)
    {
        var merged = new List<AddressRange>();
        foreach (var range in ranges.OrderBy(r => r.IsIPv4 ? 0 : 1).ThenBy(r => r.First))
        {
            if (merged.Count > 0 && merged[^1] is var last && last.IsIPv4 == range.IsIPv4
                && (last.Last == UInt128.MaxValue || last.Last + 1 >= range.First))
            {
                merged[^1] = last with { Last = range.Last > last.Last ? range.Last : last.Last };
            }
            else
            {
                merged.Add(range);
            }
        }
        return merged;
    }

    /// <summary>Whether sorted, disjoint ranges (as <see cref="Merge"/> makes them) hold <paramref name="address"/>: by bisection.</summary>
    public static bool Holds(List<AddressRange> sorted, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var point = AddressRange.Of(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        // The last range starting at or before the address is the only one that may hold it.
        var (low, high) = (0, sorted.Count - 1);
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            var range = sorted[middle];
            var before = range.IsIPv4 != point.IsIPv4 ? range.IsIPv4 : range.First <= point.First;
            (low, high) = before ? (middle + 1, high) : (low, middle - 1);
        }
        return high >= 0 && sorted[high].IsIPv4 == point.IsIPv4 && sorted[high].Last >= point.First;
    }

    /// <summary>The ranges as an <c>inetmultirange</c> literal (<c>{[10.0.0.0,10.0.255.255]}</c>; <c>{}</c> for none).</summary>
    public static string ToMultirange(IReadOnlyList<AddressRange> ranges)
    {
        var text = new StringBuilder("{");
        foreach (var range in ranges)
        {
            text.Append(text.Length > 1 ? ",[" : "[").Append(range.FirstAddress).Append(',').Append(range.LastAddress).Append(']');
        }
        return text.Append('}').ToString();
    }
}
