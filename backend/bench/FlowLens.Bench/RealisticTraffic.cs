namespace FlowLens.Bench;

/// <summary>
/// Flows shaped like a real VPC's, for the benchmarks: a few thousand inside addresses (a few internet-facing servers
/// that take most of the traffic, internal services on a few ports, clients) and a given number of distinct internet
/// addresses a day, heavy-tailed: a Zipf-like head (CDNs, busy clients, heavy talkers with many flows) and a long tail
/// of clients and scanners with 1 to 3 records each; a few scanners sweeping many hosts and ports; ephemeral source
/// ports; ACCEPT and REJECT; NODATA and SKIPDATA rows; an IPv6 share. Half of a day's internet addresses come back
/// every day, the other half are that day's only. Each object is generated from its own seed, so objects are
/// generated in parallel; an object's tail addresses are its own slice of the day's, so the day covers them all.
/// </summary>
internal sealed class RealisticTraffic(int addresses, int inside)
{
    public const int Scanners = 30;
    private static readonly string[] Accounts = ["111122223333", "444455556666", "777788889999"];

    /// <summary>The inside hosts' accounts: host i is in account i % 3, and in VPC <see cref="VpcIds"/>[i % 3].</summary>
    public static IReadOnlyList<string> AccountIds => Accounts;

    /// <summary>The VPC of each account, as v5 lines write it (TrafficFiles).</summary>
    public static readonly IReadOnlyList<string> VpcIds = ["vpc-0a1b2c3d4e5f60700", "vpc-0a1b2c3d4e5f60701", "vpc-0a1b2c3d4e5f60702"];
    private static readonly int[] PublicPorts = [443, 443, 443, 443, 443, 443, 443, 80, 80, 22];
    private static readonly int[] InternalPorts = [5432, 6379, 8080, 443, 3306, 9092, 8443, 27017];
    private static readonly string[] AwsServices = ["AMAZON", "S3", "DYNAMODB", "EC2", "CLOUDFRONT"];

    public int Addresses { get; } = addresses;
    public int Inside { get; } = inside;

    /// <summary>Internet-facing servers: the first 5% of the inside addresses; internal services the next 15%.</summary>
    private int PublicServers => Math.Max(1, Inside / 20);
    private int InternalServers => Math.Max(1, Inside * 3 / 20);

    /// <summary>Inside address <paramref name="index"/>: 10.a.b.c with c in 4–253 (index 0, 10.0.0.4, is the busiest server).</summary>
    public static uint InsideAddress(int index) => 0x0A000000u | (uint)(index / 250 << 8) | (uint)(index % 250 + 4);

    /// <summary>
    /// Internet address <paramref name="index"/> of day <paramref name="day"/> (days since 2000-01-01): the lower half of
    /// the indexes is the same every day, the upper half differs from day to day; every 14th index is IPv6.
    /// </summary>
    public (uint V4, ulong V6) InternetAddress(int day, int index)
    {
        var key = index < Addresses / 2 ? (ulong)index : ((ulong)(uint)day << 32) | (uint)index;
        var h = Mix(key);
        if (index % 14 == 0)
        {
            return (0, h | (1UL << 63) | 1);
        }
        var v4 = (uint)h;
        var first = v4 >> 24;
        // Keep it public: no 0/8, 10/8, 100/8, 127/8, 169/8, 172/8, 192/8 or 224 and above.
        if (first is 0 or 10 or 100 or 127 or 169 or 172 or 192 or >= 224)
        {
            v4 = (v4 & 0x00FFFFFFu) | ((11u + first % 89u) << 24);
        }
        return (v4, 0);
    }

