using System.IO.Hashing;
using System.Text;
using System.Text.Unicode;

namespace FlowLens.Core.FlowLogs;

/// <summary>
/// Turns UTF-8 bytes into strings, reusing the string when the same bytes were seen recently. Flow logs repeat
/// a few ids (account, interface, VPC, subnet) on every line, so steady-state parsing allocates nothing.
/// Bytes are checked only on a miss: a hit matched bytes that passed before.
/// </summary>
internal sealed class StringPool(int capacity = 16_384)
{
    /// <summary>
    /// The pool every reader shares: an object's interfaces were mostly the previous object's too. With 4,096 slots
    /// per reader, half of 3,000 interface ids shared a slot and kept evicting each other, a new string each time.
    /// Entries are immutable objects, so a reader on another thread sees a whole entry or the one before it.
    /// </summary>
    public static readonly StringPool Shared = new();

    // Longer values (ARNs, odd custom fields) are made each time: the pool keeps at most about 7 MB.
    private const int MaxPooledLength = 128;

    private readonly Entry?[] _entries = new Entry?[capacity];

    /// <summary>The string of a text value, or why it cannot be stored (too long, a NUL, not UTF-8).</summary>
    public bool TryGet(ReadOnlySpan<byte> utf8, out string text, out string reason)
    {
        reason = "";
        ref var entry = ref _entries[XxHash3.HashToUInt64(utf8) % (uint)_entries.Length];
        if (Volatile.Read(ref entry) is { } e && utf8.SequenceEqual(e.Utf8))
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
        if (utf8.Length <= MaxPooledLength)
        {
            Volatile.Write(ref entry, new Entry(utf8.ToArray(), text));
        }
        return true;
    }

    private sealed record Entry(byte[] Utf8, string Text);
}
