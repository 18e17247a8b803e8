using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Synthetic;

/// <summary>
/// The demo's planted attacks: one clear case of each thing the detections look for (docs/detections.md), at fixed
/// places in the day the demo writes, from documentation addresses (198.51.100.0/24). <see cref="For"/> gives the
/// records of one 5-minute window; the demo adds them to that window's object.
/// </summary>
public static class SyntheticAttacks
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    public static readonly FlowAddress PortScanner = Ip(23), HostSweeper = Ip(45), BruteForcer = Ip(66), ThreatListed = Ip(99), ExfilDestination = Ip(200);

    /// <summary>The uploaded threat list the demo seeds: it holds <see cref="ThreatListed"/>.</summary>
    public const string ThreatListName = "demo-blocklist";

    public const string ThreatListText = """
        # The FlowLens demo's threat list: documentation addresses the demo's flows use.
        198.51.100.99
        192.0.2.128/28 ; never seen
        """;

    // Early in the day: the detection job judges a day's windows oldest first (96 per rule and run), so the demo's
    // findings appear in its first run after the ingestion. The new port and the exfiltration are recent, as they'd be.
    public static readonly TimeSpan PortScanAt = TimeSpan.FromHours(4), HostSweepAt = PortScanAt + Window * 2,
        BruteForceAt = PortScanAt + Window * 4, ThreatListHitAt = PortScanAt + Window * 6,
        NewPortFrom = TimeSpan.FromHours(21), ExfilAt = TimeSpan.FromHours(22);

    /// <summary>The port scan's target: prod web-1.</summary>
    public static readonly FlowAddress PortScanTarget = SyntheticEstate.Accounts[0].Address(2, 10);

    public const int PortScanPorts = 60, SweptHosts = 48, SweptPort = 445, BruteForceConnections = 60, NewPort = 8081, ExfilMinutes = 15;

    /// <summary>The brute force's target: prod bastion-1, on SSH.</summary>
    public static readonly FlowAddress BruteForceTarget = SyntheticEstate.Accounts[0].Address(1, 20);

    /// <summary>
    /// Two instances of prod besides the estate's 24 ENIs (so no background flow touches them), each on its own ENI
    /// (index 24 and 25) with one address that no ENI of the estate answers for (host 250 of a /24); the demo's
    /// inventory lists them. The partner API serves HTTPS only, all day, until it accepts <see cref="NewPort"/> at
    /// <see cref="NewPortFrom"/>; the reports host uploads <see cref="ExfilBaselineBytes"/> to S3 every 5 minutes,
    /// and 50 times that to <see cref="ExfilDestination"/> for 15 minutes.
    /// </summary>
    public static IReadOnlyList<PlantedHost> PlantedHosts { get; } =
    [
        new(24, "partner-api-1", 0, "web", SyntheticEstate.Accounts[0].Address(7, 250)),
        new(25, "reports-1", 1, "worker", SyntheticEstate.Accounts[0].Address(15, 250)),
    ];

    public static PlantedHost Partner => PlantedHosts[0];
    public static PlantedHost Reports => PlantedHosts[1];
    public static string PartnerInterface => Partner.InterfaceId;
    public static FlowAddress PartnerAddress => Partner.Address;
    public static string ReportsInterface => Reports.InterfaceId;
    public static FlowAddress ReportsAddress => Reports.Address;
    public const long ExfilBaselineBytes = 500_000;

    private static FlowAddress Ip(byte last) => FlowAddress.FromIPv4(0xC6336400u | last);

    /// <summary>
    /// The planted records of the 5-minute window starting at <paramref name="window"/> of the day starting at
    /// <paramref name="dayStart"/> (both on 5-minute boundaries); every record starts inside that window.
    /// </summary>
    public static List<FlowRecord> For(DateTimeOffset dayStart, DateTimeOffset window)
    {
        var records = new List<FlowRecord>();
        var at = window - dayStart;
        var prod = SyntheticEstate.Accounts[0];
        var staging = SyntheticEstate.Accounts[1];
        if (at == PortScanAt)
        {
            // One address walking 60 ports of one host in a few seconds; the security group rejects every probe.
            for (var i = 0; i < PortScanPorts; i++)
            {
                records.Add(Probe(prod, 2, PortScanner, PortScanTarget, 41000 + i, 20 + i * 7, window.AddSeconds(10 + i % 50)));
            }
        }
        if (at == HostSweepAt)
        {
            // One address trying SMB on 48 hosts of staging (two on each of its first 24 ENIs): rejected everywhere.
            for (var i = 0; i < SweptHosts; i++)
            {
                var eni = i % SyntheticEstate.Interfaces.Count;
                records.Add(Probe(staging, eni, HostSweeper, staging.Address(eni, 30 + i / SyntheticEstate.Interfaces.Count), 42000 + i, SweptPort, window.AddSeconds(20 + i % 40)));
            }
        }
        if (at == BruteForceAt)
        {
            // 60 SSH connections, each from a new source port, to the bastion: accepted by the network, failing at the login.
            for (var i = 0; i < BruteForceConnections; i++)
            {
                var record = Probe(prod, 1, BruteForcer, BruteForceTarget, 50000 + i * 3, 22, window.AddSeconds(5 + i % 55));
                (record.Action, record.Packets, record.Bytes, record.TcpFlags) = (FlowAction.Accept, 12, 2_900, TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin);
                records.Add(record);
            }
        }
        if (at == ThreatListHitAt)
        {
            // A listed address fetching from the load balancer: accepted, which is what makes it worth a look.
            for (var i = 0; i < 6; i++)
            {
                var record = Probe(prod, 5, ThreatListed, prod.Address(5, 40), 33000 + i, 443, window.AddSeconds(30 + i * 20));
                (record.Action, record.Packets, record.Bytes, record.TcpFlags) = (FlowAction.Accept, 20, 9_000, TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Fin);
                records.Add(record);
            }
        }
        // The partner API: two HTTPS clients every window all day, then 8081 as well for the last hours.
        var partner = new[] { 443, 443 }.Concat(at >= NewPortFrom ? [NewPort, NewPort] : Array.Empty<int>()).ToList();
        for (var i = 0; i < partner.Count; i++)
        {
            var record = Partner.Flow(Probe(prod, Partner.Subnet * 8, Ip((byte)(150 + i)), PartnerAddress, 45000 + i, partner[i], window.AddSeconds(15 + i * 10)));
            (record.Action, record.Packets, record.Bytes, record.TcpFlags) = (FlowAction.Accept, 30, 24_000, TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Fin);
            records.Add(record);
        }
        // The reports host: its steady upload to S3, and for 15 minutes 50 times that to one address outside.
        records.Add(Upload(prod, FlowAddress.FromIPv4(SyntheticEstate.AwsServiceRanges["S3"].Base + 10), ExfilBaselineBytes, window.AddSeconds(25), "S3"));
        if (at >= ExfilAt && at < ExfilAt + TimeSpan.FromMinutes(ExfilMinutes))
        {
            records.Add(Upload(prod, ExfilDestination, ExfilBaselineBytes * 50, window.AddSeconds(35), null));
        }
        return records;
    }

    private static FlowRecord Probe(SyntheticAccount account, int eni, FlowAddress src, FlowAddress dst, int srcPort, int dstPort, DateTimeOffset start) => new()
    {
        Version = 5,
        AccountId = account.Id,
        InterfaceId = account.InterfaceId(eni),
        VpcId = account.VpcId,
        SubnetId = account.SubnetId(SyntheticEstate.SubnetOf(eni)),
        InstanceId = account.InstanceId(eni),
        Region = SyntheticEstate.Region,
        AzId = SyntheticEstate.AzIdOf(eni),
        Start = start,
        End = start.AddSeconds(60),
        LogStatus = LogStatus.Ok,
        SrcAddr = src,
        PktSrcAddr = src,
        DstAddr = dst,
        PktDstAddr = dst,
        SrcPort = srcPort,
        DstPort = dstPort,
        Protocol = 6,
        Packets = 1,
        Bytes = 44,
        Action = FlowAction.Reject,
        TcpFlags = TcpFlags.Syn,
        Type = TrafficType.IPv4,
        FlowDirection = FlowDirection.Ingress,
    };

    private static FlowRecord Upload(SyntheticAccount account, FlowAddress remote, long bytes, DateTimeOffset start, string? service)
    {
        var record = Reports.Flow(Probe(account, Reports.Subnet * 8, ReportsAddress, remote, 46000, 443, start));
        (record.Action, record.Packets, record.Bytes, record.TcpFlags) = (FlowAction.Accept, bytes / 1400, bytes, TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Psh | TcpFlags.Fin);
        (record.FlowDirection, record.TrafficPath, record.PktDstAwsService) = (FlowDirection.Egress, 8, service);
        return record;
    }
}

/// <summary>An instance of prod the planted attacks use (<see cref="SyntheticAttacks.PlantedHosts"/>): its ENI index, name, subnet, security group and address.</summary>
public sealed record PlantedHost(int Eni, string Name, int Subnet, string SecurityGroup, FlowAddress Address)
{
    private static SyntheticAccount Account => SyntheticEstate.Accounts[0];

    public string InterfaceId => Account.InterfaceId(Eni);

    public string InstanceId => $"i-{Account.Id[..4]}{Eni:x13}";

    /// <summary>The record as this host's ENI logs it (the rest as drawn for its subnet).</summary>
    internal FlowRecord Flow(FlowRecord record)
    {
        (record.InterfaceId, record.InstanceId) = (InterfaceId, InstanceId);
        return record;
    }
}