    /// <summary>
    /// The records of one object: <paramref name="records"/> flows in [from, from + seconds) of day <paramref name="day"/>,
    /// whose tail addresses are the indexes [tailFrom, tailTo).
    /// </summary>
    public IEnumerable<Flow> Object(int day, int serial, int tailFrom, int tailTo, long from, int seconds, int records)
    {
        // A seed of its own (HashCode is randomised per process): the same arguments give the same records.
        var random = new Random((int)Mix(((ulong)from << 20) ^ ((ulong)serial << 40) ^ (ulong)Addresses ^ ((ulong)Inside << 48)));
        var (tailNext, tailEnd) = (tailFrom, tailTo);
        var (tailCurrent, tailLeft) = (-1, 0);
        // The share of internet picks that go to the tail: enough to cover the slice (1.5 records an address on average, with room to spare).
        var internetPicks = records * 0.62;
        var tailShare = Math.Min(0.9, 1.7 * (tailEnd - tailNext) / Math.Max(1, internetPicks));
        int Internet()
        {
            if (random.NextDouble() < tailShare && (tailLeft > 0 || tailNext < tailEnd))
            {
                if (tailLeft == 0)
                {
                    (tailCurrent, tailLeft) = (tailNext++, random.Next(10) switch { < 6 => 1, < 9 => 2, _ => 3 });
                }
                tailLeft--;
                return tailCurrent;
            }
            return Zipf(random, Addresses);
        }

        for (var i = 0; i < records; i++)
        {
            var start = from + random.Next(seconds);
            var f = new Flow { Start = start, End = start + random.Next(1, 60), Action = true, Status = 0 };
            var roll = random.Next(1000);
            if (roll < 6)
            {
                // An idle interface (NODATA) or a window whose records were skipped (SKIPDATA).
                SetInterface(ref f, random.Next(Inside));
                f.Status = roll < 5 ? (byte)1 : (byte)2;
                yield return f;
                continue;
            }
            if (roll < 86)
            {
                // A scanner sweeping hosts and ports: a few addresses, many records, all rejected.
                var scanner = Addresses - 1 - Zipf(random, Scanners);
                var target = random.Next(Inside);
                Set(ref f, day, scanner, target, inbound: true, 1024 + random.Next(64000), random.Next(10) < 3 ? PublicPorts[random.Next(PublicPorts.Length)] : random.Next(1, 65536), 6, 1, 44);
                f.Action = false;
                f.Flags = 2;
                yield return f;
                continue;
            }
            if (roll < 520)
            {
                // Internet clients of the public servers, the request or the reply as seen on the server's interface.
                var server = Zipf(random, PublicServers);
                var port = PublicPorts[server % PublicPorts.Length];
                // SSH is mostly probes: rejected, and a rejected request has no reply.
                var accepted = port != 22 || random.Next(4) == 0;
                var reply = accepted && random.Next(2) == 0;
                var packets = accepted ? Heavy(random, 3, 5000) : random.Next(1, 4);
                Set(ref f, day, Internet(), server, inbound: !reply, Ephemeral(random), port, 6, packets, reply ? random.Next(500, 1450) : random.Next(60, 400));
                f.Action = accepted;
                f.Flags = (byte)(accepted ? 27 : 2);
                yield return f;
                continue;
            }
            if (roll < 700)
            {
                // Inside hosts calling out: CDNs, APIs, updates, AWS services through the internet gateway.
                var host = Zipf(random, Inside);
                var outbound = random.Next(2) == 0;
                var udp = random.Next(20) == 0;
                Set(ref f, day, Internet(), host, inbound: !outbound, udp ? 123 : 443, Ephemeral(random), udp ? 17 : 6, Heavy(random, 2, 20000),
                    outbound ? random.Next(60, 300) : random.Next(800, 1450));
                f.Flags = 27;
                f.AwsService = random.Next(5) == 0 ? AwsServices[random.Next(AwsServices.Length)] : null;
                yield return f;
                continue;
            }
            // East-west: inside clients to internal services on a few ports; a few rejected or ICMP.
            var client = PublicServers + InternalServers + random.Next(Math.Max(1, Inside - PublicServers - InternalServers));
            var service = PublicServers + Zipf(random, InternalServers);
            var icmp = roll >= 985;
            SetInside(ref f, Math.Min(client, Inside - 1), Math.Min(service, Inside - 1), icmp ? 0 : Ephemeral(random),
                icmp ? 0 : InternalPorts[service % InternalPorts.Length], icmp ? 1 : 6, Heavy(random, 2, 3000), random.Next(80, 1400));
            f.Action = roll < 975 || random.Next(3) > 0;
            f.Flags = (byte)(icmp ? 0 : f.Action ? 27 : 2);
            yield return f;
        }
    }

