using System.Text;

namespace FlowLens.Core.FlowLogs;

/// <summary>
/// Turns UTF-8 bytes into strings, reusing the string when the same bytes were seen recently. Flow logs repeat
/// a few ids (account, interface, VPC, subnet) on every line, so steady-state parsing allocates nothing.
/// </summary>
internal sealed class StringPool(int capacity = 4096)
{
    private readonly string?[] _entries = new string?[capacity];

    public string Get(ReadOnlySpan<byte> utf8)
    {
        var hash = 2166136261u;
        foreach (var b in utf8)
        {
            hash = (hash ^ b) * 16777619u;
        }
        ref var entry = ref _entries[hash % (uint)_entries.Length];
        if (entry is not null && SameAscii(entry, utf8))
        {
            return entry;
        }
        return entry = Encoding.UTF8.GetString(utf8);
    }

    private static bool SameAscii(string s, ReadOnlySpan<byte> utf8)
    {
        if (s.Length != utf8.Length)
        {
            return false;
        }
        for (var i = 0; i < utf8.Length; i++)
        {
            if (s[i] != utf8[i])
            {
                return false;
            }
        }
        return true;
    }
}
