using System.Globalization;
using System.Text;
using FlowLens.Api.Tests.Infrastructure;

namespace FlowLens.Api.Tests.Clients;

/// <summary>
/// The flows the tools' tests read (one v2 flow log object, its times counted back from now), and what each
/// question must find in them: the REJECTs, everything one address did, the top talkers of a subnet.
/// </summary>
public sealed class KnownFlows
{
    private const int Rejects = 1_500;
    public const string Address = "10.0.3.17";
    public const string Subnet = "10.0.2.0/24";

    public const string Header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

    private readonly List<string> _lines = [];

    public KnownFlows()
    {
        // 1,500 REJECTs from the internet to port 22, spread over the minute around RejectsAt, each from a port of its
        // own (more than a page of the feed), and ACCEPTs beside them that a pull of REJECTs must leave out.
        for (var i = 0; i < Rejects; i++)
        {
            Add($"198.51.100.{i % 250 + 1}", $"10.0.1.{i % 50 + 1}", 1024 + i, 22, 1, 60, RejectsAt.AddSeconds(i % 60 - 30), "REJECT");
        }
        for (var i = 0; i < 300; i++)
        {
            Add($"10.0.1.{i % 50 + 1}", "198.51.100.7", 443, 30000 + i, 10, 5000, RejectsAt.AddSeconds(i % 60 - 30), "ACCEPT");
        }
        // REJECTs before and after them.
        for (var i = 0; i < 20; i++)
        {
            Add("203.0.113.50", "10.0.1.1", 5000 + i, 3389, 1, 60, Now.AddMinutes(-30), "REJECT");
            Add("203.0.113.51", "10.0.1.1", 5000 + i, 3389, 1, 60, Now.AddMinutes(-3), "REJECT");
        }
        // The address: three flows in the last hour (as source and as destination), one before it.
        AddressFlows =
        [
            Add(Address, "52.94.0.10", 40001, 443, 20, 4000, Now.AddMinutes(-30), "ACCEPT"),
            Add("203.0.113.9", Address, 51515, 22, 1, 60, Now.AddMinutes(-25), "REJECT"),
            Add(Address, "10.0.2.10", 40002, 5432, 50, 9000, Now.AddMinutes(-20), "ACCEPT"),
        ];
        Add(Address, "52.94.0.10", 40000, 443, 20, 7777, Now.AddHours(-2), "ACCEPT");
        // The subnet's senders, and a bigger one outside it.
        for (var i = 0; i < 3; i++)
        {
            Add("10.0.2.10", "52.94.0.20", 41000 + i, 443, 10, 5000, Now.AddMinutes(-40), "ACCEPT");
        }
        Add("10.0.2.11", "52.94.0.20", 42000, 25, 3, 3000, Now.AddMinutes(-40), "REJECT");
        Add("10.0.2.12", "52.94.0.20", 43000, 443, 2, 1000, Now.AddMinutes(-40), "ACCEPT");
        Add("10.0.3.5", "52.94.0.20", 44000, 443, 900, 999_999, Now.AddMinutes(-40), "ACCEPT");
    }

    /// <summary>Now, to the second, when the flows were made.</summary>
    public DateTimeOffset Now { get; } = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    /// <summary>The middle of the 1,500 REJECTs' minute: twelve and a half minutes ago.</summary>
    public DateTimeOffset RejectsAt => Now.AddSeconds(-750);

    public int Count => _lines.Count;

    /// <summary>The address's flows of the last hour, oldest first.</summary>
    public IReadOnlyList<Flow> AddressFlows { get; }

    /// <summary>The subnet's senders by bytes: address, bytes, flows, rejected flows.</summary>
    public static readonly (string Key, long Bytes, long Flows, long Rejected)[] Talkers =
        [("10.0.2.10", 15_000, 3, 0), ("10.0.2.11", 3_000, 1, 1), ("10.0.2.12", 1_000, 1, 0)];

    /// <summary>Writes the flows as one gzip object of a directory source, in AWS's key layout.</summary>
    public void WriteTo(FlowLogFolder folder)
    {
        var text = new StringBuilder(Header + "\n");
        foreach (var line in _lines)
        {
            text.Append(line).Append('\n');
        }
        folder.WriteGzip($"AWSLogs/123456789012/vpcflowlogs/us-east-1/{Now:yyyy/MM/dd}/123456789012_vpcflowlogs_us-east-1_fl-0a1b2c3d4e5f60718_{Now:yyyyMMdd'T'HHmm'Z'}_0badc0de.log.gz", text.ToString());
    }

    public sealed record Flow(DateTimeOffset Start, string SrcAddr, int SrcPort, string DstAddr, int DstPort, string Action, long Bytes);

    private Flow Add(string src, string dst, int srcPort, int dstPort, long packets, long bytes, DateTimeOffset start, string action)
    {
        _lines.Add(Line(src, dst, srcPort, dstPort, packets, bytes, start, action));
        return new Flow(start, src, srcPort, dst, dstPort, action, bytes);
    }

    /// <summary>One record as a v2 line of the account and interface the known flows are of.</summary>
    public static string Line(string src, string dst, int srcPort, int dstPort, long packets, long bytes, DateTimeOffset start, string action) =>
        string.Join(' ', "2", "123456789012", "eni-0a1b2c3d4e5f60718", src, dst, srcPort.ToString(CultureInfo.InvariantCulture),
            dstPort.ToString(CultureInfo.InvariantCulture), "6", packets.ToString(CultureInfo.InvariantCulture), bytes.ToString(CultureInfo.InvariantCulture),
            start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), start.AddSeconds(60).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), action, "OK");
}
