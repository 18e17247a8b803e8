using System.IO.Hashing;
using System.Text;
using System.Text.Unicode;

namespace FlowLens.Core.FlowLogs;

/// <summary>
/// Turns UTF-8 bytes into strings, reusing the string when the same bytes were seen recently. Flow logs repeat
/// a few ids (account, interface, VPC, subnet) on every line, so steady-state parsing allocates nothing.
/// Bytes are checked only on a miss: a hit matched bytes that passed before.
/// </summary>
internal sealed class StringPool(int capacity = 4096)
{
    private readonly (byte[] Utf8, string Text)?[] _entries = new (byte[], string)?[capacity];

    /// <summary>The string of a text value, or why it cannot be stored (too long, a NUL, not UTF-8).</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8, out string text, out string reason)
    {
        reason = "";
        ref var entry = ref _entries[XxHash3.HashToUInt64(utf8) % (uint)_entries.Length];
        if (entry is { } e && utf8.SequenceEqual(e.Utf8))
        {
            text = e.Text;
            return true;
        }
        text = "";
        if (utf8.Length > FlowLogLimits.MaxFieldLength)
        {
            reason = $"the value is longer than {FlowLogLimits.MaxFieldLength} bytes";
            return false;
        }
        if (utf8.Contains((byte)0))
        {
            reason = "the value holds a NUL byte";
            return false;
        }
        if (!Utf8.IsValid(utf8))
        {
            reason = "the value is not valid UTF-8";
            return false;
        }
        text = Encoding.UTF8.GetString(utf8);
        entry = (utf8.ToArray(), text);
        return true;
    }
}
