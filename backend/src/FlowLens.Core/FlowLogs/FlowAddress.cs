using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace FlowLens.Core.FlowLogs;

/// <summary>An IPv4 or IPv6 address as a value: parsing one allocates nothing, unlike <see cref="IPAddress"/>.</summary>
public readonly record struct FlowAddress
{
    private readonly ulong _high;
    private readonly ulong _low;

    private FlowAddress(ulong high, ulong low, bool isIPv4) => (_high, _low, IsIPv4) = (high, low, isIPv4);

    public bool IsIPv4 { get; }

    /// <summary>The address as two numbers (IPv4 in the low one), for packing it into other keys.</summary>
    internal (ulong High, ulong Low) Parts => (_high, _low);

    internal static FlowAddress FromParts(ulong high, ulong low, bool isIPv4) => new(high, low, isIPv4);

    public static FlowAddress FromIPv4(uint address) => new(0, address, isIPv4: true);

    public static FlowAddress FromIPAddress(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return written == 4
            ? FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(bytes))
            : new(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), isIPv4: false);
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        WriteBytes(bytes);
        return new IPAddress(bytes[..(IsIPv4 ? 4 : 16)]);
    }

    /// <summary>Writes the address in network order: 4 bytes for IPv4, 16 for IPv6.</summary>
    public void WriteBytes(Span<byte> destination)
    {
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_low);
            return;
        }
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
    }

    public override string ToString() => IsIPv4
        ? $"{(_low >> 24) & 255}.{(_low >> 16) & 255}.{(_low >> 8) & 255}.{_low & 255}"
        : ToIPAddress().ToString();

    public static bool TryParse(string text, out FlowAddress address)
    {
        Span<byte> ascii = stackalloc byte[64];
        if (text.Length > ascii.Length || System.Text.Ascii.FromUtf16(text, ascii, out var n) != System.Buffers.OperationStatus.Done)
        {
            address = default;
            return false;
        }
        return TryParse(ascii[..n], out address);
    }

    /// <summary>Parses dotted IPv4 or RFC 4291 IPv6 text (with <c>::</c> and an embedded IPv4 tail) from ASCII bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out FlowAddress address)
    {
        address = default;
        if (text.IndexOf((byte)':') < 0)
        {
            if (!TryParseIPv4(text, out var v4))
            {
                return false;
            }
            address = FromIPv4(v4);
            return true;
        }
        if (!TryParseIPv6(text, out var high, out var low))
        {
            return false;
        }
        address = new(high, low, isIPv4: false);
        return true;
    }

    private static bool TryParseIPv4(ReadOnlySpan<byte> text, out uint value)
    {
        value = 0;
        var parts = 0;
        var i = 0;
        while (true)
        {
            var start = i;
            uint part = 0;
            while (i < text.Length && (uint)(text[i] - '0') <= 9 && i - start < 3)
            {
                part = part * 10 + (uint)(text[i] - '0');
                i++;
            }
            if (i == start || part > 255)
            {
                return false;
            }
            value = (value << 8) | part;
            if (++parts == 4)
            {
                return i == text.Length;
            }
            if (i >= text.Length || text[i] != '.')
            {
                return false;
            }
            i++;
        }
    }

    private static bool TryParseIPv6(ReadOnlySpan<byte> text, out ulong high, out ulong low)
    {
        high = low = 0;
        Span<ushort> groups = stackalloc ushort[8];
        var count = 0;
        var gap = -1;
        var i = 0;
        if (text.StartsWith("::"u8))
        {
            gap = 0;
            i = 2;
        }
        while (i < text.Length)
        {
            var start = i;
            var group = 0;
            while (i < text.Length && i - start < 4 && HexValue(text[i]) is var digit and >= 0)
            {
                group = (group << 4) | digit;
                i++;
            }
            if (i < text.Length && text[i] == '.')
            {
                // An IPv4 tail (::ffff:192.0.2.1) fills the last two groups.
                if (count > 6 || !TryParseIPv4(text[start..], out var v4))
                {
                    return false;
                }
                groups[count++] = (ushort)(v4 >> 16);
                groups[count++] = (ushort)v4;
                i = text.Length;
                break;
            }
            if (i == start || count == 8)
            {
                return false;
            }
            groups[count++] = (ushort)group;
            if (i == text.Length)
            {
                break;
            }
            if (text[i] != ':')
            {
                return false;
            }
            i++;
            if (i < text.Length && text[i] == ':')
            {
                if (gap >= 0)
                {
                    return false;
                }
                gap = count;
                i++;
            }
            else if (i == text.Length)
            {
                return false;
            }
        }
        if (gap < 0 ? count != 8 : count > 7)
        {
            return false;
        }
        Span<ushort> full = stackalloc ushort[8];
        if (gap < 0)
        {
            groups.CopyTo(full);
        }
        else
        {
            groups[..gap].CopyTo(full);
            groups[gap..count].CopyTo(full[(8 - (count - gap))..]);
        }
        for (var g = 0; g < 4; g++)
        {
            high = (high << 16) | full[g];
            low = (low << 16) | full[g + 4];
        }
        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };

    public AddressFamily Family => IsIPv4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
}