    /// <summary>A flow between internet address <paramref name="remote"/> and inside address <paramref name="local"/>, on the local interface.</summary>
    private void Set(ref Flow f, int day, int remote, int local, bool inbound, int remotePort, int localPort, int protocol, long packets, int bytesPerPacket)
    {
        SetInterface(ref f, local);
        var (v4, v6) = InternetAddress(day, remote);
        var remoteAddress = new Address(v4, v6);
        var localAddress = v6 != 0 ? new Address(0, (ulong)local + 1) : new Address(InsideAddress(local), 0);
        (f.Src, f.Dst, f.SrcPort, f.DstPort) = inbound ? (remoteAddress, localAddress, remotePort, localPort) : (localAddress, remoteAddress, localPort, remotePort);
        (f.Protocol, f.Packets, f.Bytes, f.Ingress, f.Internet) = (protocol, packets, packets * bytesPerPacket, inbound, true);
    }

    private void SetInside(ref Flow f, int client, int service, int srcPort, int dstPort, int protocol, long packets, int bytesPerPacket)
    {
        SetInterface(ref f, service);
        (f.Src, f.Dst, f.SrcPort, f.DstPort) = (new Address(InsideAddress(client), 0), new Address(InsideAddress(service), 0), srcPort, dstPort);
        (f.Protocol, f.Packets, f.Bytes, f.Ingress, f.Internet) = (protocol, packets, packets * bytesPerPacket, true, false);
    }

    private static void SetInterface(ref Flow f, int local)
    {
        f.Local = local;
        f.Account = Accounts[local % Accounts.Length];
    }

    /// <summary>A rank in [0, n) with probability about 1/(rank+1): a few ranks take most picks, the rest a long tail.</summary>
    private static int Zipf(Random random, int n) => Math.Min(n - 1, (int)Math.Exp(random.NextDouble() * Math.Log(n + 1)) - 1);

    /// <summary>A packet count from a heavy-tailed distribution between <paramref name="min"/> and <paramref name="max"/>.</summary>
    private static long Heavy(Random random, int min, int max) => min + (long)Math.Exp(random.NextDouble() * Math.Log(max - min + 1)) - 1;

    /// <summary>A client's source port: Linux's ephemeral range mostly, Windows' sometimes.</summary>
    private static int Ephemeral(Random random) => random.Next(4) == 0 ? 49152 + random.Next(16384) : 32768 + random.Next(28232);

    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdUL;
        x ^= x >> 33;
        x *= 0xc4ceb9fe1a85ec53UL;
        return x ^ (x >> 33);
    }
}

/// <summary>An IPv4 address, or (when <see cref="V6"/> is not 0) an IPv6 one: inside (2600:1f18:4c00::/64) when V6 is small, else on the internet.</summary>
internal readonly record struct Address(uint V4, ulong V6);

/// <summary>One generated flow; <see cref="Status"/>: 0 OK, 1 NODATA, 2 SKIPDATA.</summary>
internal struct Flow
{
    public int Local;
    public string Account;
    public Address Src, Dst;
    public int SrcPort, DstPort, Protocol;
    public long Packets, Bytes, Start, End;
    public bool Action, Ingress, Internet;
    public byte Status, Flags;
    public string? AwsService;
}
