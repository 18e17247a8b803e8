using System.Net;
using System.Text;
using FlowLens.Core.Context;

namespace FlowLens.Core.ThreatLists;

/// <summary>Limits on one threat list's text: its size and how many blocks it holds.</summary>
public sealed record ThreatListLimits(long MaxBytes, int MaxEntries)
{
    public static readonly ThreatListLimits Default = new(16 * 1024 * 1024, 500_000);
}

/// <summary>A list line that is not an address or block.</summary>
public sealed record RejectedLine(int Line, string Text, string Reason);

/// <summary>
/// What a list's text holds: its blocks (distinct, host bits cleared, in the order first seen), the lines refused
/// (counted, the first few kept), or an <see cref="Error"/> when the whole text is refused (too big, too many
/// entries) — then nothing of it may be used.
/// </summary>
public sealed record ThreatListParse(IReadOnlyList<IPNetwork> Entries, int Ipv4, int Ipv6, int Rejected, IReadOnlyList<RejectedLine> Samples, string? Error);

/// <summary>
/// Reads plain IP/CIDR lists as published (Spamhaus DROP, FireHOL <c>.netset</c>, abuse.ch, plain exports): one
/// address or CIDR block per line; <c>#</c> or <c>;</c> starts a comment to the end of the line; blank lines are
/// skipped. A block with host bits set (<c>10.0.0.1/8</c>) is taken as its network (<c>10.0.0.0/8</c>), as ipset and
/// iptables do. A bad line is counted and skipped, never failing the list.
/// </summary>
public static class ThreatListParser
{
    /// <summary>How many refused lines are kept as samples.</summary>
    public const int MaxSamples = 5;

    private const int MaxSampleLength = 100;

    public static ThreatListParse Parse(string text, ThreatListLimits limits)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > limits.MaxBytes)
        {
            return Failed($"The list is {bytes} bytes; at most {limits.MaxBytes} are accepted.");
        }
        var seen = new HashSet<IPNetwork>();
        var entries = new List<IPNetwork>();
        var samples = new List<RejectedLine>();
        var (ipv4, ipv6, rejected, number) = (0, 0, 0, 0);
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            number++;
            var line = raw;
            var comment = line.IndexOfAny('#', ';');
            if (comment >= 0)
            {
                line = line[..comment];
            }
            line = line.Trim();
            if (line.IsEmpty)
            {
                continue;
            }
            var entry = line.ToString();
            if (!Cidr.TryParse(entry, clearHostBits: true, out var network, out var error))
            {
                rejected++;
                if (samples.Count < MaxSamples)
                {
                    samples.Add(new RejectedLine(number, Clip(raw.ToString().Trim()), error!));
                }
                continue;
            }
            if (!seen.Add(network))
            {
                continue;
            }
            if (entries.Count == limits.MaxEntries)
            {
                return Failed($"The list holds more than {limits.MaxEntries} entries.");
            }
            entries.Add(network);
            if (network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                ipv4++;
            }
            else
            {
                ipv6++;
            }
        }
        return new ThreatListParse(entries, ipv4, ipv6, rejected, samples, null);
    }

    /// <summary>The addresses of the blocks as sorted, disjoint ranges (what a filter tests).</summary>
    public static List<AddressRange> Ranges(IEnumerable<IPNetwork> entries) =>
        AddressRanges.Merge(entries.Select(e => AddressRange.Of(e.BaseAddress, e.PrefixLength)));

    private static ThreatListParse Failed(string error) => new([], 0, 0, 0, [], error);

    private static string Clip(string text) => text.Length <= MaxSampleLength ? text : text[..MaxSampleLength] + "…";
}
