using System.IO.Hashing;
using System.Text;

namespace FlowLens.Core.FlowLogs;

/// <summary>
/// Turns UTF-8 bytes into strings, reusing the string when the same bytes were seen recently. Flow logs repeat
/// a few ids (account, interface, VPC, subnet) on every line, so steady-state parsing allocates nothing.
/// </summary>
internal sealed class StringPool(int capacity = 4096)
{
    private readonly (byte[] Utf8, string Text)?[] _entries = new (byte[], string)?[capacity];

    public string Get(ReadOnlySpan<byte> utf8)
    {
        ref var entry = ref _entries[XxHash3.HashToUInt64(utf8) % (uint)_entries.Length];
        if (entry is { } e && utf8.SequenceEqual(e.Utf8))
        {
            return e.Text;
        }
        var text = Encoding.UTF8.GetString(utf8);
        entry = (utf8.ToArray(), text);
        return text;
    }
}
