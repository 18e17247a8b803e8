using FlowLens.Core.FlowLogs;

namespace FlowLens.Core.Synthetic;

/// <summary>
/// Deterministic, realistic-looking flow records for demos, tests and benchmarks: the accounts and ENIs of
/// <see cref="SyntheticEstate"/>, web and database traffic, internet clients, rejected probes, a port scan, IPv6 and NODATA rows.
/// </summary>
public sealed class SyntheticFlows(int seed = 1)
{
    private static readonly int[] ServicePorts = [443, 443, 443, 80, 5432, 6379, 53, 22, 3306, 8080];
    private static readonly string[] AwsServices = ["AMAZON", "S3", "DYNAMODB", "EC2", "CLOUDFRONT", "ROUTE53"];

    private const int InternetClients = 20_000;

    private readonly Random _random = new(seed);

    // A fixed, scattered set of public IPv4 addresses (1.0.0.0 to 126.255.255.255), the same for every seed.
    private static uint InternetClient(int index) => 0x01000000u + (uint)((index * 2654435761L) % 0x7E000000L);

    /// <summary>The all-fields format of version 5 (every field of versions 2 to 5).</summary>
    public static readonly FlowLogFormat V5AllFields = FlowLogFormat.Parse(string.Join(' ',
        FlowFields.All.Where(f => f.Version <= 5).Select(f => f.Name)));

    /// <summary>One record in the window starting at <paramref name="windowStart"/>; the same seed gives the same records.</summary>
    public FlowRecord Next(DateTimeOffset windowStart)
    {
        var account = SyntheticEstate.Accounts[_random.Next(SyntheticEstate.Accounts.Count)];
        var eni = _random.Next(SyntheticEstate.Interfaces.Count);
        var record = new FlowRecord
        {
            Version = 5,
            AccountId = account.Id,
            InterfaceId = account.InterfaceId(eni),
            VpcId = account.VpcId,
            SubnetId = account.SubnetId(SyntheticEstate.SubnetOf(eni)),
            InstanceId = account.InstanceId(eni),
            Region = SyntheticEstate.Region,
            AzId = SyntheticEstate.AzIdOf(eni),
            Start = windowStart.AddSeconds(_random.Next(60)),
            LogStatus = LogStatus.Ok,
        };
        record.End = record.Start.Value.AddSeconds(60);
        var roll = _random.Next(1000);
        if (roll < 5)
        {
            // An idle interface in this window.
            record.LogStatus = LogStatus.NoData;
            return record;
        }
        var local = account.Address(eni, _random.Next(SyntheticEstate.FirstHost, SyntheticEstate.LastHost + 1));
        if (roll < 60)
        {
            // A scanner on the internet walking through ports; the security group rejects it.
            Fill(record, FlowAddress.FromIPv4(0xC6336407u), local, 40000 + _random.Next(1000), _random.Next(1, 1025), 6, 1, 44);
            record.Action = FlowAction.Reject;
            record.TcpFlags = TcpFlags.Syn;
            record.FlowDirection = FlowDirection.Ingress;
            return record;
        }
        if (roll < 110)
        {
            var ipv6 = account.Ipv6Address(eni, _random.Next(SyntheticEstate.FirstHost, SyntheticEstate.LastHost + 1));
            FlowAddress.TryParse(SyntheticEstate.AwsIpv6Address, out var remote);
            Fill(record, ipv6, remote, 32768 + _random.Next(28000), 443, 6, _random.Next(5, 80), 0);
            record.Type = TrafficType.IPv6;
            record.FlowDirection = FlowDirection.Egress;
            record.TrafficPath = 8;
            return record;
        }
        if (roll < 200)
        {
            // Internet clients probing SSH and RDP: rejected. Scanners come back, a few far more often than the rest.
            var client = FlowAddress.FromIPv4(InternetClient(_random.Next(_random.Next(1, InternetClients + 1))));
            Fill(record, client, local, 1024 + _random.Next(64000), _random.Next(2) == 0 ? 22 : 3389, 6, _random.Next(1, 4), 0);
            record.Action = FlowAction.Reject;
            record.FlowDirection = FlowDirection.Ingress;
            return record;
        }
        if (roll < 320)
        {
            // Egress to AWS services (S3 through an internet gateway where an endpoint would do).
            var service = AwsServices[_random.Next(AwsServices.Length)];
            var (rangeBase, rangeSize) = SyntheticEstate.AwsServiceRanges[service];
            var remote = FlowAddress.FromIPv4(rangeBase + (uint)_random.Next(4096) % rangeSize);
            Fill(record, local, remote, 32768 + _random.Next(28000), 443, 6, _random.Next(10, 5000), 0);
            record.PktDstAwsService = service;
            record.FlowDirection = FlowDirection.Egress;
            record.TrafficPath = (byte)(service is "S3" or "DYNAMODB" && _random.Next(3) == 0 ? 7 : 8);
            return record;
        }
        if (roll < 360)
        {
            Fill(record, local, account.DnsResolver, 1024 + _random.Next(64000), 53, 17, _random.Next(1, 6), 0);
            record.FlowDirection = FlowDirection.Egress;
            record.TrafficPath = 1;
            return record;
        }
        if (roll < 375)
        {
            Fill(record, local, account.Unassigned, 0, 0, 1, _random.Next(1, 10), 0);
            record.Action = _random.Next(4) == 0 ? FlowAction.Reject : FlowAction.Accept;
            return record;
        }
        // East-west service traffic inside the VPC.
        var peer = account.Address(_random.Next(SyntheticEstate.Interfaces.Count), _random.Next(SyntheticEstate.FirstHost, SyntheticEstate.LastHost + 1));
        Fill(record, peer, local, 32768 + _random.Next(28000), ServicePorts[_random.Next(ServicePorts.Length)], 6, _random.Next(2, 2000), 0);
        record.FlowDirection = FlowDirection.Ingress;
        record.TrafficPath = 1;
        record.TcpFlags = TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Fin;
        return record;
    }

    private void Fill(FlowRecord record, FlowAddress src, FlowAddress dst, int srcPort, int dstPort, int protocol, int packets, int bytesPerPacket)
    {
        record.SrcAddr = record.PktSrcAddr = src;
        record.DstAddr = record.PktDstAddr = dst;
        record.SrcPort = srcPort;
        record.DstPort = dstPort;
        record.Protocol = protocol;
        record.Packets = packets;
        record.Bytes = packets * (long)(bytesPerPacket > 0 ? bytesPerPacket : _random.Next(60, 1400));
        record.Action = FlowAction.Accept;
        record.Type = src.IsIPv4 ? TrafficType.IPv4 : TrafficType.IPv6;
    }
}
