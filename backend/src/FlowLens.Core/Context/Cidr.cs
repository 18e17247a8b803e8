using System.Globalization;
using System.Net;
using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Context;

/// <summary>CIDR blocks as people and files write them: <c>10.0.0.0/16</c>, <c>2001:db8::/32</c>, a bare address as its /32 or /128.</summary>
public static class Cidr
{
    /// <summary>
    /// Parses a CIDR block. A block with host bits set (<c>10.0.0.1/16</c>) is refused unless
    /// <paramref name="clearHostBits"/>: the error names the block that was probably meant.
    /// </summary>
    public static bool TryParse(string? text, bool clearHostBits, out IPNetwork network, out string? error)
    {
        network = default;
        error = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "A CIDR block such as 10.0.0.0/16 is required.";
            return false;
        }
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        // The flow logs' and the filter language's parser: dotted decimal IPv4 only (not IPAddress's short forms such
        // as 10.1, nor octal), RFC 4291 IPv6 without a zone.
        if (!FlowAddress.TryParse(addressText, out var parsed))
        {
            error = $"'{text}' is not an IP address or CIDR block.";
            return false;
        }
        var address = parsed.ToIPAddress();
        var max = parsed.IsIPv4 ? 32 : 128;
        var length = max;
        if (slash >= 0 && (!int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > max))
        {
            error = $"'{text}' has no prefix length of 0 to {max}.";
            return false;
        }
        var bytes = address.GetAddressBytes();
        var hostBits = false;
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(length - i * 8, 0, 8);
            var masked = (byte)(bytes[i] & (byte)(0xFF << (8 - keep)));
            hostBits |= masked != bytes[i];
            bytes[i] = masked;
        }
        network = new IPNetwork(new IPAddress(bytes), length);
        if (hostBits && !clearHostBits)
        {
            error = $"'{text}' has host bits set; the network is {network}.";
            return false;
        }
        return true;
    }
}
